import { DriverError } from '../errors.js';

/**
 * Errors of the zvt driver. Every one is a lab fault (verdict `broken`): the link failed, the terminal
 * refused a command or stopped answering. What the terminal did with a payment is judged on the timeline.
 */
export class ZvtDriverError extends DriverError {
  constructor(
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super('E_DRIVER_ZVT', driver, operation, detail, options);
  }
}

/** The terminal answered a command with a negative acknowledgement `84 xx 00`; `errorCode` is xx. */
export class ZvtDriverRefusedError extends ZvtDriverError {
  readonly errorCode: number;
  constructor(driver: string, operation: string, errorCode: number) {
    super(driver, operation, `terminal refused the command: 84 ${hex(errorCode)} 00`, {
      code: 'E_DRIVER_REFUSED',
    });
    this.errorCode = errorCode;
  }
}

/** A call ZVT cannot carry (a transaction type payhil does not map, a card or key without a presenter). */
export class ZvtDriverUnsupportedError extends ZvtDriverError {
  constructor(driver: string, operation: string, detail: string) {
    super(driver, operation, detail, { code: 'E_DRIVER_UNSUPPORTED' });
  }
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
