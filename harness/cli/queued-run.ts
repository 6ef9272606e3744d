/**
 * `payhil run --queue`: the scenarios spread over the lab's benches through BullMQ (lab/distributed-run),
 * the records merged into the report a serial run writes (merged-run). Ctrl-C or SIGTERM (a cancelled CI
 * job) cancels: the queued scenarios are removed, the running ones finish, no job or lock stays behind.
 */
import { connectRedis, LabStore, parseRedisAddress, runDistributed } from '../lab/index.js';
import { RedisHistoryStore, type HistoryRecorder, type ScenarioRecord } from '../report/index.js';
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
  /**
   * Appends the run's record to the run history. The bench of a queued run is the lab's queue: named
   * `queue`, or `queue[TAG,…]` with --bench-tag (the benches that ran it vary with the agents up; their
   * names are in the facts' `benches`).
   */
  history?: HistoryRecorder;
}

/** How long the lab's Redis may take to take the run's record (ms). */
const SHARED_HISTORY_MS = 5000;

/** The history's bench name of a queued run: `queue`, or `queue[a,b]` with bench tags (sorted). */
export function queuedBenchName(benchTags: readonly string[]): string {
  return benchTags.length === 0 ? 'queue' : `queue[${[...benchTags].sort().join(',')}]`;
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
  } catch (e) {
    redis.disconnect();
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  try {
    const name = queuedBenchName(o.benchTags);
    merged.setEnvironment({
      bench: name,
      queue: address.display,
      benches: [...benches].sort().join(', '),
      ...(o.benchTags.length > 0 ? { 'bench-tags': [...o.benchTags].sort().join(', ') } : {}),
    });
    const summary = { ...merged.finish(), ...(o.seed !== undefined ? { seed: o.seed } : {}) };
    await o.history?.recordMerged(summary, { name, facts: merged.facts, scenarios });
    // The same record on the lab's Redis: the team's queued runs in one place (`payhil diff --queue URL`).
    const record = o.history?.record;
    if (record) {
      const shared = new RedisHistoryStore(redis, address.display);
      let timer: NodeJS.Timeout | undefined;
      try {
        // Bounded: a Redis lost at the end of the run costs the shared copy, not a hung run.
        await Promise.race([
          shared.append(record),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${SHARED_HISTORY_MS} ms`)),
              SHARED_HISTORY_MS,
            );
          }),
        ]);
        o.write(`history: also on the lab's Redis (${shared.where})`);
      } catch (e) {
        o.write(`history: not on the lab's Redis: ${(e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return summary;
  } finally {
    redis.disconnect();
  }
}
