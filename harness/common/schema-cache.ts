/**
 * Validators of payhil's own schemas compiled once, at build time. Compiling the scenario schema with ajv
 * costs about 70 ms and each fixture schema 6–20 ms, in every process: a one-scenario `payhil run` spent
 * a fifth of its time there. `npm run build` writes each bundled schema's validator as ajv standalone
 * code (`dist/schema-cache/<schema path>.cjs`, see schema-cache-build.ts) with the SHA-256 of the schema
 * files it was compiled from.
 *
 * The cached validator only answers "valid or not": a document it rejects goes through ajv as before
 * (schema-check.ts), so every error message is the same. A cache that is missing, that was built from
 * other schema texts or that does not load is not used.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve, sep } from 'node:path';
import { packagePath, packageRoot } from './project-root.js';

/** What a cache file exports. */
export interface CachedSchemaModule {
  (value: unknown): boolean;
  /** The schema file and the files its `$ref`s name, relative to the package root, `/`-separated. */
  files: readonly string[];
  /** SHA-256 (hex) over those files' texts, in that order, each followed by a NUL. */
  sha256: string;
}

/** Folder of the cache, under the package root. */
export const SCHEMA_CACHE_DIR = ['dist', 'schema-cache'] as const;

const load = createRequire(import.meta.url);
const looked = new Map<string, ((value: unknown) => boolean) | undefined>();

/** The package-relative `/` path of a schema file, or undefined when it is not payhil's own. */
export function packageRelative(file: string): string | undefined {
  const rel = relative(packageRoot(), resolve(file));
  return rel.startsWith('..') || rel === '' ? undefined : rel.split(sep).join('/');
}

/** The SHA-256 of schema files (package-relative), as a cache file records it. */
export function schemaFilesHash(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(packagePath(...f.split('/')))).update('\0');
  return h.digest('hex');
}

/** The cache file of a schema (package-relative path). */
export function schemaCacheFile(rel: string): string {
  return packagePath(...SCHEMA_CACHE_DIR, `${rel.replace(/\.json$/, '')}.cjs`);
}

/** Whether a cache module was compiled from `rel` as its files read now. */
export function isFresh(m: CachedSchemaModule, rel: string): boolean {
  return typeof m === 'function' && m.files[0] === rel && schemaFilesHash(m.files) === m.sha256;
}

/** The build-time validator of a bundled schema file when one is there and fresh, else undefined. */
export function cachedValidator(schemaFile: string): ((value: unknown) => boolean) | undefined {
  const abs = resolve(schemaFile);
  if (looked.has(abs)) return looked.get(abs);
  let found: ((value: unknown) => boolean) | undefined;
  const rel = packageRelative(abs);
  const file = rel !== undefined ? schemaCacheFile(rel) : undefined;
  if (file !== undefined && existsSync(file)) {
    try {
      const m = load(file) as CachedSchemaModule;
      if (isFresh(m, rel as string)) found = m;
    } catch {
      // A cache that does not load (or names a file that is gone) is not used: ajv compiles the schema.
    }
  }
  looked.set(abs, found);
  return found;
}
