import { DriverError } from '../errors.js';

/**
 * Errors of the sidecar driver. Every one is a lab fault (verdict `broken`): the sidecar could not be
 * started or reached, refused a request, broke the JSON-lines protocol, or went away. What the terminal
 * did with a transaction is a `result` event on the timeline, never an error.
 */
export class SidecarDriverError extends DriverError {
  constructor(
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super('E_DRIVER_SIDECAR', driver, operation, detail, options);
  }
}

/** The sidecar answered a request with an error (`BUSY`, `UNSUPPORTED`, `BAD_REQUEST`, a vendor code). */
export class SidecarDriverRefusedError extends SidecarDriverError {
  constructor(
    driver: string,
    operation: string,
    readonly remoteCode: string,
    detail: string,
  ) {
    super(driver, operation, `sidecar refused: ${remoteCode}: ${detail}`, { code: 'E_DRIVER_REFUSED' });
  }
}

/** A transaction the sidecar did not list in its `hello` offers. */
export class SidecarDriverUnsupportedError extends SidecarDriverError {
  constructor(driver: string, operation: string, detail: string) {
    super(driver, operation, detail, { code: 'E_DRIVER_UNSUPPORTED' });
  }
}
