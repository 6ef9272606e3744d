/**
 * `payhil run --jobs N`: the scenarios on N benches of the same kind in N worker processes (embedded
 * benches bind their own free ports; spawned-emulator benches their own ports and ptys), merged into the
 * report a serial run writes. A worker that dies mid-scenario is replaced and its scenario runs again
 * once; Ctrl-C stops taking scenarios, lets the running ones finish and reports what ran.
 */
import { runPool } from '../lab/index.js';
import type { HistoryRecorder, ScenarioRecord } from '../report/index.js';
import type { RunSummary } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';
import type { BenchSpec } from '../lab/index.js';
import { ForkedWorker, type IndexedScenario } from './forked-worker.js';
import { MergedRun } from './merged-run.js';
import type { WorkerRunOptions } from './run-worker-protocol.js';

export interface ParallelRunOptions extends WorkerRunOptions {
  jobs: number;
  bench: BenchSpec;
  resultsDir: string;
  junitFile?: string;
  bail?: boolean;
  write: (line: string) => void;
  /** Appends the run's record to the run history (as a local run's; bench named by its facts). */
  history?: HistoryRecorder;
}

/** Runs `scenarios` (catalogue order) on `jobs` forked benches; resolves with the merged summary. */
export async function runParallel(
  scenarios: readonly Scenario[],
  o: ParallelRunOptions,
): Promise<RunSummary> {
  const merged = new MergedRun(scenarios, {
    resultsDir: o.resultsDir,
    write: o.write,
    ...(o.junitFile !== undefined ? { junitFile: o.junitFile } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  const jobs = Math.max(1, Math.min(o.jobs, scenarios.length));
  let stopped = false;
  let failed = false;
  let interrupts = 0;
  const workers = new Set<ForkedWorker>();
  const onSignal = (): void => {
    stopped = true;
    if (++interrupts === 1) o.write('run: stopping: the running scenarios finish, no new one starts');
    else for (const w of workers) void w.close(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const benches: string[] = [];
  o.write(
    `payhil run: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} on ${jobs} benches${o.seed !== undefined ? `, seed ${o.seed}` : ''}`,
  );
  const runOptions: WorkerRunOptions = {
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(o.defaultWithinMs !== undefined ? { defaultWithinMs: o.defaultWithinMs } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.replayArgs !== undefined ? { replayArgs: o.replayArgs } : {}),
  };
  try {
    const outcome = await runPool<IndexedScenario, ScenarioRecord>(
      scenarios.map((scenario, index) => ({ index, scenario })),
      {
        jobs,
        async start(slot) {
          const w = await ForkedWorker.start(`worker-${slot + 1}`, o.bench, runOptions);
          workers.add(w);
          if (benches.length === 0)
            merged.setEnvironment({
              ...w.facts,
              jobs: String(jobs),
              ...(o.seed !== undefined ? { seed: String(o.seed) } : {}),
            });
          benches.push(w.name);
          return {
            name: w.name,
            run: (item) => w.run(item),
            close: async () => {
              workers.delete(w);
              await w.close();
            },
          };
        },
        onResult(item, record) {
          merged.add(record);
          if (record.status === 'failed' || record.status === 'broken') failed = true;
        },
        onLost(item, worker, error, requeued) {
          if (requeued)
            merged.addRetry(item.index, 'broken', `${error.message}; run again`, worker, Date.now());
        },
        stopped: () => stopped || (o.bail === true && failed),
      },
    );
    for (const l of outcome.lost) merged.addMissing(l.item.index, 'broken', l.error.message);
    if (!stopped && !(o.bail && failed))
      for (const u of outcome.unrun) merged.addMissing(u.item.index, 'broken', u.reason);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const summary = { ...merged.finish(), ...(o.seed !== undefined ? { seed: o.seed } : {}) };
  const facts = merged.facts;
  await o.history?.recordMerged(summary, { name: facts.bench ?? 'unknown', facts, scenarios });
  return summary;
}
