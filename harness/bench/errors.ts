/**
 * Errors of the bench layer. A bench that cannot do its part (operator silent, capability missing) is a
 * lab fault: verdict `broken`. Bad lab files are `usage`. The errors of the capability contracts
 * (BrokenError, InactiveDriverError, UnknownCardError) live in harness/capabilities/errors.ts.
 */
import { PayhilError } from '../common/payhil-error.js';

/** A step asked for a capability the bench does not offer. */
export class CapabilityMissingError extends PayhilError {
  constructor(
    readonly capability: string,
    readonly bench: string,
  ) {
    super('E_BENCH_CAPABILITY', `the bench '${bench}' has no ${capability}`, { verdict: 'broken' });
  }
}

/** The operator did not answer in time, or the run is not interactive. */
export class OperatorTimeoutError extends PayhilError {
  constructor(
    readonly prompt: string,
    reason: string,
  ) {
    super('E_BENCH_OPERATOR', `operator did not answer '${prompt}': ${reason}`, { verdict: 'broken' });
  }
}

/** A lab file or bench option that cannot be used. */
export class BenchConfigError extends PayhilError {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super('E_BENCH_CONFIG', message, { verdict: 'usage' });
  }
}
