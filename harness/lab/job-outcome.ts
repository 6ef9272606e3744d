/**
 * A queued job's state and the job itself, read in that order. BullMQ moves a job to `completed` or
 * `failed` in the same script that writes its return value or failure reason, so a job read after its
 * state says it ended carries them. Read the other way round — the job, then `job.getState()` — a job
 * that ended between the two reads looked ended with its active snapshot's return value: none, and its
 * scenario vanished from the run (seen once in CI: a queued run's JUnit one scenario short).
 */
import type { Job, Queue } from 'bullmq';

/** What the outcome needs of a queue. */
export type JobReader = Pick<Queue, 'getJob' | 'getJobState'>;

export interface JobOutcome {
  /** BullMQ's state: `waiting`, `active`, `completed`, `failed`, … or `unknown`. */
  state: string;
  /** The job, read after its state; undefined when it is gone. */
  job: Job | undefined;
}

export async function jobOutcome(queue: JobReader | undefined, id: string): Promise<JobOutcome> {
  if (!queue) return { state: 'unknown', job: undefined };
  const state = await queue.getJobState(id);
  const job = await queue.getJob(id);
  return { state, job };
}
