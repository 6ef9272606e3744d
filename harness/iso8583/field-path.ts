/**
 * Field paths: how scenarios, host rules and proxy faults name a part of a message.
 *
 * - `mti`, `tpdu`, `header`
 * - `39`: a field's value
 * - `60.2`: a positional subfield (the dialect lists them), here the batch number inside field 60
 * - `55.9F26`: a BER-TLV data object inside a field whose content is `tlv` (found depth-first,
 *   so tags inside templates are reached too), as upper-case hex
 *
 * Paths are parsed once per dialect and cached.
 */
import { PayhilError } from '../common/payhil-error.js';
import { encodeTlv, findTag, parseTlv, type Tlv, type TlvInput } from '../emv/tlv.js';
import { DecodeError, PathError } from './errors.js';
import type { Dialect, FieldSpec } from './dialect-types.js';
import type { DecodedFrame, IsoMessage } from './message-codec.js';

type Subfield = NonNullable<FieldSpec['subfields']>[number];

/** A path resolved against a dialect. */
export type ParsedPath =
  | { readonly kind: 'mti' | 'tpdu' | 'header' }
  | { readonly kind: 'field'; readonly field: FieldSpec }
  | { readonly kind: 'subfield'; readonly field: FieldSpec; readonly sub: Subfield }
  | { readonly kind: 'tlv'; readonly field: FieldSpec; readonly tag: string };

const caches = new WeakMap<Dialect, Map<string, ParsedPath>>();
const MAX_CACHED = 2000;

/** Resolves a path against the dialect. @throws PathError when it names nothing there. */
export function parsePath(d: Dialect, path: string): ParsedPath {
  let cache = caches.get(d);
  if (!cache) caches.set(d, (cache = new Map()));
  const hit = cache.get(path);
  if (hit) return hit;
  const parsed = resolve(d, path);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(path, parsed);
  return parsed;
}

function resolve(d: Dialect, path: string): ParsedPath {
  if (typeof path !== 'string') throw new PathError(String(path), 'a path is a string');
  const lower = path.toLowerCase();
  if (lower === 'mti' || lower === 'tpdu' || lower === 'header') return { kind: lower };
  const dot = path.indexOf('.');
  const head = dot < 0 ? path : path.slice(0, dot);
  if (!/^\d{1,3}$/.test(head))
    throw new PathError(path, 'expected mti, tpdu, header, a field number, N.M or N.TAG');
  const number = Number(head);
  const field = d.fields[number];
  if (!field) throw new PathError(path, `field ${number} is not defined in dialect ${d.name}`);
  if (dot < 0) return { kind: 'field', field };
  const rest = path.slice(dot + 1);
  if (field.content === 'tlv') {
    if (!/^([0-9A-Fa-f]{2}){1,4}$/.test(rest))
      throw new PathError(path, `field ${number} holds TLV: expected a hex tag such as 9F26`);
    return { kind: 'tlv', field, tag: rest.toUpperCase() };
  }
  if (field.subfields) {
    const sub = /^\d{1,2}$/.test(rest) ? field.subfields.find((s) => s.id === Number(rest)) : undefined;
    if (!sub)
      throw new PathError(
        path,
        `field ${number} has subfields ${field.subfields.map((s) => `${number}.${s.id}`).join(', ')}`,
      );
    return { kind: 'subfield', field, sub };
  }
  throw new PathError(path, `field ${number} has neither subfields nor TLV content`);
}

function tlvOf(field: FieldSpec, hex: string): Tlv[] {
  try {
    return parseTlv(Buffer.from(hex, 'hex'));
  } catch (e) {
    if (e instanceof PayhilError && 'offset' in e) {
      throw new DecodeError(
        field.number,
        (e as PayhilError & { offset: number }).offset,
        `TLV content: ${e.message}`,
        { cause: e },
      );
    }
    throw e;
  }
}

/**
 * The value at `path`, or undefined when the message does not have it (field absent, subfield past the
 * end of the value, TLV tag not present).
 * @throws PathError for a path the dialect does not know; DecodeError when a TLV field is malformed.
 */
export function getPath(d: Dialect, msg: IsoMessage | DecodedFrame, path: string): string | undefined {
  const p = parsePath(d, path);
  switch (p.kind) {
    case 'mti':
      return msg.mti;
    case 'tpdu':
      return (msg as DecodedFrame).tpdu;
    case 'header':
      return (msg as DecodedFrame).header;
    case 'field':
      return msg.fields[p.field.number];
    case 'subfield': {
      const v = msg.fields[p.field.number];
      if (v === undefined || v.length <= p.sub.start) return undefined;
      return v.slice(p.sub.start, p.sub.start + p.sub.length);
    }
    case 'tlv': {
      const v = msg.fields[p.field.number];
      if (v === undefined) return undefined;
      const hit = findTag(tlvOf(p.field, v), p.tag);
      return hit?.value.toString('hex').toUpperCase();
    }
  }
}

function toInput(nodes: readonly Tlv[]): TlvInput[] {
  return nodes.map((n) =>
    n.children ? { tag: n.tag, children: toInput(n.children) } : { tag: n.tag, value: n.value },
  );
}

/** Replaces (or removes, value undefined) the first `tag` depth-first; returns whether it was found. */
function replaceTag(nodes: TlvInput[], tag: string, value: Buffer | undefined): boolean {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.tag === tag) {
      if (value === undefined) nodes.splice(i, 1);
      else nodes[i] = { tag, value };
      return true;
    }
    if (n.children) {
      const children = [...n.children];
      if (replaceTag(children, tag, value)) {
        nodes[i] = { tag: n.tag, children };
        return true;
      }
    }
  }
  return false;
}

/**
 * Writes `value` at `path` (undefined removes it). Subfields: shorter n values are left-padded with
 * zeros, shorter an/ans values right-padded with spaces, earlier missing subfields are filled the
 * same way. TLV: the tag is replaced where it is, or appended at the top level.
 * @throws PathError for an unknown path or a value that cannot go there.
 */
export function setPath(
  d: Dialect,
  msg: IsoMessage | DecodedFrame,
  path: string,
  value: string | undefined,
): void {
  const p = parsePath(d, path);
  if (value !== undefined && typeof value !== 'string')
    throw new PathError(path, 'the value must be a string');
  switch (p.kind) {
    case 'mti':
      if (value === undefined) throw new PathError(path, 'the MTI cannot be removed');
      msg.mti = value;
      return;
    case 'tpdu':
    case 'header':
      if (value === undefined) delete (msg as DecodedFrame)[p.kind];
      else (msg as DecodedFrame)[p.kind] = value.toUpperCase();
      return;
    case 'field':
      if (value === undefined) delete msg.fields[p.field.number];
      else msg.fields[p.field.number] = value;
      return;
    case 'subfield': {
      const { sub, field } = p;
      const current = msg.fields[field.number] ?? '';
      const filler = sub.type === 'n' ? '0' : ' ';
      const end = sub.start + sub.length;
      if (value === undefined) {
        if (current.length > end) throw new PathError(path, 'only the last subfield present can be removed');
        if (current.length <= sub.start) return;
        const kept = current.slice(0, sub.start);
        if (kept.length === 0) delete msg.fields[field.number];
        else msg.fields[field.number] = kept;
        return;
      }
      if (value.length > sub.length)
        throw new PathError(path, `subfield holds ${sub.length} characters, got ${value.length}`);
      const v = sub.type === 'n' ? value.padStart(sub.length, '0') : value.padEnd(sub.length, ' ');
      msg.fields[field.number] =
        current.slice(0, sub.start).padEnd(sub.start, filler) + v + current.slice(end);
      return;
    }
    case 'tlv': {
      const current = msg.fields[p.field.number];
      const nodes = current === undefined ? [] : toInput(tlvOf(p.field, current));
      let bytes: Buffer | undefined;
      if (value !== undefined) {
        if (!/^([0-9A-Fa-f]{2})*$/.test(value))
          throw new PathError(path, 'a TLV value is hex with an even number of digits');
        bytes = Buffer.from(value, 'hex');
      }
      if (!replaceTag(nodes, p.tag, bytes) && bytes !== undefined) nodes.push({ tag: p.tag, value: bytes });
      msg.fields[p.field.number] = encodeTlv(nodes).toString('hex').toUpperCase();
      return;
    }
  }
}
