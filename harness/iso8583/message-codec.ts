/**
 * Message bodies (MTI, bitmap(s), fields) and whole frames (length prefix, TPDU, header, body).
 *
 * Encoding makes two passes: the first looks up every field once and adds up the bytes the message
 * takes, the second writes it straight into a buffer of exactly that size (no scratch buffer, no copy).
 * Decoding walks the bitmap with `Math.clz32`, writes every field's characters into a scratch buffer,
 * makes one string of them and hands each field on as a substring (one native call per message
 * instead of one per field). Both keep their state in module-level buffers: the codec is synchronous,
 * so this is safe. Every failure is an EncodeError or a DecodeError; anything unexpected from below
 * (a RangeError from a Buffer call, say) is wrapped into one before it leaves.
 */
import { PayhilError } from '../common/payhil-error.js';
import { DecodeError, EncodeError } from './errors.js';
import { Writer, need, type Reader } from './codec-cursor.js';
import { HEX_PAIRS, hexNibble } from './char-classes.js';
import { writeBcd, writeChars, writeHexBinary } from './field-encoding.js';
import { hexTo, mtiTo } from './field-decoding.js';
import { decodeFieldTo, encodeField, fieldBytes } from './field-codec.js';
import type { Dialect } from './dialect-types.js';
import { EMPTY_FIELDS_128, EMPTY_FIELDS_64 } from './empty-fields.js';

/** A message: MTI and field values (n/an/ans/z as strings, b as upper-case hex), keyed by field number. */
export interface IsoMessage {
  mti: string;
  fields: Record<number, string>;
}

/** A decoded frame: the message plus its TPDU and header (upper-case hex) when the dialect has them. */
export interface DecodedFrame extends IsoMessage {
  tpdu?: string;
  header?: string;
}

export interface EncodeFrameOptions {
  /** TPDU hex; default the message's own (a DecodedFrame), then the dialect's default. */
  tpdu?: string;
  /** Header hex; default the message's own, then the dialect's default. */
  header?: string;
}

export interface DecodeFrameOptions {
  /** Frames longer than this (all bytes, prefix included) are refused. Default 64 KiB. */
  maxFrameBytes?: number;
}

/** Default largest frame accepted: 64 KiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

/** Bitmap words of the message being encoded: bits 1–32, 33–64, 65–96, 97–128. */
const words = new Uint32Array(4);
/** Numbers of the fields of the message being encoded, in wire order (set by collectFields). */
const encFields = new Int32Array(128);
let encCount = 0;
/** Bytes those fields take on the wire (when they are valid). */
let encBytes = 0;
/** Where the message being encoded is written: its own, exactly sized, output buffer. */
const out = new Writer(0);
const NO_BYTES = Buffer.alloc(0);

// ---------------------------------------------------------------------------------------------------
// Encoding
//
// Two passes. collectFields looks up each field number once, checks that the field exists and has a
// string value, and adds up the bytes the fields take; the output buffer is then allocated at its
// exact size and everything is written straight into it (no scratch buffer, no copy). Errors still
// come in the order of the bytes: TPDU, header, MTI, then the field problems collectFields found, then
// each field's value.

function writeMti(d: Dialect, mti: unknown, w: Writer): void {
  if (typeof mti !== 'string' || mti.length !== 4)
    throw new EncodeError(0, `MTI must be 4 digits, got ${JSON.stringify(mti)}`);
  if (d.mti === 'ascii') writeChars(w, mti, 'n', 0);
  else writeBcd(w, mti, true, 0, false, 0);
}

/**
 * Collects the numbers of the fields present (keys 1–128; other keys are not field numbers and are
 * ignored) into `encFields`, sets `words`, `encCount` and `encBytes`. Returns the error to throw once the MTI is
 * written (undefined when all is well): a field the dialect does not define, a value that is not a
 * string, a secondary bitmap the dialect does not allow.
 */
function collectFields(d: Dialect, fields: Record<number, string>): EncodeError | undefined {
  words[0] = words[1] = words[2] = words[3] = 0;
  encCount = 0;
  encBytes = 0;
  if (fields === null || typeof fields !== 'object')
    return new EncodeError(undefined, 'fields must be an object');
  const codecs = d.codecs;
  let count = 0;
  let bytes = 0;
  for (let f = 1; f <= 128; f++) {
    // `in` first: on V8 it answers for a missing element faster than reading it (most are missing).
    if (!(f in fields)) continue;
    const value = fields[f];
    if (value === undefined) continue;
    const c = codecs[f];
    if (c === undefined) {
      if (f === 1 || f === 65)
        return new EncodeError(f, 'bitmap bits are set by the encoder; leave this field out');
      return new EncodeError(f, `field ${f} is not defined in dialect ${d.name}`);
    }
    if (typeof value !== 'string') return new EncodeError(f, `value must be a string, got ${typeof value}`);
    const i = f - 1;
    words[i >> 5]! |= 0x80000000 >>> (i & 31);
    encFields[count++] = f;
    bytes += fieldBytes(c, value.length);
  }
  encCount = count;
  encBytes = bytes;
  if ((words[2]! | words[3]!) !== 0) {
    if (!d.bitmap.secondary) return new EncodeError(1, `dialect ${d.name} has no secondary bitmap`);
    words[0]! |= 0x80000000;
  }
  return undefined;
}

/** Bytes of the MTI and bitmap(s) of the collected message. */
function headBytes(d: Dialect): number {
  const bitmaps = (words[0]! & 0x80000000) !== 0 ? 4 : 2;
  return (d.mti === 'ascii' ? 4 : 2) + (d.bitmap.encoding === 'binary' ? 4 : 8) * bitmaps;
}

function writeBitmap(d: Dialect, w: Writer, count: number): void {
  const buf = w.buf;
  let pos = w.pos;
  if (d.bitmap.encoding === 'binary') {
    for (let i = 0; i < count; i++) {
      const x = words[i]!;
      buf[pos++] = x >>> 24;
      buf[pos++] = x >>> 16;
      buf[pos++] = x >>> 8;
      buf[pos++] = x;
    }
  } else {
    for (let i = 0; i < count; i++) {
      const x = words[i]!;
      for (let shift = 24; shift >= 0; shift -= 8) {
        const pair = HEX_PAIRS[(x >>> shift) & 0xff]!;
        buf[pos++] = pair.charCodeAt(0);
        buf[pos++] = pair.charCodeAt(1);
      }
    }
  }
  w.pos = pos;
}

/**
 * Writes MTI, bitmap(s) and the collected fields at `w.pos`, throwing `problem` (from collectFields)
 * after the MTI.
 */
function writeBody(d: Dialect, msg: IsoMessage, w: Writer, problem: EncodeError | undefined): void {
  if (msg === null || typeof msg !== 'object') throw new EncodeError(undefined, 'message must be an object');
  writeMti(d, msg.mti, w);
  if (problem !== undefined) throw problem;
  writeBitmap(d, w, (words[0]! & 0x80000000) !== 0 ? 4 : 2);
  const fields = msg.fields;
  const codecs = d.codecs;
  const n = encCount;
  for (let k = 0; k < n; k++) {
    const f = encFields[k]!;
    encodeField(codecs[f]!, fields[f]!, w);
  }
}

/** Collects the message's fields (see collectFields); undefined fields when `msg` is not an object. */
function collect(d: Dialect, msg: IsoMessage): EncodeError | undefined {
  if (msg === null || typeof msg !== 'object') {
    words[0] = words[1] = words[2] = words[3] = 0;
    encCount = encBytes = 0;
    return undefined;
  }
  return collectFields(d, msg.fields);
}

/** Hands `out`'s buffer over, checking that it was filled exactly. */
function takeOut(): Buffer {
  const buf = out.buf;
  out.buf = NO_BYTES;
  if (out.pos !== buf.length)
    throw new EncodeError(undefined, `unexpected: wrote ${out.pos} of ${buf.length} bytes`);
  return buf;
}

/** After a failure: lets go of the output buffer. */
function dropOut(): void {
  out.buf = NO_BYTES;
}

/** Encodes MTI + bitmap + fields (no length prefix, TPDU or header). */
export function encodeMessage(d: Dialect, msg: IsoMessage): Buffer {
  try {
    const problem = collect(d, msg);
    out.buf = Buffer.allocUnsafe(headBytes(d) + encBytes);
    out.pos = 0;
    writeBody(d, msg, out, problem);
    return takeOut();
  } catch (e) {
    dropOut();
    throw encodeFailure(e);
  }
}

/**
 * The TPDU and header last written (slot 0 and 1), as hex and as bytes: a host's answers repeat them,
 * so they are mostly copied rather than parsed again.
 */
const partHex: (string | undefined)[] = [undefined, undefined];
const partBytes = [new Uint8Array(16), new Uint8Array(16)];

function hexPart(d: Dialect, w: Writer, slot: 0 | 1, value: string | undefined, bytes: number): void {
  const what = slot === 0 ? 'tpdu' : 'header';
  if (bytes === 0) {
    if (value !== undefined) throw new EncodeError(undefined, `dialect ${d.name} has no ${what}`);
    return;
  }
  if (value === undefined)
    throw new EncodeError(undefined, `dialect ${d.name} needs a ${bytes}-byte ${what} and has no default`);
  if (typeof value !== 'string' || value.length !== bytes * 2)
    throw new EncodeError(undefined, `${what} must be ${bytes * 2} hex digits, got ${JSON.stringify(value)}`);
  const buf = w.buf;
  const pos = w.pos;
  const cached = partBytes[slot]!;
  if (value === partHex[slot]) {
    for (let i = 0; i < bytes; i++) buf[pos + i] = cached[i]!;
    w.pos = pos + bytes;
    return;
  }
  writeHexBinary(w, value, 0);
  if (bytes <= cached.length) {
    for (let i = 0; i < bytes; i++) cached[i] = buf[pos + i]!;
    partHex[slot] = value;
  }
}

/**
 * Encodes a whole frame: length prefix + TPDU + header + MTI + bitmap + fields.
 * @throws EncodeError naming the field and the reason.
 */
export function encodeFrame(d: Dialect, msg: IsoMessage, options: EncodeFrameOptions = {}): Buffer {
  const fr = d.framing;
  const w = out;
  try {
    const problem = collect(d, msg);
    w.buf = Buffer.allocUnsafe(fr.lengthBytes + fr.tpduBytes + fr.headerBytes + headBytes(d) + encBytes);
    w.pos = fr.lengthBytes;
    const own = msg as DecodedFrame;
    // A message's own TPDU/header only count where this dialect has them (it may come from another).
    hexPart(
      d,
      w,
      0,
      options.tpdu ?? (fr.tpduBytes > 0 ? (own.tpdu ?? fr.tpduDefault) : undefined),
      fr.tpduBytes,
    );
    hexPart(
      d,
      w,
      1,
      options.header ?? (fr.headerBytes > 0 ? (own.header ?? fr.headerDefault) : undefined),
      fr.headerBytes,
    );
    writeBody(d, msg, w, problem);
    const n = w.pos - (fr.includesSelf ? 0 : fr.lengthBytes);
    switch (fr.length) {
      case 'u16be':
      case 'u16le':
        if (n > 0xffff) throw new EncodeError(undefined, `frame of ${n} bytes does not fit a 2-byte length`);
        if (fr.length === 'u16be') {
          w.buf[0] = n >>> 8;
          w.buf[1] = n;
        } else {
          w.buf[0] = n;
          w.buf[1] = n >>> 8;
        }
        break;
      case 'ascii4':
        if (n > 9999) throw new EncodeError(undefined, `frame of ${n} bytes does not fit a 4-digit length`);
        w.buf.write(String(n).padStart(4, '0'), 0, 'latin1');
        break;
      case 'none':
        break;
    }
    return takeOut();
  } catch (e) {
    dropOut();
    throw encodeFailure(e);
  }
}

/** What leaves the encoder: our own errors as they are, anything else wrapped into an EncodeError. */
function encodeFailure(e: unknown): Error {
  if (e instanceof PayhilError) return e;
  return new EncodeError(undefined, `unexpected: ${(e as Error).message}`);
}

// ---------------------------------------------------------------------------------------------------
// Decoding

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function readWord(d: Dialect, r: Reader): number {
  if (d.bitmap.encoding === 'binary') {
    need(r, 4, 1);
    const x = r.buf.readUInt32BE(r.pos);
    r.pos += 4;
    return x;
  }
  need(r, 8, 1);
  let x = 0;
  for (let i = r.pos; i < r.pos + 8; i++) {
    const v = hexNibble(r.buf[i]!);
    if (v < 0) throw new DecodeError(1, i, `bitmap byte 0x${HEX_PAIRS[r.buf[i]!]} is not an ASCII hex digit`);
    x = (x << 4) | v;
  }
  r.pos += 8;
  return x >>> 0;
}

/**
 * Characters of the message being decoded: every field's characters land here one byte a character,
 * then become one string that the fields are substrings of (see field-decoding.ts).
 */
const chars = new Writer(16 * 1024);
/** Field numbers of the message being decoded, in order, and where each one's characters end. */
const fieldNumbers = new Int32Array(129);
const fieldEnds = new Int32Array(129);

/** Makes room in `chars` for the characters of `bytes` bytes (at most two a byte) and rewinds it. */
function resetChars(bytes: number): void {
  chars.pos = 0;
  chars.ensure(2 * bytes + 16);
}

/**
 * Reads MTI, bitmap(s) and fields from `r.pos` to exactly `r.end`, writing their characters to `chars`
 * (from `chars.pos`) and each field's number and end to `fieldNumbers`/`fieldEnds`; returns the field
 * count. The caller turns the characters into strings (`toFields`).
 */
function readBody(d: Dialect, r: Reader): number {
  mtiTo(r, d.mti === 'ascii', chars);
  const bitmapAt = r.pos;
  const w0 = readWord(d, r);
  const w1 = readWord(d, r);
  let w2 = 0;
  let w3 = 0;
  if (w0 & 0x80000000) {
    if (!d.bitmap.secondary)
      throw new DecodeError(
        1,
        bitmapAt,
        `bit 1 announces a secondary bitmap, which dialect ${d.name} does not allow`,
      );
    const at = r.pos;
    w2 = readWord(d, r);
    w3 = readWord(d, r);
    if (w2 & 0x80000000)
      throw new DecodeError(1, at, 'bit 65 announces a third bitmap, which is not supported');
  }
  const codecs = d.codecs;
  let count = 0;
  const last = w2 === 0 && w3 === 0 ? 2 : 4;
  for (let i = 0; i < last; i++) {
    let x = i === 0 ? w0 & 0x7fffffff : i === 1 ? w1 : i === 2 ? w2 : w3;
    const base = i * 32 + 1;
    while (x !== 0) {
      const z = Math.clz32(x);
      x ^= 0x80000000 >>> z;
      const f = base + z;
      const codec = codecs[f];
      if (codec === undefined)
        throw new DecodeError(
          f,
          bitmapAt,
          `the bitmap names field ${f}, which dialect ${d.name} does not define`,
        );
      if (r.pos >= r.end)
        throw new DecodeError(f, r.pos, `the bitmap names field ${f} but the message ends before it`);
      decodeFieldTo(codec, r, chars);
      fieldNumbers[count] = f;
      fieldEnds[count++] = chars.pos;
    }
  }
  if (r.pos !== r.end)
    throw new DecodeError(undefined, r.pos, `${r.end - r.pos} byte(s) after the last field`);
  return count;
}

/**
 * The fields read by readBody: `text` is all of `chars` as a string, with the fields one after the
 * other from `start` (after the MTI).
 */
function toFields(text: string, start: number, count: number): Record<number, string> {
  const fields: Record<number, string> =
    count > 0 && fieldNumbers[count - 1]! > 64 ? { ...EMPTY_FIELDS_128 } : { ...EMPTY_FIELDS_64 };
  for (let i = 0; i < count; i++) {
    const end = fieldEnds[i]!;
    fields[fieldNumbers[i]!] = text.slice(start, end);
    start = end;
  }
  return fields;
}

function decodeFailure(r: Reader, e: unknown): Error {
  if (e instanceof PayhilError) return e;
  return new DecodeError(undefined, r.pos, `unexpected: ${(e as Error).message}`, { cause: e });
}

/**
 * The input of the message being decoded (the codec is synchronous, so one reader serves every call;
 * it lets go of the caller's buffer when the call ends).
 */
const reader: Reader = { buf: NO_BYTES, pos: 0, end: 0 };

/** Decodes MTI + bitmap + fields filling all of `body`. @throws DecodeError */
export function decodeMessage(d: Dialect, body: Uint8Array): IsoMessage {
  const buf = asBuffer(body);
  const r = reader;
  r.buf = buf;
  r.pos = 0;
  r.end = buf.length;
  try {
    resetChars(buf.length);
    const count = readBody(d, r);
    const text = chars.buf.toString('latin1', 0, chars.pos);
    return { mti: text.slice(0, 4), fields: toFields(text, 4, count) };
  } catch (e) {
    throw decodeFailure(r, e);
  } finally {
    r.buf = NO_BYTES;
  }
}

/**
 * Length of the frame starting at `offset`, from its prefix, counting the prefix too; undefined when
 * fewer bytes than the prefix are available. @throws DecodeError for an unreadable or too short prefix.
 */
export function frameLengthAt(
  d: Dialect,
  buf: Buffer,
  offset: number,
  available: number,
): number | undefined {
  const fr = d.framing;
  if (available < fr.lengthBytes) return undefined;
  let n: number;
  switch (fr.length) {
    case 'u16be':
      n = buf.readUInt16BE(offset);
      break;
    case 'u16le':
      n = buf.readUInt16LE(offset);
      break;
    case 'ascii4': {
      n = 0;
      for (let i = offset; i < offset + 4; i++) {
        const c = buf[i]!;
        if (c < 48 || c > 57)
          throw new DecodeError(
            undefined,
            i - offset,
            `length prefix byte 0x${HEX_PAIRS[c]} is not an ASCII digit`,
          );
        n = n * 10 + c - 48;
      }
      break;
    }
    case 'none':
      return available;
  }
  if (fr.includesSelf) {
    if (n < fr.lengthBytes)
      throw new DecodeError(undefined, 0, `length prefix ${n} is smaller than the prefix itself`);
    return n;
  }
  return n + fr.lengthBytes;
}

/**
 * Decodes one whole frame (as handed on by FrameParser, or read from a file).
 * @throws DecodeError for anything wrong, with the field, byte offset and reason.
 */
export function decodeFrame(d: Dialect, frame: Uint8Array, options: DecodeFrameOptions = {}): DecodedFrame {
  const buf = asBuffer(frame);
  const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const r = reader;
  r.buf = buf;
  r.pos = 0;
  r.end = buf.length;
  try {
    if (buf.length > max)
      throw new DecodeError(undefined, 0, `frame of ${buf.length} bytes exceeds the maximum of ${max}`);
    const fr = d.framing;
    const total = frameLengthAt(d, buf, 0, buf.length);
    if (total === undefined)
      throw new DecodeError(
        undefined,
        0,
        `truncated: ${buf.length} byte(s), the length prefix alone takes ${fr.lengthBytes}`,
      );
    if (total > buf.length)
      throw new DecodeError(
        undefined,
        0,
        `truncated: the length prefix announces ${total} bytes, the frame has ${buf.length}`,
      );
    if (total < buf.length)
      throw new DecodeError(
        undefined,
        total,
        `${buf.length - total} byte(s) after the frame the length prefix announces`,
      );
    r.pos = fr.lengthBytes;
    resetChars(buf.length);
    // TPDU and header hex first in `chars`, then the body.
    if (fr.tpduBytes > 0) {
      need(r, fr.tpduBytes, undefined);
      hexTo(r, fr.tpduBytes, chars);
    }
    if (fr.headerBytes > 0) {
      need(r, fr.headerBytes, undefined);
      hexTo(r, fr.headerBytes, chars);
    }
    const mtiAt = chars.pos;
    const count = readBody(d, r);
    const text = chars.buf.toString('latin1', 0, chars.pos);
    const mti = text.slice(mtiAt, mtiAt + 4);
    const fields = toFields(text, mtiAt + 4, count);
    // Built whole, properties in the same order whatever the framing (no properties added later).
    const tpduEnd = 2 * fr.tpduBytes;
    if (fr.tpduBytes > 0) {
      const tpdu = text.slice(0, tpduEnd);
      return fr.headerBytes > 0
        ? { mti, fields, tpdu, header: text.slice(tpduEnd, mtiAt) }
        : { mti, fields, tpdu };
    }
    return fr.headerBytes > 0 ? { mti, fields, header: text.slice(0, mtiAt) } : { mti, fields };
  } catch (e) {
    throw decodeFailure(r, e);
  } finally {
    r.buf = NO_BYTES;
  }
}

/**
 * The TPDU of an answer: CUP TPDUs are `id(1) destination(2) source(2)`, and a response swaps the
 * two addresses (`6000030000` → `6000000003`).
 */
export function responseTpdu(tpdu: string): string {
  if (!/^[0-9A-Fa-f]{10}$/.test(tpdu))
    throw new EncodeError(undefined, `TPDU must be 10 hex digits, got ${JSON.stringify(tpdu)}`);
  return (tpdu.slice(0, 2) + tpdu.slice(6, 10) + tpdu.slice(2, 6)).toUpperCase();
}
