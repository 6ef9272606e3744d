/**
 * Loading dialects: a bundled name (`cup`, `iso87-ascii`, `iso87-binary` from fixtures/dialects/) or a
 * path to the user's own YAML file, validated against dialect.schema.json, then compiled once into
 * field codecs and cached.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findFixture, fixtureNames } from '../common/fixture-search.js';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { createLogger } from '../common/logger.js';
import { DialectError } from './errors.js';
import { compileField } from './field-codec.js';
import type { Dialect, DialectDefinition, FieldSpec, FieldDefinition } from './dialect-types.js';

const log = createLogger('payhil:iso8583');

/** Names of the dialects shipped in fixtures/dialects/. */
export const BUNDLED_DIALECTS: readonly string[] = ['cup', 'iso87-ascii', 'iso87-binary'];

const cache = new Map<string, Dialect>();

/** The schema every dialect file is checked against. */
export function dialectSchemaPath(): string {
  return packagePath('harness', 'iso8583', 'dialect.schema.json');
}

/**
 * A dialect by bundled name (`cup`) or by file path (`./acquirer.yaml`, resolved against `cwd`).
 * Compiled once per file and cached.
 * @throws DialectError for an unknown name or an inconsistent table; LocatedError (from the YAML
 *   loader) with file:line:col for schema violations.
 */
export function loadDialect(nameOrPath: string, cwd = process.cwd()): Dialect {
  const file = dialectFile(nameOrPath, cwd);
  const hit = cache.get(file);
  if (hit) return hit;
  const def = loadYamlFixture<DialectDefinition>(file, dialectSchemaPath());
  const dialect = compileDialect(def, file);
  cache.set(file, dialect);
  log('loaded dialect', dialect.name, 'from', file);
  return dialect;
}

function dialectFile(nameOrPath: string, cwd: string): string {
  const looksLikeName = /^[a-z0-9][a-z0-9-]*$/.test(nameOrPath);
  if (looksLikeName) {
    const found = findFixture('dialects', nameOrPath);
    if (found) return found;
  }
  const file = resolve(cwd, nameOrPath);
  if (!existsSync(file)) {
    throw new DialectError(
      nameOrPath,
      looksLikeName
        ? `no such dialect (dialects: ${fixtureNames('dialects').join(', ')}; or give a path to a YAML file)`
        : `file not found: ${file}`,
    );
  }
  return file;
}

const ENCODINGS_BY_TYPE: Record<FieldSpec['type'], readonly string[]> = {
  n: ['ascii', 'bcd-left', 'bcd-right'],
  z: ['ascii', 'bcd-left', 'bcd-right'],
  an: ['ascii'],
  ans: ['ascii'],
  b: ['binary', 'hex-ascii'],
};

/**
 * Compiles a definition (already schema-valid) into a dialect, checking what the schema cannot:
 * encodings that fit the type, LL/LLL maxima, subfields that fit, secondary-bitmap fields, header sizes.
 */
export function compileDialect(def: DialectDefinition, source = '<inline>'): Dialect {
  const name = def.name;
  const fail = (msg: string): never => {
    throw new DialectError(name, `${msg} (${source})`);
  };
  const fields: (FieldSpec | undefined)[] = new Array(129).fill(undefined);
  for (const [key, f] of Object.entries(def.fields)) {
    const number = Number(key);
    if (!Number.isInteger(number) || number < 2 || number > 128)
      fail(`field '${key}': numbers run from 2 to 128`);
    if (number === 65) fail('field 65 is the tertiary bitmap bit and cannot be defined');
    if (number > 64 && !def.bitmap.secondary) fail(`field ${number} needs bitmap.secondary: true`);
    fields[number] = resolveField(number, f, def, fail);
  }
  const tpdu = def.framing.tpdu;
  const header = def.framing.header;
  for (const [what, part] of [
    ['tpdu', tpdu],
    ['header', header],
  ] as const) {
    if (part?.default !== undefined && part.default.length !== part.bytes * 2)
      fail(`framing.${what}.default has ${part.default.length / 2} bytes, expected ${part.bytes}`);
  }
  const kind = def.framing.length.kind;
  const spec: Omit<Dialect, 'codecs'> = {
    name,
    description: def.description ?? '',
    source,
    framing: {
      length: kind,
      includesSelf: def.framing.length.includesSelf ?? false,
      lengthBytes: kind === 'none' ? 0 : kind === 'ascii4' ? 4 : 2,
      tpduBytes: tpdu?.bytes ?? 0,
      tpduDefault: tpdu?.default?.toUpperCase(),
      headerBytes: header?.bytes ?? 0,
      headerDefault: header?.default?.toUpperCase(),
    },
    mti: def.mti,
    bitmap: { encoding: def.bitmap.encoding, secondary: def.bitmap.secondary },
    fields,
    definition: def,
  };
  const codecs = fields.map((f) => (f ? compileField(f) : undefined));
  return Object.freeze({ ...spec, codecs });
}

function resolveField(
  number: number,
  f: FieldDefinition,
  def: DialectDefinition,
  fail: (msg: string) => never,
): FieldSpec {
  const where = `field ${number} (${f.name})`;
  const kind = f.kind ?? 'fixed';
  const length = kind === 'fixed' ? f.length : f.max;
  if (length === undefined) return fail(`${where}: ${kind === 'fixed' ? 'length' : 'max'} is required`);
  if (kind === 'LLVAR' && length > 99) fail(`${where}: an LLVAR maximum is at most 99, got ${length}`);
  const encoding =
    f.encoding ??
    (f.type === 'n'
      ? def.defaults.numeric
      : f.type === 'z'
        ? def.defaults.track
        : f.type === 'b'
          ? def.defaults.binary
          : 'ascii');
  if (!ENCODINGS_BY_TYPE[f.type].includes(encoding))
    fail(
      `${where}: encoding ${encoding} does not fit type ${f.type} (use ${ENCODINGS_BY_TYPE[f.type].join(' or ')})`,
    );
  if (f.content === 'tlv' && f.type !== 'b') fail(`${where}: content tlv needs type b`);
  if (f.content && f.subfields) fail(`${where}: content and subfields exclude each other`);
  let subfields: FieldSpec['subfields'];
  if (f.subfields) {
    let start = 0;
    const ids = new Set<number>();
    subfields = f.subfields.map((s) => {
      if (ids.has(s.id)) fail(`${where}: subfield ${s.id} defined twice`);
      ids.add(s.id);
      const out = { ...s, start };
      start += s.length;
      return out;
    });
    if (start > length)
      fail(`${where}: subfields take ${start} characters, the field holds at most ${length}`);
    if (f.type === 'b') fail(`${where}: subfields need a character type (n, an, ans, z)`);
  }
  return {
    number,
    name: f.name,
    type: f.type,
    kind,
    length,
    encoding,
    prefix: f.prefix ?? def.defaults.prefix,
    pad: f.pad ?? '0',
    content: f.content,
    subfields,
    sensitive: f.sensitive,
  };
}
