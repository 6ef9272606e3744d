/**
 * Errors of the lab layer: bad lab files, shard specs and queue addresses are `usage` (exit 2); a queue
 * or an agent that goes away during a run is `broken`.
 */
import { PayhilError, type Verdict } from '../common/payhil-error.js';

export class LabError extends PayhilError {
  constructor(code: string, message: string, verdict: Verdict = 'usage') {
    super(code, message, { verdict });
  }
}

/** A `--shard` value that is not `i/n` with 1 ≤ i ≤ n. */
export class ShardSpecError extends LabError {
  constructor(readonly spec: string) {
    super('E_LAB_SHARD', `--shard: '${spec}' is not i/n with 1 <= i <= n (e.g. 2/4)`);
  }
}

/** A worker process or lab agent went away while it held a scenario. */
export class WorkerLostError extends LabError {
  constructor(
    readonly worker: string,
    reason: string,
  ) {
    super('E_LAB_WORKER_LOST', `${worker} was lost: ${reason}`, 'broken');
  }
}

/**
 * A bench failed its health check: a part did not answer within its bound (`E_LAB_HEALTH_TIMEOUT`) or
 * the terminal answered no status (`E_LAB_HEALTH_NO_STATUS`). A lab fault: `broken`.
 */
export class BenchHealthError extends LabError {
  constructor(
    code: 'E_LAB_HEALTH_TIMEOUT' | 'E_LAB_HEALTH_NO_STATUS',
    /** The part that failed: `bench 'name'`, `the bench setup`, `the terminal`… */
    readonly part: string,
    message: string,
    /** The bound it did not answer within, ms (timeouts only). */
    readonly timeoutMs?: number,
  ) {
    super(code, message, 'broken');
  }
}
