/**
 * Errors of the capability contracts. A capability call that the lab cannot carry out (device gone, host
 * unreachable, driver inactive) is a lab fault: verdict `broken`, never a product verdict.
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

/** A driver was used while inactive (before activate() or after deactivate()). */
export class InactiveDriverError extends PayhilError {
  constructor(readonly driver: string) {
    super('E_BENCH_INACTIVE', `driver '${driver}' is not active`, { verdict: 'broken' });
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
