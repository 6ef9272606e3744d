/**
 * Writes the schema cache (schema-cache.ts): every `harness/**\/*.schema.json` compiled by ajv (same
 * options as schema-check.ts, all errors off: the cache only says valid or not) to standalone CommonJS,
 * with the files it was compiled from and their SHA-256. Run by `npm run build` after tsc:
 * `node dist/harness/common/schema-cache-build.js`.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import { packagePath, packageRoot } from './project-root.js';
import { schemaCacheFile, schemaFilesHash } from './schema-cache.js';
import { AJV_OPTIONS, externalRefs } from './schema-check.js';

/** A made-up base for schema ids: the cache must not carry the build machine's paths. */
const BASE = 'https://payhil.invalid/';

type Json = Record<string, unknown>;

/** The bundled schema files, package-relative, sorted. */
export function bundledSchemas(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(packagePath(rel), { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.schema.json')) out.push(r);
    }
  };
  walk('harness');
  return out.sort();
}

/** Compiles one schema file (package-relative): the module text and the files it was compiled from. */
export function compileSchema(rel: string): { code: string; files: string[] } {
  const files: string[] = [];
  const read = (r: string): Json => JSON.parse(readFileSync(packagePath(...r.split('/')), 'utf8')) as Json;
  const root = read(rel);
  const options = { ...AJV_OPTIONS, allErrors: false, verbose: false, code: { source: true } };
  const ajv = String(root.$schema ?? '').includes('2020-12') ? new Ajv2020(options) : new Ajv(options);
  const add = (r: string, schema: Json): void => {
    if (files.includes(r)) return;
    files.push(r);
    ajv.addSchema({ ...schema, $id: new URL(r, BASE).href });
    for (const ref of externalRefs(schema)) {
      const next = new URL(ref, new URL(r, BASE)).href.slice(BASE.length);
      add(next, read(next));
    }
  };
  add(rel, root);
  const validate = ajv.getSchema(new URL(rel, BASE).href);
  if (!validate) throw new Error(`${rel}: ajv did not compile it`);
  const code = [
    standalone.default(ajv, validate),
    `module.exports.files = ${JSON.stringify(files)};`,
    `module.exports.sha256 = ${JSON.stringify(schemaFilesHash(files))};`,
    '',
  ].join('\n');
  return { code, files };
}

/** Writes every bundled schema's cache file; returns their paths. */
export function buildSchemaCache(): string[] {
  return bundledSchemas().map((rel) => {
    const out = schemaCacheFile(rel);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, compileSchema(rel).code);
    return out;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const written = buildSchemaCache();
  process.stdout.write(
    `schema cache: ${written.length} validators in ${join(packageRoot(), 'dist', 'schema-cache')}\n`,
  );
}
