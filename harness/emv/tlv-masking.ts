/**
 * BER-TLV hex with the values of sensitive tags masked in place, by the one list of the tag dictionary
 * ({@link tagSensitivity}): what field 55 looks like in the host journal, the proxy's spy, a masked pcap
 * and a report, and what a card's answer looks like in an APDU trace. Tags, lengths and the values of
 * other tags stay as they are, so the result lines up with the clear data.
 */
import { maskPanWith, maskPansInText, redact } from '../common/mask.js';
import { tagSensitivity } from './tag-dictionary.js';
import { parseTlv, type Tlv } from './tlv.js';

/** The characters that replace what is hidden. */
export interface TlvMaskFillers {
  /** Replaces the hidden digits of a PAN (5A): `*` for text (default), `0` where the bytes must still decode. */
  readonly pan?: string;
  /** Replaces every hex digit of a value hidden entirely (track, PIN, cardholder identity); default `*`. */
  readonly hide?: string;
}

/**
 * TLV hex with the values of sensitive tags masked: a PAN keeps its first 6 and last 4 digits (and its
 * `F` padding), every other sensitive value is hidden digit by digit. Hex already masked with `*` is
 * accepted (the `*` stand for the digits they hide), so masking twice gives the same text. Hex that is
 * not BER-TLV gets `unparsable` (default: PAN-like digit runs masked).
 */
export function maskTlvHex(
  hex: string,
  unparsable: (hex: string) => string = maskPansInText,
  fillers: TlvMaskFillers = {},
): string {
  const panFiller = fillers.pan ?? '*';
  const hide = fillers.hide ?? '*';
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f*]*$/.test(hex)) return unparsable(hex);
  const buf = Buffer.from(hex.replace(/\*/g, '0'), 'hex');
  let nodes: Tlv[];
  try {
    nodes = parseTlv(buf);
  } catch {
    return unparsable(hex);
  }
  const chars = hex.split('');
  const walk = (list: readonly Tlv[]): void => {
    for (const n of list) {
      const start = (n.value.byteOffset - buf.byteOffset) * 2;
      const end = start + n.value.length * 2;
      const sensitivity = tagSensitivity(n.tag);
      if (sensitivity === 'pan') {
        const digits = hex.slice(start, end).replace(/F+$/i, '');
        const masked = maskPanWith(digits, panFiller);
        for (let i = 0; i < masked.length; i++) chars[start + i] = masked[i] as string;
      } else if (sensitivity !== undefined) {
        for (let i = start; i < end; i++) chars[i] = hide;
      } else if (n.children) {
        walk(n.children);
      }
    }
  };
  walk(nodes);
  return chars.join('');
}

/** ICC data (field 55, a card's answer) as hex with the sensitive tags masked; anything not TLV redacted. */
export function maskIccHex(hex: string): string {
  return maskTlvHex(hex.toUpperCase(), (h) => redact('unparsable ICC data', h));
}
