/**
 * The TLV container of BMP 06 (PA00P015 chapter 9 "TLV-container"): BER tags (one byte, or more when the
 * low five bits are all 1), BER lengths (< 0x80 in one byte, 81 xx, 82 xx xx), constructed tags (bit 6 of
 * the first tag byte) hold TLV lists.
 */
import { ZvtDecodeError, ZvtEncodeError } from './errors.js';

/** One TLV object: a primitive value, or the children of a constructed tag. */
export interface Tlv {
  tag: number;
  value?: Buffer;
  children?: Tlv[];
}

/** Nesting depth a TLV list may reach before it is refused (bounds recursion on hostile input). */
const MAX_DEPTH = 8;

/** Encodes a BER length. */
export function encodeBerLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n <= 0xff) return Buffer.from([0x81, n]);
  if (n <= 0xffff) return Buffer.from([0x82, n >> 8, n & 0xff]);
  throw new ZvtEncodeError(`TLV length ${n} is over 65535`);
}

/** Reads a BER length at `at`; returns the length and the bytes it took. */
export function decodeBerLength(b: Uint8Array, at: number, what: string): { length: number; size: number } {
  const first = b[at];
  if (first === undefined) throw new ZvtDecodeError('E_ZVT_TLV', what, at, 'length missing');
  if (first < 0x80) return { length: first, size: 1 };
  const n = first & 0x7f;
  if (n < 1 || n > 2)
    throw new ZvtDecodeError('E_ZVT_TLV', what, at, `length form 0x${hex(first)} not supported`);
  if (at + n > b.length - 1) throw new ZvtDecodeError('E_ZVT_TLV', what, at, 'length truncated');
  let length = 0;
  for (let i = 1; i <= n; i++) length = (length << 8) | (b[at + i] as number);
  return { length, size: 1 + n };
}

function tagBytes(tag: number): Buffer {
  const out: number[] = [];
  for (let t = tag; t > 0; t = Math.floor(t / 256)) out.unshift(t & 0xff);
  return Buffer.from(out.length ? out : [0]);
}

function isConstructed(tag: number): boolean {
  return ((tagBytes(tag)[0] as number) & 0x20) !== 0;
}

/** Encodes a TLV list (no outer length). */
export function encodeTlvList(items: readonly Tlv[]): Buffer {
  return Buffer.concat(
    items.map((t) => {
      const value = t.children ? encodeTlvList(t.children) : (t.value ?? Buffer.alloc(0));
      return Buffer.concat([tagBytes(t.tag), encodeBerLength(value.length), value]);
    }),
  );
}

/** Decodes a TLV list filling `b` exactly. */
export function decodeTlvList(b: Uint8Array, what = 'TLV', depth = 0): Tlv[] {
  if (depth > MAX_DEPTH) throw new ZvtDecodeError('E_ZVT_TLV', what, 0, `nested deeper than ${MAX_DEPTH}`);
  const out: Tlv[] = [];
  let at = 0;
  while (at < b.length) {
    let tag = b[at] as number;
    let i = at + 1;
    if ((tag & 0x1f) === 0x1f) {
      // Subsequent tag bytes while bit 8 is set (at most 3 tag bytes).
      let more = true;
      while (more) {
        const next = b[i];
        if (next === undefined) throw new ZvtDecodeError('E_ZVT_TLV', what, at, 'tag truncated');
        tag = tag * 256 + next;
        i++;
        more = (next & 0x80) !== 0;
        if (i - at > 3) throw new ZvtDecodeError('E_ZVT_TLV', what, at, 'tag longer than 3 bytes');
      }
    }
    const tagName = `${what} tag ${tag.toString(16).toUpperCase()}`;
    const { length, size } = decodeBerLength(b, i, tagName);
    const start = i + size;
    if (start + length > b.length)
      throw new ZvtDecodeError(
        'E_ZVT_TLV',
        tagName,
        at,
        `value of ${length} bytes truncated to ${b.length - start}`,
      );
    const value = Buffer.from(b.subarray(start, start + length));
    out.push(
      isConstructed(tag) ? { tag, children: decodeTlvList(value, tagName, depth + 1) } : { tag, value },
    );
    at = start + length;
  }
  return out;
}

/** The first object with `tag`, searched depth-first. */
export function findTlv(items: readonly Tlv[] | undefined, tag: number): Tlv | undefined {
  for (const t of items ?? []) {
    if (t.tag === tag) return t;
    const inner = findTlv(t.children, tag);
    if (inner) return inner;
  }
  return undefined;
}

/** The text lines (tag 07) directly inside a constructed object. */
export function textLines(t: Tlv | undefined): string[] {
  return (t?.children ?? [])
    .filter((c) => c.tag === 0x07)
    .map((c) => (c.value ?? Buffer.alloc(0)).toString('latin1'));
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
