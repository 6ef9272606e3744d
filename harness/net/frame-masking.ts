import { maskPan, maskPansInText, redact } from '../common/mask.js';
import { parseTlv, type Tlv } from '../emv/tlv.js';
import type { Dialect } from '../iso8583/dialect-types.js';
import type { DecodedFrame } from '../iso8583/message-codec.js';

/** EMV tags inside field 55 that carry a PAN (masked) or track data (hidden). */
const TLV_PAN_TAGS = new Set(['5A']);
const TLV_TRACK_TAGS = new Set(['56', '57', '9F1F', '9F20', '9F6B']);

function maskTlvHex(hex: string): string {
  const buf = Buffer.from(hex, 'hex');
  let nodes: Tlv[];
  try {
    nodes = parseTlv(buf);
  } catch {
    return maskPansInText(hex);
  }
  const chars = hex.split('');
  const walk = (list: readonly Tlv[]): void => {
    for (const n of list) {
      const start = (n.value.byteOffset - buf.byteOffset) * 2;
      const end = start + n.value.length * 2;
      if (TLV_PAN_TAGS.has(n.tag)) {
        const digits = hex.slice(start, end).replace(/F+$/i, '');
        const masked = maskPan(digits);
        for (let i = 0; i < masked.length; i++) chars[start + i] = masked[i] as string;
      } else if (TLV_TRACK_TAGS.has(n.tag)) {
        for (let i = start; i < end; i++) chars[i] = '*';
      }
      if (n.children) walk(n.children);
    }
  };
  walk(nodes);
  return chars.join('');
}

/**
 * A decoded frame's fields as they may appear in a journal or report: PAN masked (first 6, last 4),
 * track data, PIN blocks and keys replaced by their kind and size (per the dialect's `sensitive`
 * markers; fields 2, 35, 36, 45, 52 by number when the dialect says nothing), PANs and track data
 * inside TLV fields (tags 5A, 56, 57, 9F1F, 9F20, 9F6B) masked, and 13–19 digit runs inside
 * variable-length fields masked.
 */
export function maskFields(d: Dialect, fields: Readonly<Record<number, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    const n = Number(key);
    const spec = d.fields[n];
    const kind =
      spec?.sensitive ??
      (n === 2 ? 'pan' : n === 35 || n === 36 || n === 45 ? 'track' : n === 52 ? 'pin' : undefined);
    switch (kind) {
      case 'pan':
        out[key] = maskPan(value);
        break;
      case 'track':
        out[key] = redact('track data', value);
        break;
      case 'pin':
        out[key] = redact('PIN block', value);
        break;
      case 'key':
        out[key] = redact('key', value);
        break;
      default:
        // Variable-length fields may carry a PAN inside free data (fields 48, 59, 61…); fixed-length
        // identifiers (merchant id, RRN, security info) are left as they are.
        out[key] =
          spec?.content === 'tlv'
            ? maskTlvHex(value)
            : spec && spec.kind !== 'fixed'
              ? maskPansInText(value)
              : value;
    }
  }
  return out;
}

/** The journal view of a decoded frame: MTI, masked fields, TPDU and header. */
export function maskFrame(
  d: Dialect,
  frame: DecodedFrame,
): { mti: string; fields: Record<string, string>; tpdu?: string; header?: string } {
  const view: { mti: string; fields: Record<string, string>; tpdu?: string; header?: string } = {
    mti: frame.mti,
    fields: maskFields(d, frame.fields),
  };
  if (frame.tpdu !== undefined) view.tpdu = frame.tpdu;
  if (frame.header !== undefined) view.header = frame.header;
  return view;
}

/**
 * Bytes that could not be decoded, as upper-case hex for a journal: at most `limit` bytes shown; runs of
 * 13–19 ASCII digits (an ASCII PAN) and runs of 7 or more packed-BCD bytes (a BCD PAN, often right
 * after its BCD length) keep only their first 6 and last 4 digits, the rest shown as `*`.
 */
export function maskRawHex(data: Buffer, limit: number): { hex: string; truncated: boolean } {
  const shown = data.length > limit ? data.subarray(0, limit) : data;
  let bytes = shown;
  let runStart = -1;
  for (let i = 0; i <= shown.length; i++) {
    const c = i < shown.length ? (shown[i] as number) : -1;
    const digit = c >= 0x30 && c <= 0x39;
    if (digit && runStart < 0) runStart = i;
    if (!digit && runStart >= 0) {
      const len = i - runStart;
      if (len >= 13 && len <= 19) {
        if (bytes === shown) bytes = Buffer.from(shown);
        bytes.fill(0x2a, runStart + 6, i - 4);
      }
      runStart = -1;
    }
  }
  const hex = bytes.toString('hex').toUpperCase();
  let chars: string[] | undefined;
  runStart = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const c = i < bytes.length ? (bytes[i] as number) : 0xff;
    const bcd = c >> 4 <= 9 && (c & 0x0f) <= 9;
    if (bcd && runStart < 0) runStart = i;
    if (!bcd && runStart >= 0) {
      if (i - runStart >= 7) {
        chars ??= hex.split('');
        for (let k = runStart * 2 + 6; k < i * 2 - 4; k++) chars[k] = '*';
      }
      runStart = -1;
    }
  }
  return { hex: chars ? chars.join('') : hex, truncated: shown.length < data.length };
}
