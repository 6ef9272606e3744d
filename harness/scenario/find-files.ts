import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const YAML = /\.ya?ml$/i;
/**
 * The replay host fixture `payhil record` writes beside its scenario (host/replay-fixture.ts names it;
 * this layer sits below and repeats it): not a scenario, so a folder search passes it by.
 */
const REPLAY_FIXTURE = 'replay-host.yaml';

/**
 * The YAML files named by `paths` (files as given, folders searched recursively; hidden folders,
 * node_modules and replay host fixtures skipped), sorted, without duplicates. Paths that do not exist are returned in `missing`.
 */
export function findYamlFiles(
  paths: readonly string[],
  cwd = process.cwd(),
): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (YAML.test(name) && name !== REPLAY_FIXTURE) files.add(p);
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(abs);
    else files.add(abs);
  }
  return { files: [...files].sort(), missing };
}
