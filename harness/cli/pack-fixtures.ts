/**
 * How `validate`, `list` and `run` find a scenario pack's fixtures: `--fixtures DIR` (repeatable, first
 * wins), else the pack found from the first path given (or the current folder): the nearest folder at or
 * above it with a `fixtures/` folder or a `package.json`, its `fixtures/` when it has one. The pack's
 * fixtures take precedence over payhil's bundled ones; each pack fixture that hides a bundled one of the
 * same name is warned about once per command, naming both files.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  findPackFixtures,
  packFixtureDirs,
  shadowWarning,
  shadowedFixtures,
  usePackFixtures,
} from '../common/fixture-search.js';
import type { CliIo } from './command.js';
import { UsageError } from './usage-error.js';

/** Sets this process's (and its children's) pack fixture folders; returns them. */
export function configurePack(
  io: CliIo,
  command: string,
  fixtures: readonly string[] | undefined,
  paths: readonly string[],
): string[] {
  if (fixtures && fixtures.length > 0) {
    const dirs = fixtures.map((f) => resolve(io.cwd, f));
    for (const [i, d] of dirs.entries())
      if (!existsSync(d) || !statSync(d).isDirectory())
        throw new UsageError(`${command}: --fixtures ${fixtures[i] as string}: no such folder`);
    usePackFixtures(dirs);
  } else {
    const found = findPackFixtures(resolve(io.cwd, paths[0] ?? '.'));
    usePackFixtures(found ? [found] : []);
  }
  for (const s of shadowedFixtures()) io.err(shadowWarning(s));
  return packFixtureDirs();
}
