import { DriverError } from '../errors.js';

/**
 * Errors of the ECR drivers (ecr-serial, ecr-tcp). Every one is a lab fault (verdict `broken`): the bench
 * could not do its part. What the terminal did with a transaction is judged on the timeline, never here.
 */
export class EcrDriverError extends DriverError {
  constructor(
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super('E_DRIVER_ECR', driver, operation, detail, options);
  }
}

/** A capability call while the driver is not active (before activate() or after deactivate()). */
export class EcrDriverInactiveError extends EcrDriverError {
  constructor(driver: string, operation: string) {
    super(driver, operation, 'the driver is not active', { code: 'E_DRIVER_INACTIVE' });
  }
}

/** The terminal refused a request (BUSY, NOT_SUPPORTED, NOT_TEST_MODE…): `remoteCode` is the wire code. */
export class EcrDriverRefusedError extends EcrDriverError {
  readonly remoteCode: string;
  constructor(driver: string, operation: string, remoteCode: string, detail: string, cause?: unknown) {
    super(driver, operation, `terminal refused: ${remoteCode}: ${detail}`, {
      code: 'E_DRIVER_REFUSED',
      cause,
    });
    this.remoteCode = remoteCode;
  }
}

/** A call the terminal cannot serve over ECR (card state, test-mode requests on a terminal not in test mode). */
export class EcrDriverUnsupportedError extends EcrDriverError {
  constructor(driver: string, operation: string, detail: string) {
    super(driver, operation, detail, { code: 'E_DRIVER_UNSUPPORTED' });
  }
}
