/**
 * The messages between `payhil run --jobs N` and its worker processes (Node IPC, advanced serialisation).
 * The parent sends `init` once, then one `run` at a time; the worker answers `ready`, then one `result`
 * per `run`; `stop` deactivates the bench and ends the worker.
 */
import type { ScenarioRecord } from '../report/index.js';
import type { Scenario } from '../scenario/index.js';
import type { BenchSpec } from '../lab/index.js';

/** Options of every scenario run (as `payhil run`'s). */
export interface WorkerRunOptions {
  retries?: number;
  defaultWithinMs?: number;
  /** The run's seed: a scenario draws the same values in any worker (scenarioSeed(seed, id)). */
  seed?: number;
  /** `payhil run` options a failing run's replay command repeats (bench, defects…). */
  replayArgs?: string[];
}

export type ToWorker =
  | { type: 'init'; bench: BenchSpec; options: WorkerRunOptions }
  | { type: 'run'; index: number; scenario: Scenario }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; bench: string; facts: Record<string, string> }
  | { type: 'result'; index: number; record: ScenarioRecord }
  | { type: 'error'; message: string };
