/**
 * Field codecs, compiled once per dialect field into plain data (`FieldCodec`) that one encoder and one
 * decoder function read, so every field of every dialect runs through the same code. No regular
 * expressions or intermediate buffers on the hot path: characters are checked and written in one loop,
 * BCD and hex go through lookup tables, and decoding writes characters into a shared scratch buffer
 * that the message decoder turns into one string.
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
    let size = Math.max(this.buf.length * 2, 64);
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

// ---------------------------------------------------------------------------------------------------
// Tables

/** Upper-case two-digit hex of every byte. */
export const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).toUpperCase().padStart(2, '0'),
);
const HEX_DIGITS = '0123456789ABCDEF';

/** Value of an ASCII hex digit (either case), or -1. */
export function hexNibble(c: number): number {
  return c > 255 ? -1 : HEX_VALUE[c]!;
}
const HEX_VALUE = Int8Array.from({ length: 256 }, (_, c) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1,
);

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

/** The character classes of ALLOWED as whole-string patterns, for long values. */
const ALLOWED_RE: Record<FieldType, RegExp> = {
  n: /^[0-9]*$/,
  an: /^[\x20-\x7e]*$/,
  ans: /^[\x20-\x7e\x80-\xff]*$/,
  z: /^[0-9=A-F]*$/,
  b: /^[0-9A-Fa-f]*$/,
};

/**
 * Writes `s` one byte a character after checking every character against `type` (`allowed` is that
 * type's table, passed in by callers that hold it).
 */
export function writeChars(
  w: Writer,
  s: string,
  type: FieldType,
  field: number,
  allowed: Uint8Array = ALLOWED[type],
): void {
  const buf = w.buf;
  if (s.length > 32 && ALLOWED_RE[type].test(s)) {
    // Long text (CUP field 59, 63): one compiled pattern, one native write.
    w.pos += buf.write(s, w.pos, s.length, 'latin1');
    return;
  }
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
  const table = track ? NIBBLE_Z : NIBBLE_N;
  for (; i + 1 < n; i += 2) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const hi = a < 256 ? table[a]! : -1;
    const lo = b < 256 ? table[b]! : -1;
    if ((hi | lo) < 0) {
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
// Decoding into characters
//
// The message decoder writes every field's characters (digits, track characters, hex of binary
// fields) one byte a character into one scratch buffer, turns the whole of it into one string with a
// single native call and hands each field on as a substring of it. That saves a native call or a chain
// of string concatenations per field; long substrings share the parent string's storage.

/** ASCII codes of the upper-case hex digits. */
const HEX_CODES = Uint8Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));
/** 1 where both nibbles of a byte are decimal digits. */
const BCD_OK = Uint8Array.from({ length: 256 }, (_, b) => (b >> 4 <= 9 && (b & 15) <= 9 ? 1 : 0));

/**
 * Unpacks `digits` BCD digits (ceil(digits/2) bytes) as ASCII bytes at `out.pos` (room for `digits` bytes
 * must be there). Numeric: every digit nibble 0–9, pad nibble 0 or F. Track: nibbles read as hex digits
 * (separator D stays 'D'), any pad nibble.
 */
function bcdTo(r: Reader, digits: number, left: boolean, track: boolean, field: number, out: Writer): void {
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
function charsTo(
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
function binaryTo(r: Reader, n: number, field: number, out: Writer): void {
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
function hexAsciiTo(r: Reader, chars: number, field: number, out: Writer): void {
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

// ---------------------------------------------------------------------------------------------------
// Length prefixes

const PREFIX_ASCII = 0;
const PREFIX_BCD = 1;
const PREFIX_BINARY = 2;

function prefixKind(encoding: FieldSpec['prefix']): number {
  return encoding === 'ascii' ? PREFIX_ASCII : encoding === 'bcd' ? PREFIX_BCD : PREFIX_BINARY;
}

/** Bytes of an LL (2 digits) or LLL (3 digits) prefix in an encoding. */
function prefixBytes(kind: number, digits: number): number {
  return kind === PREFIX_ASCII ? digits : digits === 2 ? 1 : 2;
}

function writePrefix(c: FieldCodec, w: Writer, n: number): void {
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

function readPrefix(c: FieldCodec, r: Reader): number {
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

/** How a field's data is written: characters, BCD, raw bytes (b) or ASCII hex (b). */
const DATA_CHARS = 0;
const DATA_BCD = 1;
const DATA_BINARY = 2;
const DATA_HEX_ASCII = 3;

/**
 * A field compiled for the codec: plain data read by one encoder and one decoder function, so every
 * field of every dialect goes through the same (monomorphic) code.
 */
export class FieldCodec {
  readonly field: number;
  readonly type: FieldType;
  readonly isBinary: boolean;
  readonly fixed: boolean;
  /** Fixed length, or maximum, in units (characters, or bytes for b). */
  readonly max: number;
  /** Most bytes the field takes on the wire, prefix included. */
  readonly maxBytes: number;
  readonly data: number;
  readonly left: boolean;
  readonly track: boolean;
  readonly pad: number;
  readonly prefixKind: number;
  readonly prefixDigits: number;
  readonly prefixBytes: number;
  /** The type's character table (ALLOWED), held here so the hot path does no lookup by type name. */
  readonly allowed: Uint8Array;

  constructor(readonly spec: FieldSpec) {
    this.field = spec.number;
    this.type = spec.type;
    this.isBinary = spec.type === 'b';
    this.fixed = spec.kind === 'fixed';
    this.max = spec.length;
    this.prefixKind = prefixKind(spec.prefix);
    this.prefixDigits = spec.kind === 'LLVAR' ? 2 : spec.kind === 'LLLVAR' ? 3 : 0;
    this.prefixBytes = this.fixed ? 0 : prefixBytes(this.prefixKind, this.prefixDigits);
    this.maxBytes = this.prefixBytes + dataBytes(spec, spec.length);
    const bcd = spec.encoding === 'bcd-left' || spec.encoding === 'bcd-right';
    this.data = this.isBinary
      ? spec.encoding === 'hex-ascii'
        ? DATA_HEX_ASCII
        : DATA_BINARY
      : bcd
        ? DATA_BCD
        : DATA_CHARS;
    this.left = spec.encoding === 'bcd-left';
    this.track = spec.type === 'z';
    this.pad = spec.pad === 'F' ? 15 : 0;
    this.allowed = ALLOWED[spec.type];
  }

  /** Validates and writes `value`; throws EncodeError. */
  encode(value: string, w: Writer): void {
    w.ensure(this.maxBytes);
    encodeField(this, value, w);
  }

  /** Reads the field at `r.pos` and advances it; throws DecodeError. */
  decode(r: Reader): string {
    const out = new Writer(2 * this.maxBytes + 8);
    decodeFieldTo(this, r, out);
    return out.buf.toString('latin1', 0, out.pos);
  }
}

/**
 * Bytes a value of `length` characters takes on the wire, prefix included, when it is valid (an
 * invalid value is refused by encodeField before it writes past that).
 */
export function fieldBytes(c: FieldCodec, length: number): number {
  if (c.fixed) return c.maxBytes;
  const units = c.isBinary ? length >> 1 : length;
  switch (c.data) {
    case DATA_BCD:
      return c.prefixBytes + ((units + 1) >> 1);
    case DATA_HEX_ASCII:
      return c.prefixBytes + units * 2;
    default:
      return c.prefixBytes + units;
  }
}

/**
 * Validates and writes one field value (prefix and data); throws EncodeError. The caller makes room
 * (`c.maxBytes`, or exactly `fieldBytes(c, value.length)`).
 */
export function encodeField(c: FieldCodec, value: string, w: Writer): void {
  const field = c.field;
  let units = value.length;
  if (c.isBinary) {
    if (units & 1) throw new EncodeError(field, `hex value has an odd number of digits (${units})`);
    units >>= 1;
  }
  if (c.fixed) {
    if (units !== c.max)
      throw new EncodeError(field, `fixed length ${c.max}${c.isBinary ? ' bytes' : ''}, got ${units}`);
  } else {
    if (units > c.max)
      throw new EncodeError(field, `length ${units}${c.isBinary ? ' bytes' : ''} exceeds maximum ${c.max}`);
    writePrefix(c, w, units);
  }
  switch (c.data) {
    case DATA_CHARS:
      writeChars(w, value, c.type, field, c.allowed);
      break;
    case DATA_BCD:
      writeBcd(w, value, c.left, c.pad, c.track, field);
      break;
    case DATA_BINARY:
      writeHexBinary(w, value, field);
      break;
    default:
      writeHexAscii(w, value, field);
  }
}

/**
 * Reads one field at `r.pos` (prefix and data) and writes its characters at `out.pos`; `out` must have
 * room for twice the bytes left in `r`. Throws DecodeError.
 */
export function decodeFieldTo(c: FieldCodec, r: Reader, out: Writer): void {
  const field = c.field;
  let units = c.max;
  if (!c.fixed) {
    const at = r.pos;
    units = readPrefix(c, r);
    if (units > c.max)
      throw new DecodeError(field, at, `${c.spec.kind} length ${units} exceeds maximum ${c.max}`);
  }
  switch (c.data) {
    case DATA_CHARS:
      charsTo(r, units, c.type, field, out, c.allowed);
      break;
    case DATA_BCD:
      bcdTo(r, units, c.left, c.track, field, out);
      break;
    case DATA_BINARY:
      binaryTo(r, units, field, out);
      break;
    default:
      hexAsciiTo(r, units * 2, field, out);
  }
}

/** Builds the codec of one field. */
export function compileField(spec: FieldSpec): FieldCodec {
  return new FieldCodec(spec);
}
