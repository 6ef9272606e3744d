/**
 * Decoded BER-TLV as plain JSON with tag names: what `payhil tools tlv decode` prints and what reports
 * attach for field 55 and card responses. Hex is upper case.
 */
import { maskPan, redact } from '../common/mask.js';
import { tagName, tagSensitivity } from './tag-dictionary.js';
import type { Tlv } from './tlv.js';

export interface TlvDescription {
  readonly tag: string;
  readonly name: string;
  /** Upper-case hex of the value (masked or redacted when `mask` is on and the tag is sensitive). */
  readonly value: string;
  readonly children?: TlvDescription[];
}

export interface DescribeOptions {
  /**
   * Mask sensitive elements for reports and logs: PAN (5A) keeps its first 6 and last 4 digits;
   * track data, PIN data and cardholder identity are replaced by their kind and size. Default false.
   */
  readonly mask?: boolean;
}

/** Labels a parsed TLV tree. */
export function describeTlv(nodes: readonly Tlv[], options: DescribeOptions = {}): TlvDescription[] {
  return nodes.map((n) => describeOne(n, options.mask ?? false));
}

function describeOne(n: Tlv, mask: boolean): TlvDescription {
  const hex = n.value.toString('hex').toUpperCase();
  const base = { tag: n.tag, name: tagName(n.tag), value: mask ? maskValue(n.tag, hex) : hex };
  return n.children ? { ...base, children: n.children.map((c) => describeOne(c, mask)) } : base;
}

/** The value of a tag as it may appear in a report: masked PAN, redacted track/PIN/identity data. */
export function maskValue(tag: string, hex: string): string {
  switch (tagSensitivity(tag)) {
    case 'pan': {
      const digits = hex.replace(/F+$/, '');
      return /^\d+$/.test(digits) ? maskPan(digits) : redact('PAN', hex);
    }
    case 'track':
      return redact('track data', hex);
    case 'pin':
      return redact('PIN data', hex);
    case 'pii':
      return redact('cardholder data', hex);
    default:
      return hex;
  }
}
