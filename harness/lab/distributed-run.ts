/**
 * `payhil run --queue`: one BullMQ job per expanded scenario, in the queue of a pool whose benches offer
 * what the scenario requires (and carry the `--bench-tag`s), then the records collected as jobs finish.
 * Faults: a job whose agent died runs again on another bench of the pool (BullMQ's stalled-job check;
 * the lost try is shown as a retry); a job no agent serves is skipped after `noAgentWaitMs`; Redis lost
 * mid-run is waited for `redisLossMs`, then the unfinished scenarios are broken; `stopped()` (Ctrl-C)
 * removes the run's queued jobs, lets the running ones finish, and leaves no job and no lock behind.
 */
import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { LabError } from './errors.js';
import { jobOutcome } from './job-outcome.js';
import { matchesTags } from './inventory.js';
import type { BenchRegistration, BenchStatus, LabStore } from './lab-store.js';
import { bullConnection, jobId, poolQueueName, QUEUE_PREFIX, type ScenarioJob } from './lab-queue.js';
import type { RedisAddress } from './redis-address.js';

/** What the run needs of a scenario. */
export interface QueuedScenario {
  id: string;
  requires: readonly string[];
}

export interface DistributedRunOptions<S extends QueuedScenario, R extends { start: number }> {
  address: RedisAddress;
  store: LabStore;
  /** Catalogue order. */
  scenarios: readonly S[];
  benchTags?: readonly string[];
  options: ScenarioJob['options'];
  onRecord(record: R): void;
  /** An abandoned try with its record (bench turned unhealthy), shown as a retry. */
  onRetry(record: R): void;
  /** A try lost with its agent (job lock expired), from `start` to `stop` (epoch ms), shown as a retry. */
  onLostTry(index: number, message: string, start: number, stop: number): void;
  onMissing(index: number, status: 'broken' | 'skipped', message: string): void;
  write(line: string): void;
  stopped(): boolean;
  /** Wait for an agent on a pool that has none before skipping its scenarios. Default 60000. */
  noAgentWaitMs?: number;
  /** Wait for a lost Redis before breaking the unfinished scenarios. Default 30000. */
  redisLossMs?: number;
  /** After Ctrl-C, wait for running scenarios. Default 120000. */
  cancelWaitMs?: number;
  pollMs?: number;
}

interface Pool {
  name: string;
  capabilities: Set<string>;
  benches: BenchRegistration[];
  queue?: Queue;
  assigned: number;
}

interface Outstanding {
  index: number;
  pool: Pool;
  id: string;
  state: string;
  stalledSeen: number;
  /** When this run first saw the job active (the lost try's start). */
  activeAt?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pools of the lab that carry every tag filter (LabError usage for a tag no bench has). */
export function poolsOf(regs: readonly BenchRegistration[], benchTags: readonly string[]): Pool[] {
  for (const t of benchTags)
    if (!regs.some((b) => matchesTags(b.tags, [t]))) {
      const known = [
        ...new Set(regs.flatMap((b) => Object.entries(b.tags).map(([k, v]) => `${k}=${v}`))),
      ].sort();
      throw new LabError(
        'E_LAB_UNKNOWN_TAG',
        `--bench-tag ${t}: no bench has it (tags: ${known.join(', ') || 'none'})`,
      );
    }
  const pools = new Map<string, Pool>();
  for (const b of regs) {
    if (!matchesTags(b.tags, benchTags)) continue;
    let p = pools.get(b.pool);
    if (!p)
      pools.set(
        b.pool,
        (p = { name: b.pool, capabilities: new Set(b.capabilities), benches: [], assigned: 0 }),
      );
    else for (const c of p.capabilities) if (!b.capabilities.includes(c)) p.capabilities.delete(c);
    p.benches.push(b);
  }
  return [...pools.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs the scenarios on the lab; resolves when each has a record, a missing verdict, or the run stopped. */
export async function runDistributed<S extends QueuedScenario, R extends { start: number }>(
  o: DistributedRunOptions<S, R>,
): Promise<void> {
  const run = randomUUID().replace(/-/g, '').slice(0, 12);
  const pools = poolsOf(await o.store.registrations(), o.benchTags ?? []);
  const online = async (): Promise<Map<string, BenchStatus>> =>
    new Map((await o.store.status()).map((b) => [b.name, b]));
  let status = await online();
  // A pool can take work when one of its benches is served and neither reserved nor unhealthy.
  const servable = (p: Pool): boolean =>
    p.benches.some((b) => {
      const s = status.get(b.name)?.status;
      return s === 'idle' || s === 'running' || s === 'checking';
    });

  const outstanding = new Map<string, Outstanding>();
  const byPool = new Map<Pool, { name: string; data: ScenarioJob; opts: Record<string, unknown> }[]>();
  o.scenarios.forEach((s, index) => {
    const fit = pools.filter((p) => s.requires.every((r) => p.capabilities.has(r)));
    if (fit.length === 0) {
      o.onMissing(
        index,
        'skipped',
        `no bench in the lab offers ${s.requires.join(', ') || 'a bench'}${o.benchTags?.length ? ` with tags ${o.benchTags.join(', ')}` : ''}`,
      );
      return;
    }
    // Prefer pools with a live agent; spread over them by benches.
    const live = fit.filter(servable);
    const pool = (live.length ? live : fit).reduce((a, b) =>
      b.assigned / b.benches.length < a.assigned / a.benches.length ? b : a,
    );
    pool.assigned++;
    const id = jobId(run, index);
    outstanding.set(id, { index, pool, id, state: 'waiting', stalledSeen: 0 });
    const jobs = byPool.get(pool) ?? [];
    jobs.push({
      name: s.id,
      data: { run, index, scenario: s, options: o.options },
      opts: { jobId: id, attempts: 3, removeOnComplete: false, removeOnFail: false },
    });
    byPool.set(pool, jobs);
  });
  for (const [pool, jobs] of byPool) {
    pool.queue = new Queue(poolQueueName(pool.name), {
      connection: bullConnection(o.address, false),
      prefix: QUEUE_PREFIX,
    });
    pool.queue.on('error', () => undefined);
    await pool.queue.addBulk(jobs);
  }
  o.write(
    `payhil run: ${outstanding.size} scenario${outstanding.size === 1 ? '' : 's'} queued on ${byPool.size} pool${byPool.size === 1 ? '' : 's'} (${[...byPool.keys()].map((p) => `${p.name}: ${p.benches.map((b) => b.name).join(', ')}`).join('; ')}) as run ${run}`,
  );

  const noAgentWait = o.noAgentWaitMs ?? 60000;
  const redisLoss = o.redisLossMs ?? 30000;
  const pollMs = o.pollMs ?? 250;
  const unservedSince = new Map<Pool, number>();
  let lostSince: number | undefined;
  let cancelledAt: number | undefined;
  let lastProgress = '';
  let lastProgressAt = 0;

  const finishJob = async (x: Outstanding, job: Job | undefined): Promise<void> => {
    outstanding.delete(x.id);
    await job?.remove().catch(() => undefined);
  };

  try {
    while (outstanding.size > 0) {
      if (o.stopped() && cancelledAt === undefined) {
        cancelledAt = Date.now();
        o.write('run: cancelling: queued scenarios removed, running ones finish');
        await o.store.cancelRun(run).catch(() => undefined);
        for (const x of [...outstanding.values()]) {
          const job = await x.pool.queue?.getJob(x.id).catch(() => undefined);
          const state = job ? await job.getState().catch(() => 'unknown') : 'gone';
          // A job an agent took in the meantime is locked and cannot be removed: it stays outstanding,
          // ends (as cancelled) and is removed then, so no job or lock is left behind.
          if (state !== 'active' && state !== 'completed' && state !== 'failed') {
            const removed = job
              ? await job.remove().then(
                  () => true,
                  () => false,
                )
              : true;
            if (removed) outstanding.delete(x.id);
          }
        }
      }
      if (cancelledAt !== undefined && Date.now() - cancelledAt > (o.cancelWaitMs ?? 120000)) break;
      try {
        status = await online();
        for (const x of [...outstanding.values()]) {
          const { state, job } = await jobOutcome(x.pool.queue, x.id);
          if (!job) {
            outstanding.delete(x.id);
            if (cancelledAt === undefined)
              o.onMissing(x.index, 'broken', `job ${x.id} vanished from the queue`);
            continue;
          }
          x.state = state;
          if (state === 'active') x.activeAt ??= Date.now();
          if (state === 'completed' || state === 'failed') {
            // Lost tries end before the try that finished starts (Allure shows the latest as the result).
            const rv = job.returnvalue as (R & { cancelled?: boolean }) | null;
            const end = (rv?.start ?? job.processedOn ?? Date.now()) - 1;
            for (let i = 0; i < job.stalledCounter; i++)
              o.onLostTry(
                x.index,
                'the agent running it was lost (its job lock expired); run again on another bench',
                Math.min(x.activeAt ?? end, end),
                end,
              );
          }
          if (state === 'completed') {
            const rv = job.returnvalue as (R & { cancelled?: boolean }) | null;
            if (rv && !rv.cancelled) o.onRecord(rv);
            await finishJob(x, job);
          } else if (state === 'failed') {
            if (cancelledAt === undefined)
              o.onMissing(x.index, 'broken', job.failedReason || 'the job failed');
            await finishJob(x, job);
          }
        }
        for (const r of await o.store.takeRetries<R>(run)) o.onRetry(r);
        lostSince = undefined;
      } catch (e) {
        lostSince ??= Date.now();
        if (Date.now() - lostSince > redisLoss) {
          for (const x of outstanding.values())
            o.onMissing(
              x.index,
              'broken',
              `Redis at ${o.address.display} lost for ${Math.round(redisLoss / 1000)} s: ${(e as Error).message}`,
            );
          outstanding.clear();
          break;
        }
      }
      // Pools no live agent serves: their waiting scenarios are skipped after a bounded wait.
      for (const p of byPool.keys()) {
        if (servable(p)) unservedSince.delete(p);
        else if (!unservedSince.has(p)) unservedSince.set(p, Date.now());
        else if (Date.now() - (unservedSince.get(p) as number) > noAgentWait)
          for (const x of [...outstanding.values()])
            if (
              x.pool === p &&
              (x.state === 'waiting' || x.state === 'prioritized' || x.state === 'delayed')
            ) {
              const job = await p.queue?.getJob(x.id).catch(() => undefined);
              await finishJob(x, job);
              o.onMissing(
                x.index,
                'skipped',
                `no bench of pool ${p.name} can take work (${p.benches.map((b) => `${b.name}: ${status.get(b.name)?.status ?? 'offline'}`).join(', ')}) after ${Math.round(noAgentWait / 1000)} s`,
              );
            }
      }
      const running = [...status.values()].filter(
        (b) => b.activity?.state === 'running' && b.activity.run === run,
      );
      const queued = [...outstanding.values()].filter((x) => x.state !== 'active').length;
      const line = `progress: ${o.scenarios.length - outstanding.size} done, ${running.length} running${running.length ? ` (${running.map((b) => `${b.name}: ${b.activity?.scenario}`).join(', ')})` : ''}, ${queued} queued`;
      if (line !== lastProgress && Date.now() - lastProgressAt > 1000) {
        o.write(line);
        lastProgress = line;
        lastProgressAt = Date.now();
      }
      if (outstanding.size > 0) await sleep(pollMs);
    }
  } finally {
    for (const x of outstanding.values()) {
      const job = await x.pool.queue?.getJob(x.id).catch(() => undefined);
      await job?.remove().catch(() => undefined);
    }
    await o.store.forgetRun(run).catch(() => undefined);
    await Promise.all([...byPool.keys()].map((p) => p.queue?.close().catch(() => undefined)));
  }
}
