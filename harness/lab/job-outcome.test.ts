import assert from 'node:assert/strict';
import type { Job } from 'bullmq';
import { describe, it } from 'mocha';
import { jobOutcome, type JobReader } from './job-outcome.js';

/**
 * One job of a queue, as BullMQ keeps it: its state and its hash. `getJob` hands out a snapshot of the
 * hash (with `getState()` reading the queue's current state, as BullMQ's Job does). The job ends right
 * after the first read, whichever it is: the moment an agent finishes it while the run polls.
 */
function queueEndingAtFirstRead(record: unknown): JobReader & { reads: string[] } {
  let state = 'active';
  let returnvalue: unknown = null;
  const reads: string[] = [];
  const end = (): void => {
    if (reads.length === 1) {
      state = 'completed';
      returnvalue = record;
    }
  };
  const getJobState = (): Promise<string> => {
    reads.push('state');
    const now = state;
    end();
    return Promise.resolve(now);
  };
  return {
    reads,
    getJobState: getJobState as JobReader['getJobState'],
    getJob: (() => {
      reads.push('job');
      const snapshot = { id: 'j1', returnvalue, stalledCounter: 0, getState: getJobState };
      end();
      return Promise.resolve(snapshot as unknown as Job);
    }) as JobReader['getJob'],
  };
}

describe('lab: reading a queued job', () => {
  it('a job that ends between the two reads is never seen ended without its record', async () => {
    const record = { index: 3, start: 1 };
    const q = queueEndingAtFirstRead(record);
    const first = await jobOutcome(q, 'j1');
    // Read in the old order (the job, then its state) this was `completed` with no return value, and
    // the scenario was dropped.
    if (first.state === 'completed') assert.deepEqual(first.job?.returnvalue, record);
    else assert.equal(first.state, 'active', 'seen as still running: the next poll takes its record');
    const second = await jobOutcome(q, 'j1');
    assert.equal(second.state, 'completed');
    assert.deepEqual(second.job?.returnvalue, record);
    assert.deepEqual(q.reads.slice(0, 2), ['state', 'job'], 'the state first, then the job');
  });

  it('no queue (a pool never opened): unknown, no job', async () => {
    assert.deepEqual(await jobOutcome(undefined, 'j1'), { state: 'unknown', job: undefined });
  });
});
