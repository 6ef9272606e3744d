/**
 * Allure's history (trend graphs, retries history) kept per bench, under the history folder
 * (reports/history/allure/BENCH/): a 12-scenario web run after a 61-scenario embedded run is not a drop
 * from 61 to 12, each bench has its own trend. And the marker a run leaves in its results folder, which
 * says whose results these are.
 */
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The marker file in a results folder: `{ run, bench, history }`. */
export const RUN_MARKER = 'payhil-run.json';

export interface RunMarker {
  /** Run id. */
  run: string;
  /** Bench name. */
  bench: string;
  /** The history folder the run's record went to. */
  history: string;
}

/** The folder of `bench`'s Allure history under the history folder `historyRoot`. */
export function benchHistoryDir(historyRoot: string, bench: string): string {
  return join(historyRoot, 'allure', bench.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_'));
}

/** The results folder's marker, undefined when there is none or it is not one. */
export function readRunMarker(resultsDir: string): RunMarker | undefined {
  const file = join(resultsDir, RUN_MARKER);
  if (!existsSync(file)) return undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunMarker>;
    if (typeof m.run === 'string' && typeof m.bench === 'string' && typeof m.history === 'string')
      return { run: m.run, bench: m.bench, history: m.history };
  } catch {
    // not a marker
  }
  return undefined;
}

/** Puts the bench's Allure history into the results folder (replacing what is there). */
export function carryBenchHistory(resultsDir: string, historyDir: string): void {
  rmSync(join(resultsDir, 'history'), { recursive: true, force: true });
  if (existsSync(historyDir)) cpSync(historyDir, join(resultsDir, 'history'), { recursive: true });
}

/** Keeps the new report's history as the bench's. */
export function keepBenchHistory(reportDir: string, historyDir: string): void {
  const from = join(reportDir, 'history');
  if (!existsSync(from)) return;
  rmSync(historyDir, { recursive: true, force: true });
  cpSync(from, historyDir, { recursive: true });
}
