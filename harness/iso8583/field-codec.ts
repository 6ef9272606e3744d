/**
 * Field codecs, compiled once per dialect field into plain data (`FieldCodec`) that one encoder and one
 * decoder function read, so every field of every dialect runs through the same code. No regular
 * expressions or intermediate buffers on the hot path: characters are checked and written in one loop,
 * BCD and hex go through lookup tables, and decoding writes characters into a shared scratch buffer
 * that the message decoder turns into one string.
 */
import { DecodeError, EncodeError } from './errors.js';
import type { FieldSpec, FieldType } from './dialect-types.js';
import { Writer, type Reader } from './codec-cursor.js';
import { ALLOWED } from './char-classes.js';
import { writeBcd, writeChars, writeHexAscii, writeHexBinary } from './field-encoding.js';
import { binaryTo, bcdTo, charsTo, hexAsciiTo } from './field-decoding.js';
import { prefixBytes, prefixKind, readPrefix, writePrefix } from './length-prefix.js';

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
