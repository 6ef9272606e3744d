/**
 * Where fixtures are found by name: a scenario pack's `fixtures/` folders first (in order), then payhil's
 * bundled `fixtures/`. One search path serves every loader (cards, terminal profiles, hosts, dialects,
 * labs) and `validate`, so what `validate` accepts is what `run` finds.
 *
 * The pack's folders come from `usePackFixtures` (the CLI calls it once per command) or, in a process
 * started by one (a forked run worker, an emulator process of a lab bench), from the environment
 * variable PAYHIL_FIXTURES that `usePackFixtures` sets (folders separated by the platform's path
 * delimiter), so children find the same fixtures as their parent.
 *
 * Only names are looked up here (`FIXTURE_NAME`): a name is never taken for a path, so a name read over
 * the wire cannot make payhil read a file outside the fixture folders.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { packagePath } from './project-root.js';

/** The environment variable carrying the pack's fixture folders to child processes. */
export const PACK_FIXTURES_ENV = 'PAYHIL_FIXTURES';

/** Fixture kinds: the folders under `fixtures/`. */
export const FIXTURE_KINDS = ['cards', 'terminals', 'hosts', 'dialects', 'labs'] as const;
export type FixtureKind = (typeof FIXTURE_KINDS)[number];

/** A fixture name: letters, digits, `.`, `_`, `-`, 1 to 64 characters, not starting with `.` or `-`. */
export const FIXTURE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

let explicit: string[] | undefined;

/**
 * Makes `dirs` (folders holding `cards/`, `terminals/`, …) the pack's fixture folders of this process and
 * of the processes it starts. Folders equal to the bundled one are dropped. An empty list clears them.
 */
export function usePackFixtures(dirs: readonly string[]): void {
  const bundled = bundledFixturesDir();
  explicit = [...new Set(dirs.map((d) => resolve(d)))].filter((d) => d !== bundled);
  if (explicit.length) process.env[PACK_FIXTURES_ENV] = explicit.join(delimiter);
  else delete process.env[PACK_FIXTURES_ENV];
}

/** The pack's fixture folders, highest precedence first (none outside a pack). */
export function packFixtureDirs(): string[] {
  if (explicit) return [...explicit];
  const env = process.env[PACK_FIXTURES_ENV];
  if (!env) return [];
  const bundled = bundledFixturesDir();
  return [
    ...new Set(
      env
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => resolve(d)),
    ),
  ].filter((d) => d !== bundled);
}

/** payhil's own `fixtures/` folder. */
export function bundledFixturesDir(): string {
  return packagePath('fixtures');
}

/** Every fixture folder, searched in this order: the pack's, then the bundled one. */
export function fixtureDirs(): string[] {
  return [...packFixtureDirs(), bundledFixturesDir()];
}

/**
 * The file of fixture `name` of `kind` (`NAME.yaml`, else `NAME.yml`) in the first folder that has it,
 * or undefined (also for anything that is not a fixture name).
 */
export function findFixture(kind: FixtureKind, name: string): string | undefined {
  if (!FIXTURE_NAME.test(name) || /\.ya?ml$/i.test(name)) return undefined;
  for (const dir of fixtureDirs())
    for (const ext of ['.yaml', '.yml']) {
      const file = join(dir, kind, `${name}${ext}`);
      if (existsSync(file)) return file;
    }
  return undefined;
}

/** The fixture names of `kind` in `dir/kind/` (none when the folder cannot be read). */
function namesIn(dir: string, kind: FixtureKind): string[] {
  try {
    return readdirSync(join(dir, kind))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => f.replace(/\.ya?ml$/, ''))
      .filter((n) => FIXTURE_NAME.test(n));
  } catch {
    return [];
  }
}

/** Every fixture name of `kind` the search path offers, sorted, no repeats. */
export function fixtureNames(kind: FixtureKind): string[] {
  return [...new Set(fixtureDirs().flatMap((d) => namesIn(d, kind)))].sort();
}

/** A pack fixture that hides a bundled one of the same kind and name. */
export interface ShadowedFixture {
  kind: FixtureKind;
  name: string;
  /** The pack's file (the one used). */
  pack: string;
  /** The bundled file it hides. */
  bundled: string;
}

/** The pack fixtures whose names are also bundled ones (the pack's win), sorted by kind then name. */
export function shadowedFixtures(): ShadowedFixture[] {
  const out: ShadowedFixture[] = [];
  const bundledDir = bundledFixturesDir();
  for (const kind of FIXTURE_KINDS) {
    const bundled = new Set(namesIn(bundledDir, kind));
    const seen = new Set<string>();
    for (const dir of packFixtureDirs())
      for (const name of namesIn(dir, kind).sort()) {
        if (!bundled.has(name) || seen.has(name)) continue;
        seen.add(name);
        const pack = findFixture(kind, name) as string;
        const orig = [join(bundledDir, kind, `${name}.yaml`), join(bundledDir, kind, `${name}.yml`)].find(
          (f) => existsSync(f),
        ) as string;
        out.push({ kind, name, pack, bundled: orig });
      }
  }
  return out;
}

/** The warning for a shadowing fixture: names both files. */
export function shadowWarning(s: ShadowedFixture): string {
  return `warning: ${s.pack} shadows payhil's bundled ${s.kind.replace(/s$/, '')} '${s.name}' (${s.bundled}); the pack's is used`;
}

/**
 * The pack's fixtures folder found from `start` (a file or folder): the nearest folder at or above it
 * that has a `fixtures/` folder or a `package.json`; its `fixtures/` when it has one. Undefined when the
 * nearest such folder has none, or it is payhil's own.
 */
export function findPackFixtures(start: string): string | undefined {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  const bundled = bundledFixturesDir();
  for (;;) {
    const fixtures = join(dir, 'fixtures');
    const hasFixtures = existsSync(fixtures) && statSync(fixtures).isDirectory();
    if (hasFixtures) return fixtures === bundled ? undefined : fixtures;
    if (existsSync(join(dir, 'package.json'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
