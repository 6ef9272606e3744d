/**
 * The BullMQ side shared by agents and runs: one queue per bench pool (plain BullMQ, no Pro groups),
 * the job a scenario becomes, and the options that make a job lock the bench's lease.
 */
import type { ConnectionOptions } from 'bullmq';
import type { RedisAddress } from './redis-address.js';

/** Key prefix of every BullMQ key of payhil. */
export const QUEUE_PREFIX = 'payhil';

/** The queue of a pool. */
export function poolQueueName(pool: string): string {
  return `pool-${pool}`;
}

/** One expanded scenario of a run, as a job's data. */
export interface ScenarioJob<S = unknown> {
  run: string;
  index: number;
  scenario: S;
  options: { retries?: number; defaultWithinMs?: number; seed?: number; replayArgs?: string[] };
}

/** A job's id: unique per run and scenario position. */
export function jobId(run: string, index: number): string {
  return `${run}-${index}`;
}

/** What an agent returns for a job of a cancelled run (nothing ran). */
export interface CancelledJob {
  cancelled: true;
}

/** BullMQ connection options (workers must not give up on a command while Redis reconnects). */
export function bullConnection(a: RedisAddress, forWorker: boolean): ConnectionOptions {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    maxRetriesPerRequest: forWorker ? null : 2,
  };
}
