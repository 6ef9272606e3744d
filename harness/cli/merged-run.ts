/**
 * The report side of a run whose scenarios come back as records (`--jobs N`, `--queue`): console lines
 * as records arrive (with the bench that ran each), then one Allure results folder, one JUnit file and
 * the console summary in catalogue order — the same report as a serial run's. Shared by the local worker
 * pool and the distributed run.
 */
import {
  ConsoleReporter,
  MergedResults,
  recordOfRun,
  runOfRecord,
  type ScenarioRecord,
} from '../report/index.js';
import { Timeline, type RunSummary, type ScenarioRun, type Status } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';

export interface MergedRunOptions {
  resultsDir: string;
  junitFile?: string;
  /** Console lines. */
  write: (line: string) => void;
  /** The run's seed (printed with the summary). */
  seed?: number;
}

export class MergedRun {
  private readonly console: ConsoleReporter;
  private readonly merged: MergedResults;
  private readonly start = Date.now();
  private environment: Record<string, string> = {};

  /** `scenarios` in catalogue order: a record's `index` is a position in it. */
  constructor(
    readonly scenarios: readonly Scenario[],
    private readonly options: MergedRunOptions,
  ) {
    this.console = new ConsoleReporter({ write: options.write });
    this.merged = new MergedResults({
      resultsDir: options.resultsDir,
      ...(options.junitFile !== undefined ? { junitFile: options.junitFile } : {}),
    });
  }

  /** Bench facts for environment.properties (the first bench's, plus `benches`). */
  setEnvironment(env: Record<string, string>): void {
    this.environment = env;
  }

  /** The facts set with setEnvironment (the run history records them as the bench's facts). */
  get facts(): Record<string, string> {
    return { ...this.environment };
  }

  /** Takes a scenario's final record; false when its scenario already has one (counted once). */
  add(record: ScenarioRecord): boolean {
    const s = this.scenarios[record.index];
    if (!s || s.id !== record.id || !this.merged.add(record)) return false;
    const run = runOfRecord(record, s);
    this.console.scenarioEnd(run);
    return true;
  }

  /** An attempt that was abandoned (worker or agent lost): shown in Allure as a retry. */
  addRetry(
    index: number,
    status: Status,
    message: string,
    bench: string,
    start: number,
    stop?: number,
  ): void {
    const s = this.scenarios[index];
    if (!s) return;
    this.merged.addRetry(recordOfRun(this.syntheticRun(s, status, message, start, stop), index, bench));
  }

  /** A whole record of an abandoned try (its steps and attachments kept): shown in Allure as a retry. */
  addRetryRecord(record: ScenarioRecord): void {
    const s = this.scenarios[record.index];
    if (s && s.id === record.id) this.merged.addRetry(record);
  }

  /** Records a scenario that produced no record (never ran, or lost on every try). */
  addMissing(index: number, status: Status, message: string, bench = 'none'): void {
    const s = this.scenarios[index];
    if (!s || this.merged.has(index)) return;
    this.add(recordOfRun(this.syntheticRun(s, status, message, Date.now()), index, bench));
  }

  private syntheticRun(
    s: Scenario,
    status: Status,
    message: string,
    start: number,
    stop?: number,
  ): ScenarioRun {
    return {
      scenario: s,
      status,
      category: status === 'skipped' ? 'skipped' : 'lab',
      message,
      ...(status === 'broken' ? { errorCode: 'E_LAB_WORKER_LOST' } : {}),
      start,
      stop: stop ?? Math.max(start, Date.now()),
      steps: [],
      timeline: new Timeline(start),
      captures: {},
      attempt: 1,
    };
  }

  has(index: number): boolean {
    return this.merged.has(index);
  }

  /** Writes the merged results and prints the summary; the summary's runs are in catalogue order. */
  finish(): RunSummary {
    this.merged.setEnvironment(this.environment);
    this.merged.write();
    const runs = this.merged.ordered().map((r) => runOfRecord(r, this.scenarios[r.index] as Scenario));
    const counts: Record<Status, number> = { passed: 0, failed: 0, broken: 0, skipped: 0 };
    for (const r of runs) counts[r.status]++;
    const summary: RunSummary = {
      runs,
      counts,
      start: this.start,
      stop: Date.now(),
      ...(this.options.seed !== undefined ? { seed: this.options.seed } : {}),
    };
    this.console.runEnd(summary);
    return summary;
  }
}
