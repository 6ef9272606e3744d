/**
 * One scenario on a bench that stays active, as a record: what a `--jobs` worker process and a lab agent
 * do for each scenario they are given (the runner's own run, retries included, captured for the merge).
 */
import type { Bench } from '../bench/index.js';
import { RecordingReporter, recordOfRun, type ScenarioRecord } from '../report/index.js';
import { Timeline, runScenarios } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';

export interface RunOneOptions {
  retries?: number;
  defaultWithinMs?: number;
  /** The run's seed (the scenario draws from scenarioSeed(seed, id)). */
  seed?: number;
  /** `payhil run` options a failing run's replay command repeats. */
  replayArgs?: string[];
}

/** Runs `scenario` (catalogue position `index`) on `bench`; the bench is left active. */
export async function runOneScenario(
  bench: Bench,
  scenario: Scenario,
  index: number,
  options: RunOneOptions,
): Promise<ScenarioRecord> {
  const recorder = new RecordingReporter(bench.name, () => index);
  await runScenarios([scenario], {
    bench,
    reporters: [recorder],
    keepActive: true,
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.defaultWithinMs !== undefined ? { defaultWithinMs: options.defaultWithinMs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.replayArgs !== undefined ? { replayArgs: options.replayArgs } : {}),
  });
  const record = recorder.records[0];
  if (record) return record;
  const now = Date.now();
  return recordOfRun(
    {
      scenario,
      status: 'broken',
      category: 'lab',
      message: `bench '${bench.name}' gave no result for ${scenario.id}`,
      start: now,
      stop: now,
      steps: [],
      timeline: new Timeline(now),
      captures: {},
      attempt: 1,
    },
    index,
    bench.name,
  );
}
