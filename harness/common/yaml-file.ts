/**
 * Safe YAML reading with positions. Every YAML data file in payhil (scenarios, cards, dialects, hosts,
 * terminals, labs) goes through here so that problems point at `path:line:col`.
 *
 * Safety: YAML is data only. Tags other than the YAML 1.2 core ones (`!!str`, `!!int`, …) are refused
 * (no `!!js/function`, `!!python/object`, `!custom`), alias expansion is bounded (billion-laughs style
 * files are refused), nesting is bounded (MAX_YAML_DEPTH, refused at the too-deep node: a recursive
 * reader never sees it), and files over 1 MiB are refused before they are read.
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CST, Document, LineCounter, Node as YamlNode, YAMLError } from 'yaml';
import { sourceLineOf, type Diagnostic, type SourcePos } from './diagnostic.js';
import { fastParseYaml, fastPathKey, unpackPos, type FastDocument } from './yaml-fast-path.js';

type YamlLib = typeof import('yaml');
type CstToken = CST.Token;
let yamlLib: YamlLib | undefined;
/**
 * The `yaml` library, loaded on first need: files the fast path reads (nearly all) never need it, and a
 * `payhil validate` that does not load it starts sooner.
 */
function yaml(): YamlLib {
  return (yamlLib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}

/** Files larger than this are refused. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** At most this many maps and lists inside one another (deeper files are refused, located). */
export const MAX_YAML_DEPTH = 64;
/** At most this many alias dereferences per document (yaml's own counting, which grows with nesting). */
export const MAX_ALIAS_COUNT = 200;

export type YamlPath = readonly (string | number)[];

/** A located span: where it starts, how many characters, and the raw source text of the node. */
export interface YamlSpan {
  pos: SourcePos;
  length: number;
  source: string;
}

/** One YAML document of a file: its plain value and a way back from a path in that value to the source. */
export interface YamlDocument {
  /** The document as plain JSON-like data (maps → objects with string keys). */
  value: unknown;
  /** 0-based index of the document in the file (documents are separated by `---`). */
  index: number;
  /** Position of the node at `path` (the deepest node that exists along it; the document start for []). */
  locate(path: YamlPath): SourcePos;
  /** Position of the key of the map entry at `path` (falls back to `locate`). */
  locateKey(path: YamlPath): SourcePos;
  /** The span of the value (or with `key`, of the key) at `path`. */
  span(path: YamlPath, options?: { key?: boolean }): YamlSpan;
}

export interface YamlParseResult {
  docs: YamlDocument[];
  diagnostics: Diagnostic[];
}

const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? '!!' + tag.slice('tag:yaml.org,2002:'.length) : tag;
}

class LocatedDocument implements YamlDocument {
  constructor(
    readonly value: unknown,
    readonly index: number,
    private readonly doc: Document.Parsed,
    private readonly text: string,
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  private posAt(offset: number): SourcePos {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line: Math.max(1, line), col: Math.max(1, col) };
  }

  private find(path: YamlPath): { node?: YamlNode | null; key?: YamlNode | null; parent?: YamlNode } {
    let node: YamlNode | null | undefined = this.doc.contents;
    let key: YamlNode | null | undefined;
    let parent: YamlNode | undefined;
    for (const seg of path) {
      if (node && yaml().isAlias(node)) node = node.resolve(this.doc) ?? node;
      if (!node) break;
      if (yaml().isMap(node)) {
        const wanted = String(seg);
        const pair: { key: unknown; value: unknown } | undefined = node.items.find(
          (p: unknown) => yaml().isPair(p) && keyText(p.key) === wanted,
        );
        if (!pair) return { node, parent };
        parent = node;
        key = pair.key as YamlNode | null;
        node = (pair.value as YamlNode | null) ?? null;
        if (node === null) return { node: null, key, parent };
      } else if (yaml().isSeq(node)) {
        const item = node.items[Number(seg)] as YamlNode | undefined;
        if (item === undefined || !Number.isInteger(Number(seg))) return { node, parent };
        parent = node;
        key = undefined;
        node = item;
      } else {
        return { node, parent };
      }
    }
    return { node, key, parent };
  }

  private spanOf(n: YamlNode | null | undefined): YamlSpan | undefined {
    const range = n?.range;
    if (!range) return undefined;
    const [start, end] = range;
    const raw = this.text.slice(start, end);
    const firstLine = raw.split(/\r?\n/, 1)[0] ?? '';
    return { pos: this.posAt(start), length: Math.max(1, firstLine.trimEnd().length), source: raw };
  }

  span(path: YamlPath, options: { key?: boolean } = {}): YamlSpan {
    const found = this.find(path);
    const value = this.spanOf(found.node);
    const empty = value !== undefined && value.source.trim() === '';
    const fromKey = options.key || found.node === null || empty ? this.spanOf(found.key) : undefined;
    const s = fromKey ?? value ?? this.spanOf(found.key) ?? this.spanOf(found.parent);
    if (s) return s;
    const start = this.doc.range?.[0] ?? 0;
    return { pos: this.posAt(start), length: 1, source: '' };
  }

  locate(path: YamlPath): SourcePos {
    return this.span(path).pos;
  }

  locateKey(path: YamlPath): SourcePos {
    return this.span(path, { key: true }).pos;
  }
}

/**
 * A document read by the fast path (yaml-fast-path.ts): the value and the key positions are at hand;
 * any other position (for a diagnostic) comes from parsing the text with `yaml` on first need.
 */
class FastLocatedDocument implements YamlDocument {
  readonly value: unknown;
  readonly index: number;
  private full: YamlDocument | null | undefined;

  constructor(
    private readonly fast: FastDocument,
    private readonly text: string,
    private readonly file: string,
  ) {
    this.value = fast.value;
    this.index = fast.index;
  }

  private located(): YamlDocument | null {
    if (this.full === undefined)
      this.full = parseYamlTextFull(this.text, this.file).docs.find((d) => d.index === this.index) ?? null;
    return this.full;
  }

  span(path: YamlPath, options: { key?: boolean } = {}): YamlSpan {
    const full = this.located();
    if (full) return full.span(path, options);
    return { pos: { file: this.file, line: 1, col: 1 }, length: 1, source: '' };
  }

  locate(path: YamlPath): SourcePos {
    if (path.length === 0) return { file: this.file, ...this.fast.start };
    return this.span(path).pos;
  }

  locateKey(path: YamlPath): SourcePos {
    const packed = this.fast.keys.get(fastPathKey(path));
    if (packed !== undefined) return { file: this.file, ...unpackPos(packed) };
    return this.span(path, { key: true }).pos;
  }
}

function keyText(key: unknown): string {
  if (yaml().isScalar(key)) return String(key.value);
  return String(key);
}

/**
 * Parses YAML text (one or more documents) into located documents. Never throws: every problem (syntax,
 * duplicate key, custom tag, alias bomb, size) comes back as a diagnostic, and a document with an error is
 * left out of `docs`.
 */
export function parseYamlText(text: string, file: string): YamlParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES) return { docs: [], diagnostics: [tooLarge(file, bytes)] };
  // Plain files (nearly all of them) take the fast path; it gives up on anything it cannot read exactly.
  const fast = fastParseYaml(text, MAX_YAML_DEPTH);
  if (fast) return { docs: fast.map((d) => new FastLocatedDocument(d, text, file)), diagnostics: [] };
  return parseYamlTextFull(text, file);
}

/**
 * `parseYamlText` without the fast path: always the `yaml` parser, every node located.
 * @internal (exported for the tests that hold the fast path to it)
 */
export function parseYamlTextFull(text: string, file: string): YamlParseResult {
  const diagnostics: Diagnostic[] = [];
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES) {
    diagnostics.push(tooLarge(file, bytes));
    return { docs: [], diagnostics };
  }
  const lines = new (yaml().LineCounter)();
  const at = (offset: number, message: string, length = 1, severity: Diagnostic['severity'] = 'error') => {
    const { line, col } = lines.linePos(offset);
    const l = Math.max(1, line);
    diagnostics.push({
      file,
      line: l,
      col: Math.max(1, col),
      severity,
      message,
      length,
      sourceLine: sourceLineOf(text, l),
    });
  };
  let parsed: Document.Parsed[] & { errors?: YAMLError[] };
  try {
    // yaml().parseAllDocuments, in two halves: the parser (iterative) gives the syntax tree, whose depth is
    // checked before the composer (recursive) sees it.
    const tokens = [...new (yaml().Parser)(lines.addNewLine).parse(text)];
    const deep = tooDeep(tokens, MAX_YAML_DEPTH);
    if (deep !== undefined) {
      at(
        deep,
        `nesting deeper than ${MAX_YAML_DEPTH} levels of maps and lists: payhil YAML files are not nested that deep`,
      );
      return { docs: [], diagnostics };
    }
    const composer = new (yaml().Composer)({
      uniqueKeys: true,
      schema: 'core',
      merge: false,
      strict: true,
    });
    const list = Array.from(composer.compose(tokens));
    parsed = list.length > 0 ? list : Object.assign([], composer.streamInfo());
  } catch (e) {
    at(0, `cannot parse YAML: ${(e as Error).message}`);
    return { docs: [], diagnostics };
  }
  const docs: YamlDocument[] = [];
  const list = parsed;
  const streamError = (parsed.errors ?? [])[0];
  if (streamError) at(streamError.pos[0], yamlMessage(streamError));
  list.forEach((doc, index) => {
    const before = diagnostics.length;
    // After the first syntax error the parser's further complaints are mostly its consequences: keep one.
    const first = doc.errors[0];
    if (first) {
      at(first.pos[0], yamlMessage(first));
      const d = diagnostics[diagnostics.length - 1] as Diagnostic;
      if (/[{[]/.test(d.sourceLine ?? '') && /\$\{|\/[^/\s]*[[\]{}]/.test(d.sourceLine ?? '')) {
        d.hint =
          "inside { } or [ ], quote values that hold { } [ ] or ',' (such as '${var}' or '/^[0-9]+$/')";
      }
    }
    // A tag always starts with '!': most files have none, and the walk is skipped.
    if (text.includes('!'))
      yaml().visit(doc, {
        Node(_key, node) {
          const tag = (node as { tag?: string }).tag;
          if (tag !== undefined && !CORE_TAGS.has(tag)) {
            const start = tagStart(text, node.range?.[0] ?? 0);
            at(
              start,
              `tag '${shortTag(tag)}' is refused: payhil YAML files hold plain data only (no custom tags)`,
              shortTag(tag).length,
            );
          }
        },
      });
    if (diagnostics.length > before) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const alias = firstAlias(doc);
      at(
        alias ?? doc.range?.[0] ?? 0,
        /excessive alias/i.test((e as Error).message)
          ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): billion-laughs style YAML is refused`
          : `cannot read YAML document: ${(e as Error).message}`,
      );
      return;
    }
    docs.push(new LocatedDocument(value, index, doc, text, file, lines));
  });
  return { docs, diagnostics };
}

/**
 * The offset of the first collection nested deeper than `max` maps, lists and flow collections in the
 * syntax tree of `tokens` (undefined when none is). Walks with its own stack: any depth is safe here.
 */
function tooDeep(tokens: readonly CstToken[], max: number): number | undefined {
  const stack: { token: CstToken | null | undefined; depth: number }[] = tokens.map((token) => ({
    token,
    depth: 0,
  }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: CstToken | null | undefined; depth: number };
    if (!token) continue;
    switch (token.type) {
      case 'document':
        stack.push({ token: token.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > max) return token.offset;
        for (const item of token.items) {
          const kv = item as { key?: CstToken | null; value?: CstToken };
          stack.push({ token: kv.key, depth: depth + 1 }, { token: kv.value, depth: depth + 1 });
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** The offset of the `!tag` token written just before a node's value (the node start if there is none). */
function tagStart(text: string, start: number): number {
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  let j = i;
  while (j >= 0 && !/\s/.test(text[j] as string)) j--;
  return text[j + 1] === '!' ? j + 1 : start;
}

function firstAlias(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  yaml().visit(doc, {
    Alias(_k, node) {
      offset = node.range?.[0];
      return yaml().visit.BREAK;
    },
  });
  return offset;
}

function yamlMessage(e: YAMLError): string {
  const first = e.message.split('\n', 1)[0] ?? e.message;
  const msg = first.replace(/ at line \d+, column \d+:?$/, '');
  if (e.code === 'DUPLICATE_KEY') return `duplicate key: ${msg}`;
  return `YAML syntax: ${msg}`;
}

function tooLarge(file: string, bytes: number): Diagnostic {
  return {
    file,
    line: 1,
    col: 1,
    severity: 'error',
    message: `file is ${bytes} bytes; YAML files over ${MAX_YAML_BYTES} bytes (1 MiB) are refused`,
  };
}

/**
 * Reads and parses a YAML file. Files over 1 MiB are refused without reading them whole; an unreadable
 * file is a diagnostic too (never an exception).
 */
export function readYamlFile(file: string): { text: string } & YamlParseResult {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size > MAX_YAML_BYTES) return { text: '', docs: [], diagnostics: [tooLarge(file, size)] };
    const buf = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buf, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = buf
      .subarray(0, read)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return { text, ...parseYamlText(text, file) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    return {
      text: '',
      docs: [],
      diagnostics: [{ file, line: 1, col: 1, severity: 'error', message: `cannot read file: ${why}` }],
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
