/**
 * Which lab file and bench `--lab`/`--bench` name. Loaded by `payhil run` only when one of them is given:
 * the lab benches' drivers are not part of an embedded run's start-up.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAB_SCHEMA, resolveLabFile, type LabFile } from '../bench/lab-bench.js';
import { fixtureDirs } from '../common/fixture-search.js';
import { loadYamlFixture } from '../common/schema-check.js';
import { UsageError } from './usage-error.js';

/** Benches of the lab files in fixtures/labs/ (of `cwd`, then payhil's own): bench name → files. */
export function labBenches(cwd: string): Map<string, string[]> {
  const dirs = [...new Set([resolve(cwd, 'fixtures', 'labs'), ...fixtureDirs().map((d) => join(d, 'labs'))])];
  const benches = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      const file = join(dir, f);
      // A local file shadows payhil's own of the same name.
      if (seen.has(f)) continue;
      seen.add(f);
      let lab: LabFile;
      try {
        lab = loadYamlFixture<LabFile>(file, LAB_SCHEMA);
      } catch {
        continue; // an invalid lab file names no bench; --lab FILE reports its errors
      }
      for (const name of lab.benches ? Object.keys(lab.benches) : [lab.name])
        benches.set(name, [...(benches.get(name) ?? []), file]);
    }
  }
  return benches;
}

/**
 * The lab file and bench for --lab/--bench: `--bench NAME` alone is fixtures/labs/NAME.yaml when there is
 * one, else the lab file that defines a bench NAME (UsageError listing the benches when none or several do).
 */
export function chooseLabBench(
  lab: string | undefined,
  bench: string | undefined,
  cwd: string,
): { file: string; bench?: string } | undefined {
  if (lab !== undefined || bench === undefined) {
    const file = resolveLabFile({ ...(lab !== undefined ? { lab } : {}), cwd });
    return file ? { file, ...(bench !== undefined ? { bench } : {}) } : undefined;
  }
  const own = [
    resolve(cwd, 'fixtures', 'labs', `${bench}.yaml`),
    ...fixtureDirs().map((d) => join(d, 'labs', `${bench}.yaml`)),
  ];
  if (own.some((f) => existsSync(f))) return { file: resolveLabFile({ bench, cwd }) as string };
  const benches = labBenches(cwd);
  const files = benches.get(bench) ?? [];
  // Grouped by file: "fixtures/labs/emulator-process.yaml: ecr-serial, web…; fixtures/labs/embedded.yaml: embedded".
  const byFile = new Map<string, string[]>();
  for (const [name, fs] of benches)
    for (const f of fs) byFile.set(relativeLab(f), [...(byFile.get(relativeLab(f)) ?? []), name]);
  const list = [...byFile].map(([f, names]) => `${f}: ${names.sort().join(', ')}`).join('; ');
  if (files.length === 0) throw new UsageError(`run: no bench named '${bench}'; the lab files have: ${list}`);
  if (files.length > 1)
    throw new UsageError(
      `run: bench '${bench}' is in ${files.map(relativeLab).join(' and ')}; choose one with --lab FILE`,
    );
  return { file: files[0] as string, bench };
}

function relativeLab(file: string): string {
  return `fixtures/labs/${file.split(/[\\/]/).pop() as string}`;
}
