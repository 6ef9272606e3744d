/**
 * `payhil run --queue`: the scenarios spread over the lab's benches through BullMQ (lab/distributed-run),
 * the records merged into the report a serial run writes (merged-run). Ctrl-C or SIGTERM (a cancelled CI
 * job) cancels: the queued scenarios are removed, the running ones finish, no job or lock stays behind.
 */
import { connectRedis, LabStore, parseRedisAddress, runDistributed } from '../lab/index.js';
import type { ScenarioRecord } from '../report/index.js';
import type { RunSummary } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';
import { MergedRun } from './merged-run.js';
import type { RunOneOptions } from './run-one-scenario.js';

export interface QueuedRunOptions extends RunOneOptions {
  queue: string;
  benchTags: string[];
  resultsDir: string;
  junitFile?: string;
  /** Wait for an agent of a pool that has none (ms). */
  noAgentWaitMs?: number;
  /** Wait for a lost Redis (ms). */
  redisLossMs?: number;
  /** Cancel the rest after the first scenario that does not pass. */
  bail?: boolean;
  write: (line: string) => void;
}

export async function runQueued(scenarios: readonly Scenario[], o: QueuedRunOptions): Promise<RunSummary> {
  const address = parseRedisAddress(o.queue);
  const redis = await connectRedis(address);
  redis.on('error', () => undefined);
  const store = new LabStore(redis);
  const merged = new MergedRun(scenarios, {
    resultsDir: o.resultsDir,
    write: o.write,
    ...(o.junitFile !== undefined ? { junitFile: o.junitFile } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  });
  let stopped = false;
  const onSignal = (): void => {
    stopped = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const benches = new Set<string>();
  try {
    await runDistributed<Scenario, ScenarioRecord>({
      address,
      store,
      scenarios,
      benchTags: o.benchTags,
      options: {
        ...(o.retries !== undefined ? { retries: o.retries } : {}),
        ...(o.defaultWithinMs !== undefined ? { defaultWithinMs: o.defaultWithinMs } : {}),
        ...(o.seed !== undefined ? { seed: o.seed } : {}),
        ...(o.replayArgs !== undefined ? { replayArgs: o.replayArgs } : {}),
      },
      onRecord(r) {
        benches.add(r.bench);
        merged.add(r);
        if (o.bail && (r.status === 'failed' || r.status === 'broken')) stopped = true;
      },
      onRetry(record) {
        merged.addRetryRecord(record);
      },
      onLostTry(index, message, start, stop) {
        merged.addRetry(index, 'broken', message, 'lost agent', start, stop);
      },
      onMissing(index, status, message) {
        merged.addMissing(index, status, message);
      },
      write: o.write,
      stopped: () => stopped,
      ...(o.noAgentWaitMs !== undefined ? { noAgentWaitMs: o.noAgentWaitMs } : {}),
      ...(o.redisLossMs !== undefined ? { redisLossMs: o.redisLossMs } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    redis.disconnect();
  }
  merged.setEnvironment({ queue: address.display, benches: [...benches].sort().join(', ') });
  return merged.finish();
}
