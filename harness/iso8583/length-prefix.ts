/**
 * LLVAR/LLLVAR length prefixes in their three encodings (ASCII digits, BCD, binary).
 */
import { DecodeError } from './errors.js';
import type { FieldSpec } from './dialect-types.js';
import { need, type Reader, type Writer } from './codec-cursor.js';
import { BCD_OK, HEX_PAIRS, describe } from './char-classes.js';
import type { FieldCodec } from './field-codec.js';

const PREFIX_ASCII = 0;
const PREFIX_BCD = 1;
const PREFIX_BINARY = 2;

export function prefixKind(encoding: FieldSpec['prefix']): number {
  return encoding === 'ascii' ? PREFIX_ASCII : encoding === 'bcd' ? PREFIX_BCD : PREFIX_BINARY;
}

/** Bytes of an LL (2 digits) or LLL (3 digits) prefix in an encoding. */
export function prefixBytes(kind: number, digits: number): number {
  return kind === PREFIX_ASCII ? digits : digits === 2 ? 1 : 2;
}

export function writePrefix(c: FieldCodec, w: Writer, n: number): void {
  const buf = w.buf;
  const digits = c.prefixDigits;
  switch (c.prefixKind) {
    case PREFIX_ASCII:
      if (digits === 3) buf[w.pos++] = 48 + ((n / 100) | 0);
      buf[w.pos++] = 48 + (((n / 10) | 0) % 10);
      buf[w.pos++] = 48 + (n % 10);
      break;
    case PREFIX_BCD: {
      if (digits === 3) buf[w.pos++] = (n / 100) | 0;
      const t = n % 100;
      buf[w.pos++] = (((t / 10) | 0) << 4) | (t % 10);
      break;
    }
    default:
      if (digits === 3) buf[w.pos++] = n >> 8;
      buf[w.pos++] = n & 0xff;
  }
}

export function readPrefix(c: FieldCodec, r: Reader): number {
  const field = c.field;
  const bytes = c.prefixBytes;
  need(r, bytes, field);
  const buf = r.buf;
  let n = 0;
  switch (c.prefixKind) {
    case PREFIX_ASCII:
      for (let i = r.pos; i < r.pos + bytes; i++) {
        const ch = buf[i]!;
        if (ch < 48 || ch > 57)
          throw new DecodeError(field, i, `length prefix byte ${describe(ch)} is not an ASCII digit`);
        n = n * 10 + (ch - 48);
      }
      break;
    case PREFIX_BCD:
      for (let i = r.pos; i < r.pos + bytes; i++) {
        const b = buf[i]!;
        if (BCD_OK[b] === 0)
          throw new DecodeError(field, i, `length prefix: non-BCD nibble in byte 0x${HEX_PAIRS[b]}`);
        n = n * 100 + (b >> 4) * 10 + (b & 15);
      }
      break;
    default:
      n = bytes === 1 ? buf[r.pos]! : buf.readUInt16BE(r.pos);
  }
  r.pos += bytes;
  return n;
}
