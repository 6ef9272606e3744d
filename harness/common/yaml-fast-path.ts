/**
 * A fast reader for the plain subset of YAML that payhil files are written in: block maps and lists,
 * one-line flow maps and lists, one-line plain and quoted scalars, comments, `---` between documents.
 * It produces exactly what `yaml` (core schema) produces for that subset — the same values, the same key
 * positions — at a fraction of the cost, and gives up (returns undefined) on anything else: anchors,
 * aliases, tags, block scalars, multi-line scalars or flow collections, numeric or duplicate keys, tabs,
 * CR line ends, directives, and every construct that could be an error. yaml-file.ts then parses the
 * text with `yaml` as before, so problems are always found and worded by `yaml` itself.
 */

/** One document read by the fast path. */
export interface FastDocument {
  value: unknown;
  /** 0-based index of the document in the file. */
  index: number;
  /** Line and column (1-based) where the document's top node starts. */
  start: { line: number; col: number };
  /** Map key positions by path (`fastPathKey`), packed as `line * 2^21 + col`. */
  keys: Map<string, number>;
}

const PACK = 2 ** 21;

/** The index key of a path (segments as text, so `0` and `'0'` meet as `find` in yaml-file.ts does). */
export function fastPathKey(path: readonly (string | number)[]): string {
  let k = '';
  for (const seg of path) k += '\u0001' + String(seg);
  return k;
}

/** Unpacks a position from `FastDocument.keys`. */
export function unpackPos(packed: number): { line: number; col: number } {
  return { line: Math.floor(packed / PACK), col: packed % PACK };
}

class Bail extends Error {}
const BAIL = new Bail();

function bail(): never {
  throw BAIL;
}

// Core schema scalar resolution, as yaml's `core` tags do it (yaml/dist/schema/core).
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Most plain scalars are words: nothing below can match a string starting with a letter other than
  // n, N, t, T, f, F.
  if (s.length > 0 && ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) && !'nNtTfF'.includes(s[0] as string))
    return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
  if (FLOAT_NAN.test(s))
    return s.slice(-3).toLowerCase() === 'nan'
      ? NaN
      : s[0] === '-'
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

/** Characters that may not start a plain scalar here (indicators, and what needs yaml's full rules). */
const NO_PLAIN_START = new Set([...'&*!|>%@`,?:[]{}#\'"']);
const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '0': '\0',
};

function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
  // yaml's addPairToJSMap uses defineProperty for names already `in` the map; for a new key on a plain
  // object that is the same own property as an assignment, '__proto__' aside (the fast path refuses it).
  map[key] = value;
}

class FastReader {
  private readonly lines: string[];
  private readonly starts: number[] = [];
  /** Current line (index into lines). */
  private ln = 0;
  private end = 0;
  private keys = new Map<string, number>();
  /** Collections open around the node being read. */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    this.lines = text.split('\n');
    let off = 0;
    for (const l of this.lines) {
      this.starts.push(off);
      off += l.length + 1;
    }
  }

  read(): FastDocument[] {
    const docs: FastDocument[] = [];
    let from = 0;
    for (let i = 0; i <= this.lines.length; i++) {
      const line = this.lines[i];
      if (line !== undefined && !line.startsWith('---') && !line.startsWith('...') && !line.startsWith('%'))
        continue;
      if (line !== undefined && line !== '---') bail();
      // A separator before any content (only comments above) does not start a second document.
      if (line !== undefined && docs.length === 0 && this.nextContent(from, i) === i) {
        from = i + 1;
        continue;
      }
      docs.push(this.document(from, i, docs.length));
      from = i + 1;
    }
    return docs;
  }

  /** The first line in [from, to) that is neither blank nor a comment (to when there is none). */
  private nextContent(from: number, to: number): number {
    for (let i = from; i < to; i++) {
      const l = this.lines[i] as string;
      const t = l.trimStart();
      if (t !== '' && t[0] !== '#') return i;
    }
    return to;
  }

  private document(from: number, to: number, index: number): FastDocument {
    this.end = to;
    this.keys = new Map();
    const first = this.nextContent(from, to);
    if (first === to) bail(); // an empty document
    this.ln = first;
    const line = this.lines[first] as string;
    const indent = line.length - line.trimStart().length;
    const start = { line: first + 1, col: indent + 1 };
    const value = this.blockNode(indent, '');
    if (this.nextContent(this.ln, to) !== to) bail();
    return { value, index, start, keys: this.keys };
  }

  private indentOf(i: number): number {
    const l = this.lines[i] as string;
    return l.length - l.trimStart().length;
  }

  private isDash(line: string, col: number): boolean {
    return line[col] === '-' && (col + 1 === line.length || line[col + 1] === ' ');
  }

  /** A block map or list starting on the current line at column `indent`. */
  private blockNode(indent: number, path: string): unknown {
    const line = this.lines[this.ln] as string;
    if (++this.depth > this.maxDepth) bail(); // yaml-file.ts reports it, located
    const node = this.isDash(line, indent)
      ? this.blockSeq(indent, path)
      : this.blockMap(indent, indent, path);
    this.depth--;
    return node;
  }

  /** Entries of a block list at `indent`; the current line holds its first `-`. */
  private blockSeq(indent: number, path: string): unknown[] {
    const out: unknown[] = [];
    for (;;) {
      const i = this.nextContent(this.ln, this.end);
      if (i === this.end) break;
      const ind = this.indentOf(i);
      if (ind < indent) break;
      if (ind > indent) bail();
      const line = this.lines[i] as string;
      if (!this.isDash(line, indent)) break;
      this.ln = i;
      const itemPath = path + '\u0001' + out.length;
      let col = indent + 1;
      while (line[col] === ' ') col++;
      if (col >= line.length || line[col] === '#') {
        if (col < line.length && line[col - 1] !== ' ') bail();
        // The item's content (if any) is on the following lines, indented further.
        this.ln = i + 1;
        const next = this.nextContent(this.ln, this.end);
        if (next < this.end && this.indentOf(next) > indent) {
          this.ln = next;
          out.push(this.blockNode(this.indentOf(next), itemPath));
        } else out.push(null);
        continue;
      }
      if (this.isDash(line, col)) bail(); // a list right inside a list item
      if (this.keyEnd(line, col) >= 0) {
        out.push(this.blockMap(col, indent, itemPath));
        continue;
      }
      out.push(this.inlineValue(line, col));
      this.ln = i + 1;
      this.noContinuation(indent);
    }
    return out;
  }

  /**
   * Where the `:` of a block map key starting at `col` is (-1 when the line holds no key there). Only
   * simple keys count: a quoted scalar or a plain word run, then `:` and a space or the line end.
   */
  private keyEnd(line: string, col: number): number {
    const c = line[col];
    if (c === "'" || c === '"') {
      const close = c === "'" ? this.singleEnd(line, col) : this.doubleEnd(line, col);
      if (close < 0) return -1;
      const colon = close + 1;
      if (line[colon] !== ':') return -1;
      return colon + 1 === line.length || line[colon + 1] === ' ' ? colon : -1;
    }
    if (c === undefined || NO_PLAIN_START.has(c) || this.isDash(line, col)) return -1;
    for (let j = col; j < line.length; j++) {
      const ch = line[j];
      if (ch === '#' && line[j - 1] === ' ') return -1;
      if (ch === ':' && (j + 1 === line.length || line[j + 1] === ' ')) return j;
    }
    return -1;
  }

  /** Entries of a block map whose keys sit at column `indent`; the first key is on the current line. */
  private blockMap(indent: number, parentIndent: number, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    let first = true;
    for (;;) {
      const i = first ? this.ln : this.nextContent(this.ln, this.end);
      if (i === this.end) break;
      const ind = first ? indent : this.indentOf(i);
      if (!first && ind <= parentIndent && ind < indent) break;
      if (ind !== indent) bail();
      first = false;
      const line = this.lines[i] as string;
      this.ln = i;
      const colon = this.keyEnd(line, indent);
      if (colon < 0) bail();
      const key = this.keyText(line, indent, colon);
      if (seen.has(key) || key === '__proto__' || key === '<<' || colon - indent > 1000) bail();
      seen.add(key);
      const keyPath = path + '\u0001' + key;
      this.keys.set(keyPath, (i + 1) * PACK + indent + 1);
      let col = colon + 1;
      while (line[col] === ' ') col++;
      if (col >= line.length || line[col] === '#') {
        if (col < line.length && line[col - 1] !== ' ') bail();
        this.ln = i + 1;
        const next = this.nextContent(this.ln, this.end);
        if (next < this.end) {
          const nind = this.indentOf(next);
          const nline = this.lines[next] as string;
          if (nind > indent || (nind === indent && this.isDash(nline, nind))) {
            this.ln = next;
            setKey(out, key, this.blockNode(nind, keyPath));
            continue;
          }
        }
        setKey(out, key, null);
        continue;
      }
      setKey(out, key, this.inlineValue(line, col));
      this.ln = i + 1;
      this.noContinuation(indent);
    }
    return out;
  }

  /** After a one-line value, a following line indented deeper would continue it (or be an error). */
  private noContinuation(indent: number): void {
    const next = this.nextContent(this.ln, this.end);
    if (next < this.end && this.indentOf(next) > indent) bail();
  }

  private keyText(line: string, col: number, colon: number): string {
    const c = line[col];
    if (c === "'") return this.single(line, col, colon - 1);
    if (c === '"') return this.double(line, col, colon - 1);
    const raw = line.slice(col, colon);
    if (raw !== raw.trimEnd() || resolvePlain(raw) !== raw || raw.includes(': ')) bail();
    return raw;
  }

  /** A scalar or flow collection from `col` to the end of the line (then only a comment may follow). */
  private inlineValue(line: string, col: number): unknown {
    const c = line[col] as string;
    let value: unknown;
    let end: number;
    if (c === '{' || c === '[') {
      const r = this.flow(line, col);
      value = r.value;
      end = r.end;
    } else if (c === "'") {
      end = this.singleEnd(line, col);
      if (end < 0) bail();
      value = this.single(line, col, end);
      end++;
    } else if (c === '"') {
      end = this.doubleEnd(line, col);
      if (end < 0) bail();
      value = this.double(line, col, end);
      end++;
    } else {
      if (NO_PLAIN_START.has(c) || this.isDash(line, col)) bail();
      let j = col;
      for (; j < line.length; j++) {
        const ch = line[j];
        if (ch === '#' && line[j - 1] === ' ') break;
        if (ch === ':' && (j + 1 === line.length || line[j + 1] === ' ')) bail();
      }
      const raw = line.slice(col, j).trimEnd();
      return resolvePlain(raw);
    }
    this.restIsComment(line, end);
    return value;
  }

  private restIsComment(line: string, from: number): void {
    let j = from;
    while (line[j] === ' ') j++;
    if (j < line.length && !(line[j] === '#' && j > from)) bail();
  }

  /** Index of the closing quote of a single-quoted scalar on this line (-1 if not closed). */
  private singleEnd(line: string, col: number): number {
    for (let j = col + 1; j < line.length; j++) {
      if (line[j] !== "'") continue;
      if (line[j + 1] === "'") {
        j++;
        continue;
      }
      return j;
    }
    return -1;
  }

  private single(line: string, col: number, close: number): string {
    return line.slice(col + 1, close).replace(/''/g, "'");
  }

  private doubleEnd(line: string, col: number): number {
    for (let j = col + 1; j < line.length; j++) {
      const ch = line[j];
      if (ch === '\\') {
        j++;
        continue;
      }
      if (ch === '"') return j;
    }
    return -1;
  }

  private double(line: string, col: number, close: number): string {
    const raw = line.slice(col + 1, close);
    if (!raw.includes('\\')) return raw;
    let out = '';
    for (let j = 0; j < raw.length; j++) {
      const ch = raw[j] as string;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = raw[++j] as string;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) out += simple;
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(j + 1, j + 5))) {
        out += String.fromCodePoint(parseInt(raw.slice(j + 1, j + 5), 16));
        j += 4;
      } else bail();
    }
    return out;
  }

  /** A one-line flow map or list starting at `col`; `end` is the index after its closing bracket. */
  private flow(line: string, col: number): { value: unknown; end: number } {
    if (++this.depth > this.maxDepth) bail();
    const r = this.flowCollection(line, col);
    this.depth--;
    return r;
  }

  private flowCollection(line: string, col: number): { value: unknown; end: number } {
    const skip = (j: number) => {
      while (line[j] === ' ') j++;
      return j;
    };
    if (line[col] === '[') {
      const out: unknown[] = [];
      let j = skip(col + 1);
      if (line[j] === ']') return { value: out, end: j + 1 };
      for (;;) {
        const r = this.flowValue(line, j);
        out.push(r.value);
        j = skip(r.end);
        if (line[j] === ':') bail(); // a single-pair map inside a list
        if (line[j] === ']') return { value: out, end: j + 1 };
        if (line[j] !== ',') bail();
        j = skip(j + 1);
        if (line[j] === ']' || line[j] === ',') bail();
      }
    }
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    let j = skip(col + 1);
    if (line[j] === '}') return { value: out, end: j + 1 };
    for (;;) {
      let key: string;
      const c = line[j];
      if (c === "'" || c === '"') {
        const close = c === "'" ? this.singleEnd(line, j) : this.doubleEnd(line, j);
        if (close < 0) bail();
        key = c === "'" ? this.single(line, j, close) : this.double(line, j, close);
        j = close + 1;
      } else {
        const k = this.flowPlainEnd(line, j);
        const raw = line.slice(j, k).trimEnd();
        if (raw === '' || resolvePlain(raw) !== raw) bail();
        key = raw;
        j = k;
      }
      if (line[j] !== ':' || (line[j + 1] !== ' ' && line[j + 1] !== ',' && line[j + 1] !== '}')) bail();
      if (seen.has(key) || key === '__proto__' || key === '<<') bail();
      seen.add(key);
      j = skip(j + 1);
      let value: unknown = null;
      if (line[j] !== ',' && line[j] !== '}') {
        const r = this.flowValue(line, j);
        value = r.value;
        j = skip(r.end);
      }
      setKey(out, key, value);
      if (line[j] === '}') return { value: out, end: j + 1 };
      if (line[j] !== ',') bail();
      j = skip(j + 1);
      if (line[j] === '}' || line[j] === ',') bail();
    }
  }

  /** Where a plain scalar in a flow collection ends (at `,`, a bracket, `: ` or the line end). */
  private flowPlainEnd(line: string, j: number): number {
    const c = line[j];
    if (c === undefined || NO_PLAIN_START.has(c) || this.isDash(line, j)) bail();
    let k = j;
    for (; k < line.length; k++) {
      const ch = line[k];
      if (ch === ',' || ch === ']' || ch === '}' || ch === '[' || ch === '{') break;
      if (ch === '#' && line[k - 1] === ' ') bail();
      if (ch === ':') {
        const n = line[k + 1];
        if (n === ' ' || n === ',' || n === '}' || n === ']') break;
        bail();
      }
    }
    if (k >= line.length) bail();
    return k;
  }

  private flowValue(line: string, j: number): { value: unknown; end: number } {
    const c = line[j];
    if (c === '{' || c === '[') return this.flow(line, j);
    if (c === "'" || c === '"') {
      const close = c === "'" ? this.singleEnd(line, j) : this.doubleEnd(line, j);
      if (close < 0) bail();
      return { value: c === "'" ? this.single(line, j, close) : this.double(line, j, close), end: close + 1 };
    }
    const k = this.flowPlainEnd(line, j);
    return { value: resolvePlain(line.slice(j, k).trimEnd()), end: k };
  }
}

/** Tabs, CR, BOM, control characters and Unicode line breaks: yaml's own rules apply to those. */
function hasAwkwardCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) continue;
    if (c === 0x0a) continue;
    if (c < 0x20 || c === 0x7f || c === 0x85 || c === 0x2028 || c === 0x2029 || c === 0xfeff) return true;
  }
  return false;
}

/**
 * The documents of `text` when it is written in the plain subset (see the file comment) and nests no
 * deeper than `maxDepth` collections, else undefined. Never throws.
 */
export function fastParseYaml(text: string, maxDepth: number): FastDocument[] | undefined {
  if (hasAwkwardCharacters(text)) return undefined;
  try {
    return new FastReader(text, maxDepth).read();
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}
