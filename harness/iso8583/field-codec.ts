/**
 * Field codecs, compiled once per dialect field: a closure that validates and writes a value into a
 * growing scratch buffer, and one that reads it back. No regular expressions or intermediate buffers
 * on the hot path: characters are checked and written in one loop, BCD goes through lookup tables.
 */
import { DecodeError, EncodeError } from './errors.js';
import type { FieldSpec, FieldType } from './dialect-types.js';

/** Output cursor over a scratch buffer that grows on demand. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A fresh copy of what was written from `start`. */
  take(start = 0): Buffer {
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }
}

/** Input cursor; `pos` is absolute in `buf`, `end` is where the readable part stops. */
export interface Reader {
  buf: Buffer;
  pos: number;
  end: number;
}

export interface FieldCodec {
  readonly spec: FieldSpec;
  /** Validates and writes `value`; throws EncodeError. */
  encode(value: string, w: Writer): void;
  /** Reads the field at `r.pos` and advances it; throws DecodeError. */
  decode(r: Reader): string;
}

// ---------------------------------------------------------------------------------------------------
// Tables

/** Upper-case two-digit hex of every byte. */
export const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).toUpperCase().padStart(2, '0'),
);
/** Two decimal digits of a packed-BCD byte, or undefined when a nibble is over 9. */
const BCD_PAIRS: readonly (string | undefined)[] = Array.from({ length: 256 }, (_, i) =>
  i >> 4 <= 9 && (i & 15) <= 9 ? HEX_PAIRS[i] : undefined,
);
const HEX_DIGITS = '0123456789ABCDEF';

/** Value of an ASCII hex digit (either case), or -1. */
export function hexNibble(c: number): number {
  return c > 255 ? -1 : HEX_VALUE[c]!;
}
const HEX_VALUE = Int8Array.from({ length: 256 }, (_, c) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1,
);

/**
 * Upper-case hex of `buf[start, end)`. Short runs (TPDUs, PIN blocks, MACs) by appending cached
 * pairs, long ones (field 55) by one native conversion.
 */
export function hexOf(buf: Buffer, start: number, end: number): string {
  if (end - start > 24) return buf.toString('hex', start, end).toUpperCase();
  let s = '';
  for (let i = start; i < end; i++) s += HEX_PAIRS[buf[i]!]!;
  return s;
}

/** Character class test per type (for ASCII-encoded characters and for validation). */
function charOk(type: FieldType, c: number): boolean {
  switch (type) {
    case 'n':
      return c >= 48 && c <= 57;
    case 'an':
      // Printable ASCII: real terminals pad an fields with spaces and punctuation.
      return c >= 0x20 && c <= 0x7e;
    case 'ans':
      // Printable ASCII plus the high half (GBK text in CUP fields 48/63), one byte a character.
      return (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
    case 'z':
      // Track 2/3 characters: digits, separator '=' (or 'D' as BCD writes it), hex for encrypted tracks.
      return (c >= 48 && c <= 57) || c === 61 || (c >= 65 && c <= 70);
    case 'b':
      return hexNibble(c) >= 0;
  }
}

/** charOk as 256-entry tables (1 = allowed), one per type, for the per-character loops. */
const ALLOWED: Record<FieldType, Uint8Array> = {
  n: table('n'),
  an: table('an'),
  ans: table('ans'),
  z: table('z'),
  b: table('b'),
};
function table(type: FieldType): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, c) => (charOk(type, c) ? 1 : 0));
}

/** BCD nibble of a character (digits; for tracks also '=' → D and A–F), -1 if none; index by char code < 256. */
const NIBBLE_N = Int8Array.from({ length: 256 }, (_, c) => (c >= 48 && c <= 57 ? c - 48 : -1));
const NIBBLE_Z = Int8Array.from({ length: 256 }, (_, c) =>
  c >= 48 && c <= 57 ? c - 48 : c === 61 ? 13 : c >= 65 && c <= 70 ? c - 55 : -1,
);

function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${HEX_PAIRS[c & 0xff] ?? '??'}`;
}

const TYPE_WORD: Record<FieldType, string> = {
  n: 'digits',
  an: 'printable ASCII',
  ans: 'printable characters',
  z: 'track characters (0-9, =, A-F)',
  b: 'hex digits',
};

// ---------------------------------------------------------------------------------------------------
// Primitives shared with the message codec (MTI, bitmap, length prefixes)

/** Writes `s` one byte a character after checking every character against `type`. */
export function writeChars(w: Writer, s: string, type: FieldType, field: number): void {
  const buf = w.buf;
  const allowed = ALLOWED[type];
  let pos = w.pos;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || allowed[c] === 0)
      throw new EncodeError(
        field,
        `character ${describe(c)} at position ${i + 1} is not allowed (${TYPE_WORD[type]})`,
      );
    buf[pos++] = c;
  }
  w.pos = pos;
}

/** Reads `n` bytes as characters of `type`. */
export function readChars(r: Reader, n: number, type: FieldType, field: number): string {
  need(r, n, field);
  const buf = r.buf;
  const allowed = ALLOWED[type];
  const start = r.pos;
  for (let i = start; i < start + n; i++) {
    if (allowed[buf[i] as number] === 0)
      throw new DecodeError(
        field,
        i,
        `byte ${describe(buf[i] as number)} is not allowed in a ${type} field (${TYPE_WORD[type]})`,
      );
  }
  r.pos = start + n;
  return buf.toString('latin1', start, start + n);
}

function bcdNibble(c: number, track: boolean): number {
  // '=' (track separator) is nibble D in BCD tracks.
  return c > 255 ? -1 : (track ? NIBBLE_Z : NIBBLE_N)[c]!;
}

/**
 * Packs `s` (digits; for tracks also '=' and A–F) two to a byte. An odd count gets the pad nibble after
 * the digits (`left`) or before them.
 */
export function writeBcd(
  w: Writer,
  s: string,
  left: boolean,
  pad: number,
  track: boolean,
  field: number,
): void {
  const buf = w.buf;
  let pos = w.pos;
  const n = s.length;
  let i = 0;
  if (n & 1 && !left) {
    const lo = bcdNibble(s.charCodeAt(0), track);
    if (lo < 0)
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(0))} at position 1 is not allowed (${TYPE_WORD[track ? 'z' : 'n']})`,
      );
    buf[pos++] = (pad << 4) | lo;
    i = 1;
  }
  for (; i + 1 < n; i += 2) {
    const hi = bcdNibble(s.charCodeAt(i), track);
    const lo = bcdNibble(s.charCodeAt(i + 1), track);
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? i : i + 1;
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(at))} at position ${at + 1} is not allowed (${TYPE_WORD[track ? 'z' : 'n']})`,
      );
    }
    buf[pos++] = (hi << 4) | lo;
  }
  if (i < n) {
    const hi = bcdNibble(s.charCodeAt(i), track);
    if (hi < 0)
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(i))} at position ${i + 1} is not allowed (${TYPE_WORD[track ? 'z' : 'n']})`,
      );
    buf[pos++] = (hi << 4) | pad;
  }
  w.pos = pos;
}

/**
 * Unpacks `digits` BCD digits (ceil(digits/2) bytes). Numeric: every digit nibble 0–9, pad nibble 0 or F.
 * Track: nibbles read as hex digits (separator D stays 'D'), any pad nibble.
 */
export function readBcd(r: Reader, digits: number, left: boolean, track: boolean, field: number): string {
  const bytes = (digits + 1) >> 1;
  need(r, bytes, field);
  const buf = r.buf;
  let p = r.pos;
  const end = p + bytes;
  let out = '';
  if (digits & 1 && !left) {
    const b = buf[p]!;
    const hi = b >> 4;
    const lo = b & 15;
    if (!track && ((hi !== 0 && hi !== 15) || lo > 9)) throw nonBcd(field, p, b);
    out = HEX_DIGITS[lo]!;
    p++;
  }
  const pairsEnd = digits & 1 && left ? end - 1 : end;
  // Short fields: appending cached two-character strings beats a native hex conversion per field.
  if (track) {
    for (; p < pairsEnd; p++) out += HEX_PAIRS[buf[p]!]!;
  } else {
    for (; p < pairsEnd; p++) {
      const pair = BCD_PAIRS[buf[p]!];
      if (pair === undefined) throw nonBcd(field, p, buf[p]!);
      out += pair;
    }
  }
  if (p < end) {
    const b = buf[p]!;
    const hi = b >> 4;
    const lo = b & 15;
    if (!track && (hi > 9 || (lo !== 0 && lo !== 15))) throw nonBcd(field, p, b);
    out += HEX_DIGITS[hi]!;
  }
  r.pos = end;
  return out;
}

function nonBcd(field: number, offset: number, b: number): DecodeError {
  return new DecodeError(field, offset, `non-BCD nibble in byte 0x${HEX_PAIRS[b]}`);
}

/** Writes a hex string as raw bytes. */
export function writeHexBinary(w: Writer, s: string, field: number): void {
  const buf = w.buf;
  let pos = w.pos;
  if (s.length > 32) {
    // Long values (field 55): one native conversion; it stops at the first bad pair, found below.
    const n = buf.write(s, pos, 'hex');
    if (n === s.length >> 1 && (s.length & 1) === 0) {
      w.pos = pos + n;
      return;
    }
  }
  for (let i = 0; i < s.length; i += 2) {
    const hi = hexNibble(s.charCodeAt(i));
    const lo = hexNibble(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? i : i + 1;
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(at))} at position ${at + 1} is not a hex digit`,
      );
    }
    buf[pos++] = (hi << 4) | lo;
  }
  w.pos = pos;
}

/** Writes a hex string as upper-case ASCII hex digits. */
function writeHexAscii(w: Writer, s: string, field: number): void {
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = hexNibble(c);
    if (v < 0)
      throw new EncodeError(field, `character ${describe(c)} at position ${i + 1} is not a hex digit`);
    buf[pos++] = HEX_DIGITS.charCodeAt(v);
  }
  w.pos = pos;
}

function readHexAscii(r: Reader, chars: number, field: number): string {
  need(r, chars, field);
  const buf = r.buf;
  const start = r.pos;
  let upper = true;
  for (let i = start; i < start + chars; i++) {
    const c = buf[i] as number;
    const v = hexNibble(c);
    if (v < 0) throw new DecodeError(field, i, `byte ${describe(c)} is not an ASCII hex digit`);
    if (c >= 97) upper = false;
  }
  r.pos = start + chars;
  const s = buf.toString('latin1', start, start + chars);
  return upper ? s : s.toUpperCase();
}

/** Throws when fewer than `n` bytes are left. */
export function need(r: Reader, n: number, field: number | undefined): void {
  if (r.pos + n > r.end)
    throw new DecodeError(
      field,
      r.pos,
      `truncated: needs ${n} byte${n === 1 ? '' : 's'}, ${r.end - r.pos} left`,
    );
}

// ---------------------------------------------------------------------------------------------------
// Length prefixes

interface PrefixCodec {
  readonly bytes: number;
  write(w: Writer, n: number): void;
  read(r: Reader, field: number): number;
}

function prefixCodec(encoding: FieldSpec['prefix'], digits: 2 | 3): PrefixCodec {
  switch (encoding) {
    case 'ascii':
      return {
        bytes: digits,
        write(w, n) {
          const buf = w.buf;
          if (digits === 3) buf[w.pos++] = 48 + ((n / 100) | 0);
          buf[w.pos++] = 48 + (((n / 10) | 0) % 10);
          buf[w.pos++] = 48 + (n % 10);
        },
        read(r, field) {
          need(r, digits, field);
          const buf = r.buf;
          let n = 0;
          for (let i = r.pos; i < r.pos + digits; i++) {
            const c = buf[i] as number;
            if (c < 48 || c > 57)
              throw new DecodeError(field, i, `length prefix byte ${describe(c)} is not an ASCII digit`);
            n = n * 10 + (c - 48);
          }
          r.pos += digits;
          return n;
        },
      };
    case 'bcd':
      return {
        bytes: digits === 2 ? 1 : 2,
        write(w, n) {
          const buf = w.buf;
          if (digits === 3) buf[w.pos++] = (n / 100) | 0;
          const t = n % 100;
          buf[w.pos++] = (((t / 10) | 0) << 4) | (t % 10);
        },
        read(r, field) {
          const bytes = digits === 2 ? 1 : 2;
          need(r, bytes, field);
          let n = 0;
          for (let i = r.pos; i < r.pos + bytes; i++) {
            const b = r.buf[i] as number;
            if (b >> 4 > 9 || (b & 15) > 9)
              throw new DecodeError(field, i, `length prefix: non-BCD nibble in byte 0x${HEX_PAIRS[b]}`);
            n = n * 100 + (b >> 4) * 10 + (b & 15);
          }
          r.pos += bytes;
          return n;
        },
      };
    case 'binary':
      return {
        bytes: digits === 2 ? 1 : 2,
        write(w, n) {
          if (digits === 3) w.buf[w.pos++] = n >> 8;
          w.buf[w.pos++] = n & 0xff;
        },
        read(r, field) {
          const bytes = digits === 2 ? 1 : 2;
          need(r, bytes, field);
          const n = bytes === 1 ? (r.buf[r.pos] as number) : r.buf.readUInt16BE(r.pos);
          r.pos += bytes;
          return n;
        },
      };
  }
}

// ---------------------------------------------------------------------------------------------------
// Compilation

/** Bytes that `units` units of a field's value take on the wire (without prefix). */
export function dataBytes(spec: FieldSpec, units: number): number {
  switch (spec.encoding) {
    case 'bcd-left':
    case 'bcd-right':
      return (units + 1) >> 1;
    case 'hex-ascii':
      return units * 2;
    default:
      return units;
  }
}

/** Builds the codec of one field. */
export function compileField(spec: FieldSpec): FieldCodec {
  const field = spec.number;
  const type = spec.type;
  const isBinary = type === 'b';
  const fixed = spec.kind === 'fixed';
  const prefix = fixed ? undefined : prefixCodec(spec.prefix, spec.kind === 'LLVAR' ? 2 : 3);
  const max = spec.length;
  const maxBytes = (prefix?.bytes ?? 0) + dataBytes(spec, max);
  const bcd = spec.encoding === 'bcd-left' || spec.encoding === 'bcd-right';
  const left = spec.encoding === 'bcd-left';
  const track = type === 'z';
  const pad = spec.pad === 'F' ? 15 : 0;
  const hexAscii = spec.encoding === 'hex-ascii';

  // Units of a value: characters, or bytes for b (two hex digits a byte).
  const unitsOf = (value: string): number => {
    if (!isBinary) return value.length;
    if (value.length & 1)
      throw new EncodeError(field, `hex value has an odd number of digits (${value.length})`);
    return value.length >> 1;
  };

  const writeData = isBinary
    ? hexAscii
      ? (w: Writer, v: string) => writeHexAscii(w, v, field)
      : (w: Writer, v: string) => writeHexBinary(w, v, field)
    : bcd
      ? (w: Writer, v: string) => writeBcd(w, v, left, pad, track, field)
      : (w: Writer, v: string) => writeChars(w, v, type, field);

  const readData = isBinary
    ? hexAscii
      ? (r: Reader, units: number) => readHexAscii(r, units * 2, field)
      : (r: Reader, units: number) => {
          need(r, units, field);
          const s = hexOf(r.buf, r.pos, r.pos + units);
          r.pos += units;
          return s;
        }
    : bcd
      ? (r: Reader, units: number) => readBcd(r, units, left, track, field)
      : (r: Reader, units: number) => readChars(r, units, type, field);

  if (fixed) {
    return {
      spec,
      encode(value, w) {
        const units = unitsOf(value);
        if (units !== max)
          throw new EncodeError(field, `fixed length ${max}${isBinary ? ' bytes' : ''}, got ${units}`);
        w.ensure(maxBytes);
        writeData(w, value);
      },
      // One call less on the hot path than going through readData.
      decode: isBinary
        ? hexAscii
          ? (r: Reader) => readHexAscii(r, max * 2, field)
          : (r: Reader) => readData(r, max)
        : bcd
          ? (r: Reader) => readBcd(r, max, left, track, field)
          : (r: Reader) => readChars(r, max, type, field),
    };
  }
  const p = prefix as PrefixCodec;
  return {
    spec,
    encode(value, w) {
      const units = unitsOf(value);
      if (units > max)
        throw new EncodeError(field, `length ${units}${isBinary ? ' bytes' : ''} exceeds maximum ${max}`);
      w.ensure(maxBytes);
      p.write(w, units);
      writeData(w, value);
    },
    decode(r) {
      const at = r.pos;
      const units = p.read(r, field);
      if (units > max)
        throw new DecodeError(field, at, `${spec.kind} length ${units} exceeds maximum ${max}`);
      return readData(r, units);
    },
  };
}
