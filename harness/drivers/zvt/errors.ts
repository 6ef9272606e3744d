import { PayhilError } from '../../common/payhil-error.js';

/**
 * Errors of the zvt driver. Every one is a lab fault (verdict `broken`): the link failed, the terminal
 * refused a command or stopped answering. What the terminal did with a payment is judged on the timeline.
 */
export class ZvtDriverError extends PayhilError {
  /** The driver's name, e.g. "zvt-tcp 127.0.0.1:20007". */
  readonly driver: string;
  /** The capability call or ZVT command that failed ("purchase", "activate"). */
  readonly operation: string;
  /** The code of the ZVT error behind it (E_ZVT_TIMEOUT, E_ZVT_NO_ACK, E_ZVT_CLOSED, E_ZVT_BMP…), if any. */
  readonly causeCode: string | undefined;
  constructor(
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super(options.code ?? 'E_DRIVER_ZVT', `${driver}: ${operation}: ${detail}`, {
      verdict: 'broken',
      cause: options.cause,
    });
    this.driver = driver;
    this.operation = operation;
    this.causeCode = options.causeCode;
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
