import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { findFixture, fixtureNames } from '../common/fixture-search.js';
import { packagePath } from '../common/project-root.js';
import { loadYamlFixture } from '../common/schema-check.js';
import type { CardFixture } from './card-fixture.js';
import { CardFixtureError } from './errors.js';

/** The JSON Schema of card fixtures. */
export function cardSchemaPath(): string {
  return packagePath('harness', 'cards', 'card.schema.json');
}

/** Folder of the bundled card fixtures. */
export function bundledCardsDir(): string {
  return packagePath('fixtures', 'cards');
}

/** Names of the bundled card fixtures, sorted. */
export function listBundledCards(): string[] {
  return readdirSync(bundledCardsDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** True when `ref` names a file rather than a bundled fixture. */
function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.ya?ml$/i.test(ref);
}

/**
 * Where a card reference points: a path (relative to `baseDir`) when it looks like one, else a fixture
 * next to `baseDir` (for `extends`), else `cards/NAME.yaml` of the scenario pack's fixtures, else the bundled one.
 */
export function resolveCardRef(ref: string, baseDir?: string): string {
  if (looksLikePath(ref)) return isAbsolute(ref) ? ref : resolve(baseDir ?? process.cwd(), ref);
  if (baseDir) {
    const local = resolve(baseDir, `${ref}.yaml`);
    if (existsSync(local)) return local;
  }
  return findFixture('cards', ref) ?? resolve(bundledCardsDir(), `${ref}.yaml`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge for `extends`: objects merge key by key, arrays and scalars of the child replace. */
export function mergeCardFields(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeCardFields(b, v) : v;
  }
  return out;
}

const REQUIRED = [
  'pan',
  'psn',
  'expiry',
  'serviceCode',
  'pin',
  'pinTryLimit',
  'interfaces',
  'keys',
  'applications',
];

/**
 * Loads a card fixture by bundled name (`cup-debit`) or path, validates it against card.schema.json
 * (located errors: LocatedError), and resolves `extends` chains (at most 8 deep, no cycles).
 * The returned object is fresh on every call; fixture files are never written.
 */
export function loadCardFixture(ref: string, options: { cwd?: string } = {}): CardFixture {
  const chain: string[] = [];
  const load = (r: string, baseDir: string | undefined): Record<string, unknown> => {
    const file = resolveCardRef(r, baseDir);
    if (!existsSync(file)) {
      const hint = looksLikePath(r) ? '' : ` (cards: ${fixtureNames('cards').join(', ')})`;
      throw new CardFixtureError(r, `not found at ${file}${hint}`);
    }
    if (chain.includes(file))
      throw new CardFixtureError(r, `extends cycle: ${[...chain, file].join(' -> ')}`);
    if (chain.length >= 8) throw new CardFixtureError(r, 'extends chain deeper than 8');
    chain.push(file);
    const doc = loadYamlFixture<Record<string, unknown>>(file, cardSchemaPath());
    const parent = typeof doc.extends === 'string' ? doc.extends : undefined;
    if (parent === undefined) return doc;
    const base = load(parent, dirname(file));
    const merged = mergeCardFields(base, doc);
    delete merged.extends;
    return merged;
  };
  const value = load(ref, options.cwd);
  const missing = REQUIRED.filter((k) => value[k] === undefined);
  if (missing.length) throw new CardFixtureError(ref, `missing ${missing.join(', ')} after extends`);
  const fixture = value as unknown as CardFixture;
  if (!fixture.name) fixture.name = basename(ref).replace(/\.ya?ml$/i, '');
  return structuredClone(fixture);
}
