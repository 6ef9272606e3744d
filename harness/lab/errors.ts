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
