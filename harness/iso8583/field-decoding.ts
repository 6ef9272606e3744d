/**
 * Decoding field data into characters.
 *
 * The message decoder writes every field's characters (digits, track characters, hex of binary
 * fields) one byte a character into one scratch buffer, turns the whole of it into one string with a
 * single native call and hands each field on as a substring of it. That saves a native call or a chain
 * of string concatenations per field; long substrings share the parent string's storage.
 */
import { DecodeError } from './errors.js';
import type { FieldType } from './dialect-types.js';
import { need, type Reader, type Writer } from './codec-cursor.js';
import { ALLOWED, BCD_OK, HEX_CODES, HEX_PAIRS, HEX_VALUE, TYPE_WORD, describe } from './char-classes.js';

function nonBcd(field: number, offset: number, b: number): DecodeError {
  return new DecodeError(field, offset, `non-BCD nibble in byte 0x${HEX_PAIRS[b]}`);
}

/**
 * Unpacks `digits` BCD digits (ceil(digits/2) bytes) as ASCII bytes at `out.pos` (room for `digits` bytes
 * must be there). Numeric: every digit nibble 0–9, pad nibble 0 or F. Track: nibbles read as hex digits
 * (separator D stays 'D'), any pad nibble.
 */
export function bcdTo(
  r: Reader,
  digits: number,
  left: boolean,
  track: boolean,
  field: number,
  out: Writer,
): void {
  const bytes = (digits + 1) >> 1;
  need(r, bytes, field);
  const buf = r.buf;
  const o = out.buf;
  let q = out.pos;
  let p = r.pos;
  const end = p + bytes;
  if (digits & 1 && !left) {
    const b = buf[p]!;
    const hi = b >> 4;
    const lo = b & 15;
    if (!track && ((hi !== 0 && hi !== 15) || lo > 9)) throw nonBcd(field, p, b);
    o[q++] = HEX_CODES[lo]!;
    p++;
  }
  const pairsEnd = digits & 1 && left ? end - 1 : end;
  if (track) {
    for (; p < pairsEnd; p++) {
      const b = buf[p]!;
      o[q++] = HEX_CODES[b >> 4]!;
      o[q++] = HEX_CODES[b & 15]!;
    }
  } else {
    for (; p < pairsEnd; p++) {
      const b = buf[p]!;
      if (BCD_OK[b] === 0) throw nonBcd(field, p, b);
      o[q++] = 48 + (b >> 4);
      o[q++] = 48 + (b & 15);
    }
  }
  if (p < end) {
    const b = buf[p]!;
    const hi = b >> 4;
    const lo = b & 15;
    if (!track && (hi > 9 || (lo !== 0 && lo !== 15))) throw nonBcd(field, p, b);
    o[q++] = HEX_CODES[hi]!;
  }
  r.pos = end;
  out.pos = q;
}

/** Reads `n` bytes as characters of their type, copying them to `out.pos` (`allowed` is the type's table). */
export function charsTo(
  r: Reader,
  n: number,
  type: FieldType,
  field: number,
  out: Writer,
  allowed: Uint8Array = ALLOWED[type],
): void {
  need(r, n, field);
  const buf = r.buf;
  const o = out.buf;
  let q = out.pos;
  const start = r.pos;
  const end = start + n;
  if (n > 32) {
    // Long text (CUP field 59, 63): check, then one native copy.
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (allowed[c] === 0)
        throw new DecodeError(
          field,
          i,
          `byte ${describe(c)} is not allowed in a ${type} field (${TYPE_WORD[type]})`,
        );
    }
    q += buf.copy(o, q, start, end);
  } else {
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (allowed[c] === 0)
        throw new DecodeError(
          field,
          i,
          `byte ${describe(c)} is not allowed in a ${type} field (${TYPE_WORD[type]})`,
        );
      o[q++] = c;
    }
  }
  r.pos = end;
  out.pos = q;
}

/** `n` raw bytes as upper-case hex at `out.pos`. */
export function binaryTo(r: Reader, n: number, field: number, out: Writer): void {
  need(r, n, field);
  const buf = r.buf;
  const o = out.buf;
  let q = out.pos;
  const end = r.pos + n;
  for (let i = r.pos; i < end; i++) {
    const b = buf[i]!;
    o[q++] = HEX_CODES[b >> 4]!;
    o[q++] = HEX_CODES[b & 15]!;
  }
  r.pos = end;
  out.pos = q;
}

/** `chars` ASCII hex digits (either case), checked and copied upper-cased to `out.pos`. */
export function hexAsciiTo(r: Reader, chars: number, field: number, out: Writer): void {
  need(r, chars, field);
  const buf = r.buf;
  const o = out.buf;
  let q = out.pos;
  const end = r.pos + chars;
  for (let i = r.pos; i < end; i++) {
    const c = buf[i]!;
    const v = HEX_VALUE[c]!;
    if (v < 0) throw new DecodeError(field, i, `byte ${describe(c)} is not an ASCII hex digit`);
    o[q++] = HEX_CODES[v]!;
  }
  r.pos = end;
  out.pos = q;
}

/** The MTI (4 digits, ASCII or BCD) as ASCII bytes at `out.pos`. */
export function mtiTo(r: Reader, ascii: boolean, out: Writer): void {
  if (ascii) charsTo(r, 4, 'n', 0, out);
  else bcdTo(r, 4, true, false, 0, out);
}

/** `n` raw bytes as upper-case hex at `out.pos` (TPDU, header). */
export function hexTo(r: Reader, n: number, out: Writer): void {
  binaryTo(r, n, 0, out);
}
