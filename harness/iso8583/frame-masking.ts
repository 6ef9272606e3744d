/**
 * The one masking table for ISO 8583 traffic and what is built on it: the spy's journal view of a frame
 * (masked text), the frame itself with its sensitive bytes overwritten in place (for captures), and the
 * by-field masking of values in reports (see report-masking.ts).
 *
 * What is sensitive: the dialect's `sensitive` markers, else by number (2 PAN; 35, 36, 45 track data;
 * 52 PIN block); inside TLV fields (55) the EMV tags the tag dictionary marks sensitive (emv's
 * {@link maskTlvHex}: 5A as a PAN, track data, PIN data and the cardholder's name and ID hidden);
 * inside other variable-length fields (unless positional subfields fill them, as CUP 60 and 61), runs
 * of 13–19 digits (a PAN in free data). Fixed-length fields (41 terminal id, 42 merchant id) and the MAC
 * are not masked: they are not cardholder data.
 */
import { maskPan, maskPanWith, maskPansInText, maskPansInTextWith, redact } from '../common/mask.js';
import { maskTlvHex } from '../emv/tlv-masking.js';
import type { Dialect, FieldSpec, Sensitivity } from './dialect-types.js';
import { decodeFrame, encodeFrame, type DecodedFrame } from './message-codec.js';

/** Sensitive fields by number when the dialect does not mark them (ISO 8583:1987 meanings). */
const DEFAULT_SENSITIVE: Readonly<Record<number, Sensitivity>> = {
  2: 'pan',
  35: 'track',
  36: 'track',
  45: 'track',
  52: 'pin',
};

/**
 * How a field is masked: a sensitivity (`pan`, `track`, `pin`, `key`, `mac`), `tlv` (EMV data, masked
 * tag by tag), `free` (variable-length data that may hold a PAN among other things) or `plain`.
 */
export type FieldTreatment = Sensitivity | 'tlv' | 'free' | 'plain';

/**
 * The treatment of field `n`: the dialect's marker, else by number; without a dialect (report views
 * that only know field numbers) 55 is TLV and other unmarked fields are plain.
 */
export function fieldTreatment(d: Dialect | undefined, n: number): FieldTreatment {
  const spec = d?.fields[n];
  const s = spec?.sensitive ?? DEFAULT_SENSITIVE[n];
  if (s) return s;
  if (spec ? spec.content === 'tlv' : n === 55) return 'tlv';
  if (!spec || spec.kind === 'fixed') return 'plain';
  // Positional subfields that fill the whole field (CUP 60, 61: batch, trace, date…) are not free data.
  const last = spec.subfields?.[spec.subfields.length - 1];
  return last && last.start + last.length >= spec.length ? 'plain' : 'free';
}

/** A field value as a journal or report shows it, given its treatment. */
function maskFieldText(t: FieldTreatment, value: string): string {
  switch (t) {
    case 'pan':
      return maskPan(value);
    case 'track':
      return redact('track data', value);
    case 'pin':
      return redact('PIN block', value);
    case 'key':
      return redact('key', value);
    case 'tlv':
      return maskTlvHex(value);
    case 'free':
      return maskPansInText(value);
    default:
      // A MAC is not secret; fixed-length identifiers (merchant id, RRN, security info) are not PANs.
      return value;
  }
}

/**
 * A decoded frame's fields as they may appear in a journal or report: PAN masked (first 6, last 4),
 * track data, PIN blocks and keys replaced by their kind and size (per the dialect's `sensitive`
 * markers; fields 2, 35, 36, 45, 52 by number when the dialect says nothing), PANs and track data
 * inside TLV fields (by the tag dictionary's list) masked, and 13–19 digit runs inside
 * variable-length fields masked.
 */
export function maskFields(d: Dialect, fields: Readonly<Record<number, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields))
    out[key] = maskFieldText(fieldTreatment(d, Number(key)), value);
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
 * The filler of masked characters in a field's bytes: `0` where the encoding holds only digits or hex
 * (n and z fields — BCD has no nibble for `*` that still decodes as a digit —, b fields: zero bytes),
 * `*` in text fields (an, ans).
 */
function maskFiller(spec: FieldSpec | undefined): '0' | '*' {
  return !spec || spec.type === 'n' || spec.type === 'z' || spec.type === 'b' ? '0' : '*';
}

/** A field value with the same number of characters, sensitive characters replaced, for re-encoding. */
function maskFieldForBytes(t: FieldTreatment, spec: FieldSpec | undefined, value: string): string {
  const filler = maskFiller(spec);
  switch (t) {
    case 'pan':
      return maskPanWith(value, filler);
    case 'track':
    case 'pin':
    case 'key':
    case 'mac':
      // The MAC too: it was computed over the clear frame, so with the (test) MAC key it would let
      // anyone check guesses of the masked digits.
      return filler.repeat(value.length);
    case 'tlv':
      return maskTlvHex(value, (h) => '0'.repeat(h.length), { pan: '0', hide: '0' });
    case 'free':
      return maskPansInTextWith(value, filler);
    default:
      return value;
  }
}

/** Bytes of a frame's length prefix, TPDU and header: what stays of a frame that is blanked. */
export function frameHeaderBytes(d: Dialect): number {
  return d.framing.lengthBytes + d.framing.tpduBytes + d.framing.headerBytes;
}

/** A copy of `frame` with every byte after its length prefix, TPDU and header set to zero. */
export function blankFrame(d: Dialect, frame: Uint8Array): Buffer {
  const out = Buffer.from(frame);
  const keep = frameHeaderBytes(d);
  if (out.length > keep) out.fill(0, keep);
  return out;
}

/**
 * A copy of one whole frame (length prefix included) with its sensitive bytes overwritten in place:
 * same length, same field positions, still decodable with the dialect. PAN digits keep their first 6
 * and last 4 (the others become `0` in n/BCD fields, `*` in text fields); track data, PIN block, keys
 * and the MAC become zeros; in TLV fields tag 5A is masked like a PAN and other sensitive tags are zeroed; PAN-like
 * digit runs in other variable-length fields are masked. Undefined when the frame does not decode (or
 * would not re-encode to the same length).
 */
export function tryMaskFrameBytes(d: Dialect, frame: Uint8Array): Buffer | undefined {
  let decoded: DecodedFrame;
  try {
    decoded = decodeFrame(d, frame, { maxFrameBytes: Math.max(frame.length, 1) });
  } catch {
    return undefined;
  }
  const fields: Record<number, string> = { ...decoded.fields };
  let changed = false;
  for (const [key, value] of Object.entries(decoded.fields)) {
    const n = Number(key);
    const masked = maskFieldForBytes(fieldTreatment(d, n), d.fields[n], value);
    if (masked !== value) {
      fields[n] = masked;
      changed = true;
    }
  }
  if (!changed) return Buffer.from(frame);
  try {
    const out = encodeFrame(
      d,
      { mti: decoded.mti, fields },
      {
        ...(decoded.tpdu !== undefined ? { tpdu: decoded.tpdu } : {}),
        ...(decoded.header !== undefined ? { header: decoded.header } : {}),
      },
    );
    return out.length === frame.length ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * {@link tryMaskFrameBytes}, and a frame that does not decode blanked past its header
 * ({@link blankFrame}): nothing leaks.
 */
export function maskFrameBytes(d: Dialect, frame: Uint8Array): Buffer {
  return tryMaskFrameBytes(d, frame) ?? blankFrame(d, frame);
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
