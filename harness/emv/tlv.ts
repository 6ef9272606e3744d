/**
 * BER-TLV as EMV uses it (EMV 4.3 Book 3 Annex B, after ISO/IEC 8825-1):
 *
 * - Tag: first byte b8-b7 class, b6 constructed, b5-b1 number; b5-b1 = 11111 means more tag bytes
 *   follow, each with b8 = 1 while another byte follows. Tags here are at most 4 bytes.
 * - Length: `00`–`7F` short form; `81 xx`, `82 xx xx`, `83 …`, `84 …` long form; `80` (indefinite)
 *   is not used by EMV and is refused.
 * - Before, between and after objects, `00` and `FF` bytes without meaning may occur (erased or
 *   padded records, ISO/IEC 7816-4 §5.2.2.1): they are skipped at every level.
 *
 * This sits on the ISO 8583 hot path (field 55), so parsing makes no copies: every `value` is a view
 * into the input buffer (copy it if you keep it and reuse the input).
 */
import { TlvError } from './errors.js';

/** One decoded data object. */
export interface Tlv {
  /** Upper-case hex of the tag bytes, e.g. `'9F26'`. */
  readonly tag: string;
  /** The value bytes (a view into the parsed buffer, no copy). For templates: the encoded children. */
  readonly value: Buffer;
  /** Tag bit b6 of the first byte: a template whose value is itself BER-TLV. */
  readonly constructed: boolean;
  /** Parsed children of a constructed object (absent when `recurse` was off). */
  readonly children?: Tlv[];
}

/** What {@link encodeTlv} builds from: a value, or children for a constructed tag. */
export interface TlvInput {
  /** Hex tag, any case, e.g. `'9f26'`. */
  readonly tag: string;
  /** Value bytes; ignored when `children` is given. Missing = empty value. */
  readonly value?: Uint8Array;
  /** Children of a constructed tag (error on a primitive tag). */
  readonly children?: readonly TlvInput[];
}

export interface ParseTlvOptions {
  /** Parse the value of constructed objects into `children` (default true). */
  readonly recurse?: boolean;
  /** Deepest template nesting accepted (default 16); deeper → TlvError 'nesting-too-deep'. */
  readonly maxDepth?: number;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

const DEFAULT_MAX_DEPTH = 16;
const MAX_TAG_BYTES = 4;

/** True for a padding byte allowed between objects. */
function isPadding(b: number): boolean {
  return b === 0x00 || b === 0xff;
}

/**
 * Parses a sequence of BER-TLV objects (with optional padding) into a list.
 * @throws TlvError with the absolute byte offset of the first malformed object.
 */
export function parseTlv(data: Uint8Array, options: ParseTlvOptions = {}): Tlv[] {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const recurse = options.recurse ?? true;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  return parseRange(buf, 0, buf.length, 0, recurse, maxDepth);
}

function parseRange(
  buf: Buffer,
  start: number,
  end: number,
  depth: number,
  recurse: boolean,
  maxDepth: number,
): Tlv[] {
  const out: Tlv[] = [];
  let pos = start;
  while (pos < end) {
    const first = buf[pos] as number;
    if (isPadding(first)) {
      pos++;
      continue;
    }
    const objStart = pos;
    // Tag: the one- and two-byte forms (all of EMV's) inline, longer ones through readTag.
    let tag: string;
    if ((first & 0x1f) !== 0x1f) {
      tag = HEX[first] as string;
      pos++;
    } else if (pos + 1 < end && ((buf[pos + 1] as number) & 0x80) === 0) {
      tag = tag2(first, buf[pos + 1] as number);
      pos += 2;
    } else {
      const t = readTag(buf, pos, end);
      tag = t.tag;
      pos = t.next;
    }
    // Length: short form inline, long forms through readLength.
    if (pos >= end) throw new TlvError('truncated-length', pos, 'input ends before the length', { tag });
    const lenPos = pos;
    let len = buf[pos] as number;
    if (len < 0x80) {
      pos++;
    } else {
      const l = readLength(buf, pos, end, tag);
      len = l.length;
      pos = l.next;
    }
    if (len > end - pos)
      throw new TlvError('length-past-end', lenPos, `length ${len} but only ${end - pos} bytes remain`, {
        tag,
      });
    const valueEnd = pos + len;
    const constructed = (first & 0x20) !== 0;
    const value = buf.subarray(pos, valueEnd);
    if (constructed && recurse) {
      if (depth + 1 > maxDepth)
        throw new TlvError('nesting-too-deep', objStart, `templates nested deeper than ${maxDepth}`, { tag });
      out.push({
        tag,
        value,
        constructed,
        children: parseRange(buf, pos, valueEnd, depth + 1, recurse, maxDepth),
      });
    } else {
      out.push({ tag, value, constructed });
    }
    pos = valueEnd;
  }
  return out;
}

/** Interned two-byte tag names, filled on first use (1,024 possible: first byte xxx11111, second 0xxxxxxx). */
const TAG2: (string | undefined)[] = [];

function tag2(b0: number, b1: number): string {
  const key = ((b0 >> 5) << 7) | b1;
  let s = TAG2[key];
  if (s === undefined) {
    s = (HEX[b0] as string) + (HEX[b1] as string);
    TAG2[key] = s;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------------
// Tag and length helpers (shared with DOL parsing)

/** A tag read from raw bytes: its hex name and the offset just past it. */
export interface TagRead {
  readonly tag: string;
  readonly constructed: boolean;
  readonly next: number;
}

/** Reads one BER tag at `offset` (no padding skipping). @throws TlvError 'truncated-tag' / 'bad-tag'. */
export function readTag(buf: Uint8Array, offset: number, end = buf.length): TagRead {
  if (offset >= end) throw new TlvError('truncated-tag', offset, 'input ends before the tag');
  const first = buf[offset] as number;
  let tag = HEX[first] as string;
  let pos = offset + 1;
  if ((first & 0x1f) === 0x1f) {
    let n = 1;
    for (;;) {
      if (pos >= end)
        throw new TlvError('truncated-tag', offset, 'input ends inside a multi-byte tag', { tag });
      const b = buf[pos++] as number;
      tag += HEX[b] as string;
      n++;
      if ((b & 0x80) === 0) break;
      if (n >= MAX_TAG_BYTES)
        throw new TlvError('bad-tag', offset, `tag longer than ${MAX_TAG_BYTES} bytes`, { tag });
    }
  }
  return { tag, constructed: (first & 0x20) !== 0, next: pos };
}

/** Reads one BER length at `offset`. @throws TlvError 'truncated-length' / 'indefinite-length' / 'length-too-long'. */
export function readLength(
  buf: Uint8Array,
  offset: number,
  end = buf.length,
  tag?: string,
): { length: number; next: number } {
  const o = tag === undefined ? {} : { tag };
  if (offset >= end) throw new TlvError('truncated-length', offset, 'input ends before the length', o);
  const b = buf[offset] as number;
  if (b < 0x80) return { length: b, next: offset + 1 };
  const count = b & 0x7f;
  if (count === 0)
    throw new TlvError('indefinite-length', offset, 'indefinite length (80) is not allowed', o);
  if (count > 4) throw new TlvError('length-too-long', offset, `${count} length bytes (at most 4)`, o);
  if (offset + 1 + count > end)
    throw new TlvError('truncated-length', offset, `input ends inside a ${count + 1}-byte length`, o);
  let len = 0;
  for (let i = 1; i <= count; i++) len = len * 256 + (buf[offset + i] as number);
  return { length: len, next: offset + 1 + count };
}

/** Number of bytes the BER length field for `n` takes (1 to 5). */
export function lengthFieldSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x1000000) return 4;
  return 5;
}

/** Writes the BER length of `n` (shortest form) at `pos`; returns the position after it. */
function writeLength(buf: Buffer, pos: number, n: number): number {
  if (n < 0x80) {
    buf[pos] = n;
    return pos + 1;
  }
  const size = lengthFieldSize(n) - 1;
  buf[pos++] = 0x80 | size;
  for (let i = size - 1; i >= 0; i--) buf[pos++] = Math.floor(n / 2 ** (8 * i)) & 0xff;
  return pos;
}

/** The BER length field for `n` as bytes (`encodeLength(0x100)` → `82 01 00`). */
export function encodeLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new TlvError('length-too-long', 0, `cannot encode length ${n}`);
  const out = Buffer.allocUnsafe(lengthFieldSize(n));
  writeLength(out, 0, n);
  return out;
}

const tagCache = new Map<string, Buffer>();
const TAG_CACHE_LIMIT = 4096;

/**
 * The bytes of a hex tag, checked to be one well-formed BER tag (continuation bits right, not a
 * padding byte, at most 4 bytes). @throws TlvError 'bad-tag'.
 */
export function tagBytes(tag: string): Buffer {
  const cached = tagCache.get(tag);
  if (cached) return cached;
  const bytes = checkTag(tag);
  if (tagCache.size < TAG_CACHE_LIMIT) tagCache.set(tag, bytes);
  return bytes;
}

function checkTag(tag: string): Buffer {
  if (!/^(?:[0-9A-Fa-f]{2}){1,4}$/.test(tag))
    throw new TlvError('bad-tag', 0, `'${tag}' is not 1–4 hex bytes`, { tag });
  const b = Buffer.from(tag, 'hex');
  const first = b[0] as number;
  if (isPadding(first)) throw new TlvError('bad-tag', 0, `'${tag}' starts with a padding byte`, { tag });
  const multi = (first & 0x1f) === 0x1f;
  if (!multi && b.length !== 1)
    throw new TlvError('bad-tag', 0, `'${tag}': first byte does not announce further tag bytes`, { tag });
  for (let i = 1; i < b.length; i++) {
    const more = ((b[i] as number) & 0x80) !== 0;
    if (more !== i < b.length - 1)
      throw new TlvError('bad-tag', 0, `'${tag}': continuation bit wrong in byte ${i + 1}`, { tag });
  }
  if (multi && b.length === 1)
    throw new TlvError('bad-tag', 0, `'${tag}': multi-byte tag is missing its next byte`, { tag });
  return b;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

/**
 * Encodes objects as BER-TLV (shortest length forms, no padding). A node with `children` gets their
 * encoding as its value; its tag must be constructed.
 * @throws TlvError 'bad-tag' for a malformed tag, 'children-on-primitive' for children on a primitive tag.
 */
export function encodeTlv(nodes: readonly TlvInput[]): Buffer {
  const plan: Plan = { sizes: [], tags: [] };
  let total = 0;
  for (const n of nodes) total += measure(n, plan, 0);
  const out = Buffer.allocUnsafe(total);
  const cursor = { pos: 0, i: 0 };
  for (const n of nodes) write(n, out, plan, cursor);
  return out;
}

/** Value length and tag bytes of every node, in pre-order. */
interface Plan {
  readonly sizes: number[];
  readonly tags: Buffer[];
}

/** Pre-order pass: records each node's tag bytes and value length, returns the node's encoded size. */
function measure(node: TlvInput, plan: Plan, depth: number): number {
  const tb = tagBytes(node.tag);
  const idx = plan.sizes.length;
  plan.sizes.push(0);
  plan.tags.push(tb);
  let len: number;
  if (node.children) {
    if (((tb[0] as number) & 0x20) === 0)
      throw new TlvError('children-on-primitive', 0, 'children given for a primitive tag', {
        tag: node.tag.toUpperCase(),
      });
    if (depth >= DEFAULT_MAX_DEPTH)
      throw new TlvError('nesting-too-deep', 0, `templates nested deeper than ${DEFAULT_MAX_DEPTH}`, {
        tag: node.tag,
      });
    len = 0;
    for (const c of node.children) len += measure(c, plan, depth + 1);
  } else {
    len = node.value ? node.value.length : 0;
  }
  plan.sizes[idx] = len;
  return tb.length + lengthFieldSize(len) + len;
}

function write(node: TlvInput, out: Buffer, plan: Plan, cursor: { pos: number; i: number }): void {
  const tb = plan.tags[cursor.i] as Buffer;
  const len = plan.sizes[cursor.i++] as number;
  if (tb.length === 1) out[cursor.pos++] = tb[0] as number;
  else cursor.pos += tb.copy(out, cursor.pos);
  cursor.pos = writeLength(out, cursor.pos, len);
  if (node.children) {
    for (const c of node.children) write(c, out, plan, cursor);
  } else if (node.value && len > 0) {
    out.set(node.value, cursor.pos);
    cursor.pos += len;
  }
}

// ---------------------------------------------------------------------------------------------------
// Searching

/** First object with this tag, depth-first pre-order (a template before its children). */
export function findTag(nodes: readonly Tlv[], tag: string): Tlv | undefined {
  const want = tag.toUpperCase();
  for (const n of nodes) {
    if (n.tag === want) return n;
    if (n.children) {
      const hit = findTag(n.children, want);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** Every object with this tag, depth-first pre-order. */
export function findAllTags(nodes: readonly Tlv[], tag: string): Tlv[] {
  const want = tag.toUpperCase();
  const out: Tlv[] = [];
  const walk = (list: readonly Tlv[]): void => {
    for (const n of list) {
      if (n.tag === want) out.push(n);
      if (n.children) walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

/**
 * Tag → value of every object in the tree (first occurrence wins, depth-first pre-order), e.g. to feed
 * a DOL lookup from a card's records. Templates are included with their raw value.
 */
export function flattenTlv(
  nodes: readonly Tlv[],
  into: Map<string, Buffer> = new Map(),
): Map<string, Buffer> {
  for (const n of nodes) {
    if (!into.has(n.tag)) into.set(n.tag, n.value);
    if (n.children) flattenTlv(n.children, into);
  }
  return into;
}
