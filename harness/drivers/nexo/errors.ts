/**
 * Errors of the nexo driver. Every one is a lab fault (verdict `broken`): the bench could not drive the
 * terminal (unreachable, no answer, an answer that is not nexo), not a product outcome — a declined or
 * cancelled payment is a result on the timeline, never an error.
 */
import { DriverError } from '../errors.js';

export class NexoDriverError extends DriverError {
  constructor(
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super('E_DRIVER_NEXO', driver, operation, detail, options);
  }
}

/** A call while the driver is not active. */
export class NexoDriverInactiveError extends NexoDriverError {
  constructor(driver: string, operation: string) {
    super(driver, operation, 'the driver is not active', { code: 'E_DRIVER_INACTIVE' });
  }
}

/** Something nexo cannot carry (a PIN typed by the sale system, a power cycle, a withdrawal). */
export class NexoDriverUnsupportedError extends NexoDriverError {
  constructor(driver: string, operation: string, detail: string) {
    super(driver, operation, detail, { code: 'E_DRIVER_UNSUPPORTED' });
  }
}

/** The terminal refused a request with a nexo ErrorCondition (Busy, NotAllowed…) or a Reject event. */
export class NexoDriverRefusedError extends NexoDriverError {
  constructor(
    driver: string,
    operation: string,
    readonly errorCondition: string,
    detail: string,
  ) {
    super(driver, operation, `terminal refused: ${errorCondition}${detail ? `: ${detail}` : ''}`, {
      code: 'E_DRIVER_REFUSED',
    });
  }
}

/**
 * A service whose answer was lost (connection dropped, no answer in time) and that TransactionStatus could
 * not recover within the bound.
 */
export class NexoDriverLostTransactionError extends NexoDriverError {
  constructor(driver: string, operation: string, detail: string, cause?: unknown) {
    super(driver, operation, detail, {
      code: 'E_DRIVER_NEXO_LOST',
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}
