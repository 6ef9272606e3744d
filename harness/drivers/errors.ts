import { PayhilError } from '../common/payhil-error.js';

/**
 * The common shape of a driver's errors (ecr, zvt, nexo): a lab fault (verdict `broken`), the bench could
 * not do its part, with the driver's name, the call that failed and the code of the link error behind
 * it. What the terminal did with a transaction is judged on the timeline, never here. Each driver
 * subclasses it with its own default code (E_DRIVER_ECR, E_DRIVER_ZVT, E_DRIVER_NEXO).
 */
export class DriverError extends PayhilError {
  /** The driver's name, e.g. "ecr-tcp 127.0.0.1:4000", "zvt-tcp 127.0.0.1:20007". */
  readonly driver: string;
  /** The capability call or protocol command that failed, e.g. "purchase", "card insert", "activate". */
  readonly operation: string;
  /** The code of the link or protocol error behind it (E_ECR_CONNECT, E_ZVT_TIMEOUT…), if any. */
  readonly causeCode: string | undefined;
  constructor(
    defaultCode: string,
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super(options.code ?? defaultCode, `${driver}: ${operation}: ${detail}`, {
      verdict: 'broken',
      ...(options.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.driver = driver;
    this.operation = operation;
    this.causeCode = options.causeCode;
  }
}
