/**
 * `npm run bench [-- FILTER…]`: runs every compiled `*.bench.js` under dist/ (or those whose path contains
 * one of the filters), each in its own node process with --expose-gc so heap figures are not shared,
 * one after the other so they do not compete for the two cores.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packagePath } from '../../harness/common/project-root.js';

function find(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.bench.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const root = packagePath('dist');
const files = find(root)
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`bench: no benchmark matches ${filters.join(' ') || '(all)'}`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n# ${relative(root, file)}`);
  const r = spawnSync(process.execPath, ['--expose-gc', file], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${relative(root, file)} exited with ${r.status ?? r.signal}`);
  }
}
console.log(`\nbench: ${files.length - failed} of ${files.length} benchmarks ran; figures in reports/bench/`);
process.exit(failed ? 1 : 0);
