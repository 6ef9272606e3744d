import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PayhilError } from './payhil-error.js';

let cached: string | undefined;

/**
 * The folder of payhil's own package.json: bundled schemas, fixtures and scenarios are found from here,
 * whether the code runs from `dist/` or is installed as a package.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'payhil') return (cached = dir);
    }
    const parent = dirname(dir);
    // An installation without its package.json is a broken lab, not bad input.
    if (parent === dir)
      throw new PayhilError('E_PACKAGE_ROOT', 'payhil: cannot find its own package.json', {
        verdict: 'broken',
      });
    dir = parent;
  }
}

/** A path inside payhil's package (for bundled schemas, dialects, fixtures). */
export function packagePath(...parts: string[]): string {
  return resolve(packageRoot(), ...parts);
}
