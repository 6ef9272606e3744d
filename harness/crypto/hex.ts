import { DataLengthError, HexError } from './errors.js';

const HEX_RE = /^[0-9a-fA-F]*$/;

/** True when `s` is an even-length string of hex digits (either case). */
export function isHex(s: string): boolean {
  return s.length % 2 === 0 && HEX_RE.test(s);
}

/**
 * Hex text to bytes. Strict: an odd length or any non-hex character throws `HexError` (Buffer.from
 * would silently stop at the first bad character).
 */
export function fromHex(s: string): Buffer {
  if (!HEX_RE.test(s)) {
    const offset = s.search(/[^0-9a-fA-F]/);
    throw new HexError(`not hex: bad character at offset ${offset}`, offset);
  }
  if (s.length % 2 !== 0) throw new HexError(`not hex: odd number of digits (${s.length})`, s.length);
  return Buffer.from(s, 'hex');
}

/** Bytes to upper-case hex. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();
}

/** Byte-wise XOR of two equal-length buffers. */
export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  if (a.length !== b.length)
    throw new DataLengthError('xor', b.length, `needs ${a.length} bytes as the first operand`);
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}
