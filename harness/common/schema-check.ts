/**
 * JSON Schema validation of located YAML documents, with messages a person can act on: each ajv error is
 * mapped back to the YAML node it concerns (`path:line:col`), unknown keys get a did-you-mean, and
 * `anyOf`/`oneOf` failures are narrowed to the alternative the value was evidently aiming at.
 *
 * Schemas may use two annotations that only shape messages: `x-noun` (what the keys of an object are
 * called, e.g. "action", so an unknown one reads "unknown action 'purchse'") and `x-expected` (a human
 * description used when a value fails `pattern`, e.g. "an amount in major units such as 12.50").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { cachedValidator } from './schema-cache.js';
import { PayhilError } from './payhil-error.js';
import { LocatedError, didYouMean, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { readYamlFile, type YamlDocument } from './yaml-file.js';

/** A schema file that is missing or not valid JSON Schema: an installation fault, not the user's data. */
export class SchemaLoadError extends PayhilError {
  readonly schemaFile: string;
  constructor(schemaFile: string, reason: string) {
    super('E_SCHEMA', `cannot load schema ${schemaFile}: ${reason}`, { verdict: 'broken' });
    this.schemaFile = schemaFile;
  }
}

type AnyAjv = Ajv | Ajv2020;
type Json = Record<string, unknown>;

interface LoadedSchema {
  ajv: AnyAjv;
  id: string;
  validate: ValidateFunction;
}

/** ajv's options for payhil's schemas (schema-cache-build.ts compiles with the same). */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: false,
  allowUnionTypes: true,
  validateFormats: false,
  multipleOfPrecision: 9,
  logger: false as const,
  // ajv's optimiser halves the compile time of the scenario schema (~90 → ~50 ms per process) at no
  // measurable cost to validation; the checks and their errors are the same.
  code: { optimize: false },
};
let draft7: Ajv | undefined;
let draft2020: Ajv2020 | undefined;
const compiled = new Map<string, LoadedSchema>();
/** The same, by the absolute name the caller gave. */
const compiledByName = new Map<string, LoadedSchema>();
/** Every object inside every loaded schema → the `id#pointer` that ajv can compile it from. */
const pointers = new WeakMap<object, string>();

// ajv itself is loaded when a schema is first compiled: with the build's schema cache, a run whose
// documents are valid never needs it.
const requireCjs = createRequire(import.meta.url);

function ajvFor(schema: Json): AnyAjv {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (dialect.includes('2020-12')) {
    const m = requireCjs('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    return (draft2020 ??= new m.Ajv2020(AJV_OPTIONS));
  }
  const m = requireCjs('ajv') as typeof import('ajv');
  return (draft7 ??= new m.Ajv(AJV_OPTIONS));
}

function indexPointers(node: unknown, id: string, pointer: string): void {
  if (node === null || typeof node !== 'object') return;
  pointers.set(node, `${id}#${pointer}`);
  for (const [k, v] of Object.entries(node)) {
    indexPointers(v, id, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  }
}

function readSchema(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SchemaLoadError(file, code === 'ENOENT' ? 'no such file' : String(e));
  }
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw new SchemaLoadError(file, `not valid JSON: ${(e as Error).message}`);
  }
}

/** Adds a schema file (and the files its relative `$ref`s name) to its ajv instance; returns its id. */
function register(file: string, ajv?: AnyAjv): { ajv: AnyAjv; id: string } {
  const abs = resolve(file);
  const id = pathToFileURL(abs).href;
  const existing = ajv?.getSchema(id);
  if (ajv && existing) return { ajv, id };
  const schema = readSchema(abs);
  const target = ajv ?? ajvFor(schema);
  if (target.getSchema(id)) return { ajv: target, id };
  schema.$id = id;
  indexPointers(schema, id, '');
  try {
    target.addSchema(schema);
  } catch (e) {
    throw new SchemaLoadError(file, (e as Error).message);
  }
  for (const ref of externalRefs(schema)) register(resolve(abs, '..', ref), target);
  return { ajv: target, id };
}

/** The files a schema's relative `$ref`s name (as written, without their `#…`). */
export function externalRefs(node: unknown, out = new Set<string>()): Set<string> {
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#') && !/^[a-z]+:/i.test(v)) {
        out.add(v.split('#')[0] as string);
      } else externalRefs(v, out);
    }
  }
  return out;
}

/** The compiled validator of a schema file (cached per absolute path). */
function loadSchema(schemaFile: string): LoadedSchema {
  // The same name is asked for thousands of times in a run: skip resolving it again (absolute names
  // only, so a change of working folder still counts for relative ones).
  const named = compiledByName.get(schemaFile);
  if (named) return named;
  const loaded = loadSchemaAt(schemaFile);
  if (isAbsolute(schemaFile)) compiledByName.set(schemaFile, loaded);
  return loaded;
}

function loadSchemaAt(schemaFile: string): LoadedSchema {
  const abs = resolve(schemaFile);
  const hit = compiled.get(abs);
  if (hit) return hit;
  const { ajv, id } = register(abs);
  let validate: ValidateFunction | undefined;
  try {
    validate = ajv.getSchema(id);
  } catch (e) {
    throw new SchemaLoadError(schemaFile, (e as Error).message);
  }
  if (!validate) throw new SchemaLoadError(schemaFile, 'ajv did not compile it');
  const loaded = { ajv, id, validate };
  compiled.set(abs, loaded);
  return loaded;
}

/** ajv's own validator of a schema file (never the build's cache): what the cache must agree with. */
export function ajvValidator(schemaFile: string): (value: unknown) => boolean {
  return loadSchema(schemaFile).validate;
}

/** Validates a plain value against a schema file; the raw (unsimplified) ajv errors, for tools. */
export function schemaErrors(schemaFile: string, value: unknown): ErrorObject[] {
  if (cachedValidator(schemaFile)?.(value)) return [];
  const { validate } = loadSchema(schemaFile);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

// ---------------------------------------------------------------------------------------------------
// From ajv errors to messages

const SHAPE = new Set(['type', 'const', 'enum']);

function segments(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The document being validated: tells list indexes from numeric map keys when paths are written. */
let currentRoot: unknown;

/**
 * `steps[2].purchase.amount`, `request["39"]`. With `root`, a numeric segment is an index only where the
 * value is a list; without it, every numeric segment is taken for an index.
 */
export function readablePath(path: readonly (string | number)[], root: unknown = currentRoot): string {
  let out = '';
  let node: unknown = root;
  for (const s of path) {
    const isIndex = root === undefined ? typeof s === 'number' || /^\d+$/.test(s) : Array.isArray(node);
    if (isIndex) out += `[${s}]`;
    else
      out += /^[A-Za-z_$][\w$]*$/.test(String(s)) ? (out ? '.' : '') + s : `[${JSON.stringify(String(s))}]`;
    node =
      node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[String(s)] : undefined;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 37) + '...' : value}'`;
  return `${typeof value} ${String(value)}`;
}

function article(type: unknown): string {
  const list = Array.isArray(type) ? type : [type];
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true or false',
    null: 'nothing (null)',
    object: 'a map',
    array: 'a list',
  };
  return list.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

function quote(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
}

interface Issue {
  /** This issue explains everything below its path (other issues there are left out). */
  covers?: boolean;
  /** For a missing required key: its name (several are merged into one message). */
  missing?: string;
  path: string[];
  key: boolean;
  message: string;
  hint?: string;
}

function keysOf(schema: unknown): string[] {
  const props = (schema as Json | undefined)?.properties;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}

function branchErrors(
  ajv: AnyAjv,
  schema: object,
  keyword: string,
  k: number,
  e: ErrorObject,
): ErrorObject[] {
  const base = pointers.get(schema);
  if (!base) return [];
  const v = ajv.getSchema(`${base}/${keyword}/${k}`);
  if (!v || v(e.data)) return [];
  return (v.errors ?? []).map((x) => ({ ...x, instancePath: e.instancePath + x.instancePath }));
}

/** Narrows compound (anyOf/oneOf) failures to the alternative the value was aiming at. */
function simplify(ajv: AnyAjv, errors: ErrorObject[], skip?: (value: unknown) => boolean): Issue[] {
  const out: Issue[] = [];
  for (let i = errors.length - 1; i >= 0;) {
    const e = errors[i] as ErrorObject;
    if (skip && typeof e.data !== 'object' && skip(e.data)) {
      i--;
      continue;
    }
    const compound = (e.keyword === 'anyOf' || e.keyword === 'oneOf') && e.parentSchema;
    const passing = (e.params as { passingSchemas?: unknown }).passingSchemas;
    if (!compound || passing) {
      const issue = toIssue(e);
      if (issue) out.push(issue);
      i--;
      continue;
    }
    const alternatives = ((e.parentSchema as Json)[e.keyword] as unknown[]) ?? [];
    const per = alternatives.map((_, k) => branchErrors(ajv, e.parentSchema as object, e.keyword, k, e));
    const consumed = per.reduce((n, list) => n + list.length, 0);
    i -= 1 + consumed;
    if (skip && skip(e.data)) continue;
    const shapeOk = per
      .map((list, k) => ({ list, k }))
      .filter(
        ({ list }) =>
          list.length > 0 && !list.some((x) => x.instancePath === e.instancePath && SHAPE.has(x.keyword)),
      );
    if (shapeOk.length > 0) {
      const best = shapeOk.reduce((a, b) => (b.list.length < a.list.length ? b : a));
      out.push(...simplify(ajv, best.list, skip));
      continue;
    }
    const expected: string[] = [];
    const words: string[] = [];
    for (const list of per) {
      for (const x of list) {
        if (x.instancePath !== e.instancePath || !SHAPE.has(x.keyword)) continue;
        if (x.keyword === 'type') expected.push(article((x.params as { type: unknown }).type));
        if (x.keyword === 'const') {
          const c = (x.params as { allowedValue: unknown }).allowedValue;
          expected.push(quote(c));
          if (typeof c === 'string') words.push(c);
        }
        if (x.keyword === 'enum') {
          const vals = (x.params as { allowedValues: unknown[] }).allowedValues;
          expected.push(`one of ${vals.map(quote).join(', ')}`);
          words.push(...vals.filter((v): v is string => typeof v === 'string'));
        }
      }
    }
    const unique = [...new Set(expected)];
    const near = typeof e.data === 'string' ? didYouMean(e.data, words) : undefined;
    const path = segments(e.instancePath);
    out.push({
      path,
      key: false,
      message: `${prefix(path)}expected ${unique.join(' or ') || 'a different value'}, found ${describe(e.data)}`,
      ...(near ? { hint: `did you mean '${near}'?` } : {}),
    });
  }
  return out.reverse();
}

/** Leaves out the issues inside a value that a covering issue already explains (a mis-indented step). */
function dropCovered(issues: Issue[]): Issue[] {
  const covering = issues.filter((i) => i.covers).map((i) => i.path);
  if (covering.length === 0) return issues;
  const inside = (p: string[], c: string[]) => p.length >= c.length && c.every((seg, k) => p[k] === seg);
  return issues.filter((i) => i.covers || !covering.some((c) => inside(i.path, c)));
}

/** Several missing keys of the same map become one message. */
function mergeRequired(issues: Issue[]): Issue[] {
  const out: Issue[] = [];
  const byPath = new Map<string, { issue: Issue; names: string[] }>();
  for (const issue of issues) {
    const m = issue.missing;
    if (m === undefined) {
      out.push(issue);
      continue;
    }
    const key = JSON.stringify(issue.path);
    const group = byPath.get(key);
    if (group) {
      group.names.push(m);
      group.issue.message = `${prefix(issue.path)}missing required keys ${group.names.map((n) => `'${n}'`).join(', ')}`;
    } else {
      const copy = { ...issue };
      byPath.set(key, { issue: copy, names: [m] });
      out.push(copy);
    }
  }
  return out;
}

function prefix(path: string[]): string {
  return path.length ? `${readablePath(path)}: ` : '';
}

function toIssue(e: ErrorObject): Issue | undefined {
  const path = segments(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Json;
  const noun = typeof parent['x-noun'] === 'string' ? parent['x-noun'] : 'key';
  const params = e.params as Record<string, unknown>;
  const propertyName = (e as { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const what =
      typeof parent['x-expected'] === 'string' ? `; expected ${parent['x-expected']}` : ` (${e.message})`;
    return { path: [...path, propertyName], key: true, message: `invalid ${noun} '${propertyName}'${what}` };
  }
  switch (e.keyword) {
    case 'propertyNames':
    case 'if':
      return undefined;
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const candidates = keysOf(parent);
      const near = didYouMean(name, candidates);
      const hint = near
        ? `did you mean '${near}'?`
        : candidates.length > 0 && candidates.length <= 16
          ? `expected one of: ${candidates.join(', ')}`
          : undefined;
      const where = path.length ? ` in ${readablePath(path)}` : '';
      return {
        path: [...path, name],
        key: true,
        message: `unknown ${noun} '${name}'${where}`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'required':
      return {
        missing: String(params.missingProperty),
        path,
        key: false,
        message: `${prefix(path)}missing required ${noun === 'action' ? 'key' : noun} '${String(params.missingProperty)}'`,
      };
    case 'type':
    case 'multipleOf': {
      const expected =
        typeof parent['x-expected'] === 'string'
          ? parent['x-expected']
          : e.keyword === 'type'
            ? article(params.type)
            : `a multiple of ${String(params.multipleOf)}`;
      const props = parent.properties as Record<string, unknown> | undefined;
      // A bare action word (`- signIn`) where a step map is expected: say how to write it.
      const hint =
        e.keyword === 'type' && noun === 'action' && typeof e.data === 'string' && props && e.data in props
          ? `write '${e.data}:' (a step is a map: the action, a colon, then its arguments; nothing after the colon when it takes none)`
          : undefined;
      return {
        path,
        key: false,
        message: `${prefix(path)}expected ${expected}, found ${describe(e.data)}`,
        ...(hint ? { hint } : {}),
      };
    }
    case 'enum': {
      const vals = (params.allowedValues as unknown[]) ?? [];
      const near =
        typeof e.data === 'string'
          ? didYouMean(
              e.data,
              vals.filter((v): v is string => typeof v === 'string'),
            )
          : undefined;
      return {
        path,
        key: false,
        message: `${prefix(path)}expected one of ${vals.map(quote).join(', ')}, found ${describe(e.data)}`,
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      };
    }
    case 'false schema': {
      // A key a conditional branch forbids (e.g. `nth` on a TCP toxic).
      const name = path[path.length - 1] ?? '';
      const where = path.length > 1 ? ` in ${readablePath(path.slice(0, -1))}` : '';
      return { path, key: true, message: `'${name}' does not apply here${where}` };
    }
    case 'const':
      return {
        path,
        key: false,
        message: `${prefix(path)}expected ${quote(params.allowedValue)}, found ${describe(e.data)}`,
      };
    case 'pattern': {
      const expected =
        typeof parent['x-expected'] === 'string'
          ? parent['x-expected']
          : `text matching ${String(params.pattern)}`;
      return { path, key: false, message: `${prefix(path)}expected ${expected}, found ${describe(e.data)}` };
    }
    case 'maxProperties':
    case 'minProperties': {
      if (noun !== 'key' && e.data && typeof e.data === 'object') {
        const keys = Object.keys(e.data);
        const message =
          keys.length === 0
            ? `${prefix(path)}empty step: expected exactly one ${noun}`
            : `${prefix(path)}a step has exactly one ${noun}, found ${keys.length}: ${keys.join(', ')} (check the indentation)`;
        return { path, key: false, message, covers: true };
      }
      const candidates = keysOf(parent);
      if (
        e.keyword === 'minProperties' &&
        e.data &&
        typeof e.data === 'object' &&
        Object.keys(e.data).length === 0
      ) {
        const what = candidates.length ? `at least one of: ${candidates.join(', ')}` : 'at least one entry';
        return { path, key: false, message: `${prefix(path)}empty map: expected ${what}` };
      }
      return { path, key: false, message: `${prefix(path)}${e.message ?? e.keyword}` };
    }
    default:
      return {
        path,
        key: false,
        message: `${prefix(path)}${e.message ?? e.keyword}${e.data !== null && typeof e.data !== 'object' ? `, found ${describe(e.data)}` : ''}`,
      };
  }
}

export interface SchemaCheckOptions {
  /**
   * Scalar values for which value-level problems (type, enum, pattern…) are not reported, e.g. strings
   * holding `${var}` that are checked again after interpolation.
   */
  skipValue?: (value: unknown) => boolean;
}

/**
 * Validates one located YAML document against a JSON Schema file and returns located diagnostics
 * (empty when valid). Throws SchemaLoadError only when the schema itself is missing or broken.
 */
export function validateWithSchema(
  schemaFile: string,
  doc: YamlDocument,
  file: string,
  options: SchemaCheckOptions = {},
): Diagnostic[] {
  // The build's compiled validator says valid or not; only a document it rejects meets ajv (messages).
  if (cachedValidator(schemaFile)?.(doc.value)) return [];
  const { ajv, validate } = loadSchema(schemaFile);
  if (validate(doc.value)) return [];
  currentRoot = doc.value;
  try {
    return locateIssues(ajv, validate, doc, file, options);
  } finally {
    currentRoot = undefined;
  }
}

function locateIssues(
  ajv: AnyAjv,
  validate: ValidateFunction,
  doc: YamlDocument,
  file: string,
  options: SchemaCheckOptions,
): Diagnostic[] {
  const issues = dropCovered(mergeRequired(simplify(ajv, [...(validate.errors ?? [])], options.skipValue)));
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const span = doc.span(issue.path, { key: issue.key });
    const d: Diagnostic = {
      ...span.pos,
      file,
      severity: 'error',
      message: issue.message,
      length: issue.key ? Math.max(1, span.length) : span.length,
      ...(issue.hint ? { hint: issue.hint } : {}),
    };
    const k = `${d.line}:${d.col}:${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return sortDiagnostics(out);
}

/**
 * Reads a YAML data file that holds exactly one document, validates it against its schema and returns
 * the value. Throws LocatedError (with every problem located and formatted) when it does not validate.
 */
export function loadYamlFixture<T>(file: string, schemaFile: string): T {
  const { text, docs, diagnostics } = readYamlFile(file);
  const real = docs.filter((d) => d.value !== null || docs.length === 1);
  if (diagnostics.length === 0 && real.length !== 1) {
    diagnostics.push({
      file,
      line: 1,
      col: 1,
      severity: 'error',
      message:
        real.length === 0
          ? 'file holds no YAML document'
          : `expected one YAML document, found ${real.length}`,
    });
  }
  if (diagnostics.some((d) => d.severity === 'error'))
    throw new LocatedError(diagnostics, { sourceText: text });
  const doc = real[0] as YamlDocument;
  const problems = validateWithSchema(schemaFile, doc, file);
  if (problems.length > 0) throw new LocatedError(problems, { sourceText: text });
  return doc.value as T;
}
