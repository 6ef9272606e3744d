/**
 * Data Object Lists (PDOL 9F38, CDOL1 8C, CDOL2 8D, DDOL 9F49, TDOL 97): a concatenation of tag and
 * length pairs naming the data the card wants from the terminal, in order (EMV 4.3 Book 3 §5.4).
 */
import { TlvError } from './errors.js';
import { tagInfo, type DataFormat } from './tag-dictionary.js';
import { encodeLength, readLength, readTag, tagBytes } from './tlv.js';

export interface DolEntry {
  /** Upper-case hex tag. */
  readonly tag: string;
  /** Length in bytes the card asks for. */
  readonly length: number;
  /** The tag's constructed bit: such entries are always filled with zeros. */
  readonly constructed: boolean;
}

export interface BuildDolOptions {
  /** Format of a tag when the dictionary does not know it or the caller knows better (default: dictionary, else 'b'). */
  readonly formatOf?: (tag: string) => DataFormat | undefined;
}

/**
 * Parses a DOL into its entries. @throws TlvError (with offset) for a truncated tag or length.
 */
export function parseDol(dol: Uint8Array): DolEntry[] {
  const out: DolEntry[] = [];
  let pos = 0;
  while (pos < dol.length) {
    const t = readTag(dol, pos);
    const l = readLength(dol, t.next, dol.length, t.tag);
    out.push({ tag: t.tag, length: l.length, constructed: t.constructed });
    pos = l.next;
  }
  return out;
}

/** Total length of the data a DOL asks for. */
export function dolDataLength(dol: Uint8Array | readonly DolEntry[]): number {
  const entries = dol instanceof Uint8Array ? parseDol(dol) : dol;
  let n = 0;
  for (const e of entries) n += e.length;
  return n;
}

/**
 * Fits one value into `length` bytes the EMV way (Book 3 §5.4):
 * longer → numeric (`n`) keeps the rightmost bytes, any other format the leftmost;
 * shorter → `n` gets leading 00s, `cn` trailing FFs, any other format trailing 00s.
 */
export function fitDolValue(value: Uint8Array, length: number, format: DataFormat): Buffer {
  const out = Buffer.alloc(length);
  if (value.length === length) {
    out.set(value);
  } else if (value.length > length) {
    if (format === 'n') out.set(value.subarray(value.length - length));
    else out.set(value.subarray(0, length));
  } else if (format === 'n') {
    out.set(value, length - value.length);
  } else {
    out.set(value);
    if (format === 'cn') out.fill(0xff, value.length);
  }
  return out;
}

/**
 * Builds the data a DOL asks for, in DOL order. `lookup(tag)` gives the terminal's (or card's) value
 * for a tag, or undefined when it has none.
 *
 * - a constructed tag, or a tag `lookup` has no value for → that many `00` bytes;
 * - a value of another length is truncated or padded by {@link fitDolValue}, with the format from
 *   `options.formatOf`, else the tag dictionary, else `b`.
 */
export function buildDolData(
  dol: Uint8Array | readonly DolEntry[],
  lookup: (tag: string) => Uint8Array | undefined,
  options: BuildDolOptions = {},
): Buffer {
  const entries = dol instanceof Uint8Array ? parseDol(dol) : dol;
  const parts: Buffer[] = [];
  let total = 0;
  for (const e of entries) {
    const value = e.constructed ? undefined : lookup(e.tag);
    let part: Buffer;
    if (value === undefined) {
      part = Buffer.alloc(e.length);
    } else {
      const format = options.formatOf?.(e.tag) ?? tagInfo(e.tag)?.format ?? 'b';
      part = fitDolValue(value, e.length, format);
    }
    parts.push(part);
    total += part.length;
  }
  return Buffer.concat(parts, total);
}

/**
 * Splits DOL-related data (e.g. the GENERATE AC command data a card received) back into values, in DOL
 * order. Each value is a view into `data`. @throws TlvError 'bad-value' when the data length is not
 * exactly what the DOL asks for.
 */
export function splitDolData(
  dol: Uint8Array | readonly DolEntry[],
  data: Uint8Array,
): { tag: string; value: Buffer }[] {
  const entries = dol instanceof Uint8Array ? parseDol(dol) : dol;
  const want = dolDataLength(entries);
  if (data.length !== want)
    throw new TlvError(
      'bad-value',
      Math.min(data.length, want),
      `DOL asks for ${want} bytes, data has ${data.length}`,
    );
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: { tag: string; value: Buffer }[] = [];
  let pos = 0;
  for (const e of entries) {
    out.push({ tag: e.tag, value: buf.subarray(pos, pos + e.length) });
    pos += e.length;
  }
  return out;
}

/** Encodes DOL entries back to bytes (shortest BER lengths). */
export function encodeDol(entries: readonly { tag: string; length: number }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (!Number.isInteger(e.length) || e.length < 0 || e.length > 0xffff)
      throw new TlvError('bad-value', 0, `DOL length ${e.length} out of range`, { tag: e.tag });
    parts.push(tagBytes(e.tag), encodeLength(e.length));
  }
  return Buffer.concat(parts);
}
