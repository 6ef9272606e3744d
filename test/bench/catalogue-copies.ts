/**
 * Corpora made from the bundled catalogue for benchmarks and the long-run memory test: `copies` copies
 * of `scenarios/` under `DEST/scenarios/xNN/`, each scenario's id prefixed with `xNN/` (an explicit `id:`
 * is rewritten, a default one follows from the path), shared step files copied along so every include
 * resolves inside its copy.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packagePath } from '../../harness/common/project-root.js';

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** The copy's prefix: x01, x02, … */
export function copyPrefix(i: number): string {
  return `x${String(i + 1).padStart(2, '0')}`;
}

/** Writes `copies` prefixed copies of the bundled catalogue under `dest/scenarios`; returns that folder. */
export function writeCatalogueCopies(dest: string, copies: number): string {
  const source = packagePath('scenarios');
  const files = yamlFiles(source);
  const root = join(dest, 'scenarios');
  for (let i = 0; i < copies; i++) {
    const prefix = copyPrefix(i);
    for (const f of files) {
      const to = join(root, prefix, relative(source, f));
      mkdirSync(join(to, '..'), { recursive: true });
      // The editor's schema line points at payhil's schemas from the copy's place.
      const text = readFileSync(f, 'utf8').replace(
        /\$schema=(?:\.\.\/)+harness\/scenario\/([\w.-]+)/g,
        (_, schema: string) =>
          `$schema=${relative(join(to, '..'), packagePath('harness', 'scenario', schema))}`,
      );
      writeFileSync(to, f.endsWith('.steps.yaml') ? text : text.replace(/^id: (.+)$/gm, `id: ${prefix}/$1`));
    }
  }
  return root;
}

/**
 * A corpus of `runs` cheap runs: one scenario file (a sign-in and a declined chip purchase, as
 * account/risk-control) expanded by a matrix, split over files of at most 250 combinations.
 */
export function writeMatrixCorpus(dest: string, runs: number): string {
  const source = packagePath('scenarios');
  const root = join(dest, 'scenarios');
  mkdirSync(join(root, 'common'), { recursive: true });
  for (const f of readdirSync(join(source, 'common')))
    writeFileSync(join(root, 'common', f), readFileSync(join(source, 'common', f)));
  const text = readFileSync(join(source, 'account', 'risk-control.yaml'), 'utf8');
  mkdirSync(join(root, 'many'), { recursive: true });
  for (let file = 0, left = runs; left > 0; file++) {
    const n = Math.min(250, left);
    left -= n;
    const values = Array.from({ length: n }, (_, k) => file * 250 + k + 1).join(', ');
    const body = text
      .replace(/^title: (.+)$/m, `title: $1 (copy \${n})\nmatrix:\n  n: [${values}]`)
      .replace(
        /respond: \{ fields: \{ '39': '59' \} \}/,
        `respond: { fields: { '39': '59' } }  # copy \${n}`,
      );
    writeFileSync(join(root, 'many', `risk-${file + 1}.yaml`), body);
  }
  return root;
}
