/**
 * Message bodies (MTI, bitmap(s), fields) and whole frames (length prefix, TPDU, header, body).
 *
 * Encoding writes into one shared scratch buffer (the codec is synchronous, so this is safe) and
 * copies the result out once. Decoding walks the bitmap with `Math.clz32`, writes every field's
 * characters into a second scratch buffer, makes one string of them and hands each field on as a
 * substring (one native call per message instead of one per field). Every failure is an EncodeError or a DecodeError; anything unexpected from
 * below (a RangeError from a Buffer call, say) is wrapped into a DecodeError before it leaves.
 */
import { PayhilError } from '../common/payhil-error.js';
import { DecodeError, EncodeError } from './errors.js';
import {
  HEX_PAIRS,
  Writer,
  decodeFieldTo,
  encodeField,
  hexNibble,
  hexTo,
  mtiTo,
  need,
  writeBcd,
  writeChars,
  writeHexBinary,
  type Reader,
} from './field-codec.js';
import type { Dialect } from './dialect-types.js';

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

const scratch = new Writer(16 * 1024);
/** Bitmap words of the message being encoded: bits 1–32, 33–64, 65–96, 97–128. */
const words = new Uint32Array(4);

// ---------------------------------------------------------------------------------------------------
// Encoding

function writeMti(d: Dialect, mti: unknown, w: Writer): void {
  if (typeof mti !== 'string' || mti.length !== 4)
    throw new EncodeError(0, `MTI must be 4 digits, got ${JSON.stringify(mti)}`);
  w.ensure(4);
  if (d.mti === 'ascii') writeChars(w, mti, 'n', 0);
  else writeBcd(w, mti, true, 0, false, 0);
}

/**
 * Sets `words` from the fields present (keys 1–128; other keys are not field numbers and are ignored);
 * returns whether the secondary bitmap is needed.
 */
function collectBitmap(d: Dialect, fields: Record<number, string>): boolean {
  words[0] = words[1] = words[2] = words[3] = 0;
  if (fields === null || typeof fields !== 'object')
    throw new EncodeError(undefined, 'fields must be an object');
  const codecs = d.codecs;
  for (let f = 1; f <= 128; f++) {
    const value = fields[f];
    if (value === undefined) continue;
    if (codecs[f] === undefined) {
      if (f === 1 || f === 65)
        throw new EncodeError(f, 'bitmap bits are set by the encoder; leave this field out');
      throw new EncodeError(f, `field ${f} is not defined in dialect ${d.name}`);
    }
    if (typeof value !== 'string') throw new EncodeError(f, `value must be a string, got ${typeof value}`);
    const i = f - 1;
    words[i >> 5]! |= 0x80000000 >>> (i & 31);
  }
  const secondary = (words[2]! | words[3]!) !== 0;
  if (secondary) {
    if (!d.bitmap.secondary) throw new EncodeError(1, `dialect ${d.name} has no secondary bitmap`);
    words[0]! |= 0x80000000;
  }
  return secondary;
}

function writeBitmap(d: Dialect, w: Writer, count: number): void {
  const buf = w.buf;
  if (d.bitmap.encoding === 'binary') {
    w.ensure(count * 4);
    for (let i = 0; i < count; i++) {
      buf.writeUInt32BE(words[i]!, w.pos);
      w.pos += 4;
    }
  } else {
    w.ensure(count * 8);
    let pos = w.pos;
    for (let i = 0; i < count; i++) {
      const x = words[i]!;
      for (let shift = 24; shift >= 0; shift -= 8) {
        const pair = HEX_PAIRS[(x >>> shift) & 0xff]!;
        buf[pos++] = pair.charCodeAt(0);
        buf[pos++] = pair.charCodeAt(1);
      }
    }
    w.pos = pos;
  }
}

/** Writes MTI, bitmap(s) and fields at `w.pos`. */
function writeBody(d: Dialect, msg: IsoMessage, w: Writer): void {
  if (msg === null || typeof msg !== 'object') throw new EncodeError(undefined, 'message must be an object');
  writeMti(d, msg.mti, w);
  const fields = msg.fields;
  const secondary = collectBitmap(d, fields);
  const count = secondary ? 4 : 2;
  writeBitmap(d, w, count);
  for (let i = 0; i < count; i++) {
    let x = words[i]!;
    if (i === 0) x &= 0x7fffffff; // bit 1 is the bitmap itself
    const base = i * 32 + 1;
    while (x !== 0) {
      const z = Math.clz32(x);
      x ^= 0x80000000 >>> z;
      const f = base + z;
      encodeField(d.codecs[f]!, fields[f]!, w);
    }
  }
}

/** Encodes MTI + bitmap + fields (no length prefix, TPDU or header). */
export function encodeMessage(d: Dialect, msg: IsoMessage): Buffer {
  scratch.pos = 0;
  try {
    writeBody(d, msg, scratch);
  } catch (e) {
    throw encodeFailure(e);
  }
  return scratch.take(0);
}

function hexPart(d: Dialect, what: 'tpdu' | 'header', value: string | undefined, bytes: number): void {
  if (bytes === 0) {
    if (value !== undefined) throw new EncodeError(undefined, `dialect ${d.name} has no ${what}`);
    return;
  }
  if (value === undefined)
    throw new EncodeError(undefined, `dialect ${d.name} needs a ${bytes}-byte ${what} and has no default`);
  if (typeof value !== 'string' || value.length !== bytes * 2)
    throw new EncodeError(undefined, `${what} must be ${bytes * 2} hex digits, got ${JSON.stringify(value)}`);
  scratch.ensure(bytes);
  writeHexBinary(scratch, value, 0);
}

/**
 * Encodes a whole frame: length prefix + TPDU + header + MTI + bitmap + fields.
 * @throws EncodeError naming the field and the reason.
 */
export function encodeFrame(d: Dialect, msg: IsoMessage, options: EncodeFrameOptions = {}): Buffer {
  const fr = d.framing;
  const w = scratch;
  w.pos = 0;
  try {
    w.ensure(fr.lengthBytes);
    w.pos = fr.lengthBytes;
    const own = msg as DecodedFrame;
    // A message's own TPDU/header only count where this dialect has them (it may come from another).
    hexPart(
      d,
      'tpdu',
      options.tpdu ?? (fr.tpduBytes > 0 ? (own.tpdu ?? fr.tpduDefault) : undefined),
      fr.tpduBytes,
    );
    hexPart(
      d,
      'header',
      options.header ?? (fr.headerBytes > 0 ? (own.header ?? fr.headerDefault) : undefined),
      fr.headerBytes,
    );
    writeBody(d, msg, w);
    const n = w.pos - (fr.includesSelf ? 0 : fr.lengthBytes);
    switch (fr.length) {
      case 'u16be':
      case 'u16le':
        if (n > 0xffff) throw new EncodeError(undefined, `frame of ${n} bytes does not fit a 2-byte length`);
        if (fr.length === 'u16be') w.buf.writeUInt16BE(n, 0);
        else w.buf.writeUInt16LE(n, 0);
        break;
      case 'ascii4':
        if (n > 9999) throw new EncodeError(undefined, `frame of ${n} bytes does not fit a 4-digit length`);
        w.buf.write(String(n).padStart(4, '0'), 0, 'latin1');
        break;
      case 'none':
        break;
    }
  } catch (e) {
    throw encodeFailure(e);
  }
  return w.take(0);
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
 * then become one string that the fields are substrings of (see field-codec.ts).
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
 * count. The caller turns the characters into strings (`collectFields`).
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
 * The message read by readBody: `text` is all of `chars` as a string, the MTI at `mtiAt`, then `count`
 * fields one after the other.
 */
function collectFields(text: string, mtiAt: number, count: number): IsoMessage {
  const fields: Record<number, string> = {};
  let start = mtiAt + 4;
  // The highest field first: its index sizes the object's element store once, not in several steps.
  if (count > 1) fields[fieldNumbers[count - 1]!] = text.slice(fieldEnds[count - 2]!, fieldEnds[count - 1]!);
  for (let i = 0; i < count; i++) {
    const end = fieldEnds[i]!;
    fields[fieldNumbers[i]!] = text.slice(start, end);
    start = end;
  }
  return { mti: text.slice(mtiAt, mtiAt + 4), fields };
}

function decodeFailure(r: Reader, e: unknown): Error {
  if (e instanceof PayhilError) return e;
  return new DecodeError(undefined, r.pos, `unexpected: ${(e as Error).message}`, { cause: e });
}

/** Decodes MTI + bitmap + fields filling all of `body`. @throws DecodeError */
export function decodeMessage(d: Dialect, body: Uint8Array): IsoMessage {
  const buf = asBuffer(body);
  const r: Reader = { buf, pos: 0, end: buf.length };
  try {
    resetChars(buf.length);
    const count = readBody(d, r);
    return collectFields(chars.buf.toString('latin1', 0, chars.pos), 0, count);
  } catch (e) {
    throw decodeFailure(r, e);
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
  const r: Reader = { buf, pos: 0, end: buf.length };
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
    const msg = collectFields(text, mtiAt, count) as DecodedFrame;
    if (fr.tpduBytes > 0) msg.tpdu = text.slice(0, 2 * fr.tpduBytes);
    if (fr.headerBytes > 0) msg.header = text.slice(2 * fr.tpduBytes, mtiAt);
    return msg;
  } catch (e) {
    throw decodeFailure(r, e);
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
