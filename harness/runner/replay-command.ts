/**
 * The command that replays one scenario run exactly: its file, the run's seed and its run id
 * (`payhil run FILE --seed N --only ID`), plus the options that chose the bench (`--defect`, `--bench`…).
 */
import { isAbsolute, relative } from 'node:path';
import type { ScenarioRun } from './scenario-run.js';

/** `text` as one POSIX shell word (single-quoted when it holds anything but safe characters). */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * `payhil run FILE --seed SEED --only ID [extra…]` for `run` (FILE relative to `cwd` when under it);
 * undefined when the run has no seed.
 */
export function replayCommand(
  run: ScenarioRun,
  extraArgs: readonly string[] = [],
  cwd = process.cwd(),
): string | undefined {
  if (run.seed === undefined) return undefined;
  const file = run.scenario.file;
  const rel = isAbsolute(file) ? relative(cwd, file) : file;
  const shown = rel.startsWith('..') || isAbsolute(rel) ? file : rel;
  return ['payhil run', shellWord(shown), '--seed', String(run.seed), '--only', shellWord(run.scenario.id)]
    .concat(extraArgs.map(shellWord))
    .join(' ');
}
