/**
 * Errors of the bench layer. A bench that cannot do its part (device gone, host unreachable, operator
 * silent, capability missing) is a lab fault: verdict `broken`. Bad lab files are `usage`.
 */
import { PayhilError } from '../common/payhil-error.js';

/** The bench (a driver, a device, the lab) could not do its part: the scenario is broken, not failed. */
export class BrokenError extends PayhilError {
  constructor(
    message: string,
    readonly driver?: string,
    options: { code?: string; cause?: unknown } = {},
  ) {
    super(options.code ?? 'E_BENCH_BROKEN', message, { verdict: 'broken', cause: options.cause });
  }
}

/** A step asked for a capability the bench does not offer. */
export class CapabilityMissingError extends PayhilError {
  constructor(
    readonly capability: string,
    readonly bench: string,
  ) {
    super('E_BENCH_CAPABILITY', `the bench '${bench}' has no ${capability}`, { verdict: 'broken' });
  }
}

/** A driver was used while inactive (before activate() or after deactivate()). */
export class InactiveDriverError extends PayhilError {
  constructor(readonly driver: string) {
    super('E_BENCH_INACTIVE', `driver '${driver}' is not active`, { verdict: 'broken' });
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

/** A scenario card alias or fixture that the bench's card presenter cannot provide. */
export class UnknownCardError extends PayhilError {
  constructor(readonly card: string) {
    super('E_BENCH_CARD', `unknown card '${card}' (no alias and no fixture of that name)`, {
      verdict: 'usage',
    });
  }
}
