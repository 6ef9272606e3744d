import { PayhilError } from '../common/payhil-error.js';

/** Host configuration that cannot be used (bad YAML, unknown card fixture, bad key): a usage error. */
export class HostConfigError extends PayhilError {
  readonly file: string | undefined;
  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super('E_HOST_CONFIG', message, { verdict: 'usage', cause: options.cause });
    this.file = options.file;
  }
}

/** The simulator could not listen or serve (port busy, address not available): a lab fault. */
export class HostServerError extends PayhilError {
  readonly address: string;
  constructor(message: string, address: string, cause?: unknown) {
    super('E_HOST_SERVER', message, { verdict: 'broken', cause });
    this.address = address;
  }
}

/**
 * A terminal-side exchange went wrong: no answer, the connection closed, or the answer's MAC/KCV did not
 * verify. Raised by the test terminal; a product fault of the host under test.
 */
export class HostExchangeError extends PayhilError {
  readonly mti: string | undefined;
  constructor(
    code: 'E_HOST_TIMEOUT' | 'E_HOST_CLOSED' | 'E_HOST_BAD_MAC' | 'E_HOST_BAD_KCV' | 'E_HOST_REFUSED',
    message: string,
    mti?: string,
  ) {
    super(code, message, { verdict: 'failed' });
    this.mti = mti;
  }
}

/** A rule given to `addRule` that cannot work (no action, bad field path, bad amount range). */
export class HostRuleError extends PayhilError {
  constructor(message: string) {
    super('E_HOST_RULE', message, { verdict: 'usage' });
  }
}

/**
 * An account operation the store cannot do: no account for the PAN (`E_HOST_NO_ACCOUNT`) or a balance
 * that is not a whole amount >= 0 (`E_HOST_BAD_BALANCE`). Only the PAN's last 4 digits are kept.
 */
export class AccountError extends PayhilError {
  readonly panLast4: string;
  constructor(code: 'E_HOST_NO_ACCOUNT' | 'E_HOST_BAD_BALANCE', message: string, pan: string) {
    super(code, message, { verdict: 'usage' });
    this.panLast4 = pan.slice(-4);
  }
}

/**
 * The cryptogram input cannot be built from what the terminal sent: the IAD (9F10) is missing or too
 * short for the card's CVN. A fault of the terminal under test: `failed`.
 */
export class ArqcInputError extends PayhilError {
  constructor(
    message: string,
    readonly cvn: 10 | 18,
    /** Bytes of the IAD received, undefined when it was missing. */
    readonly iadLength?: number,
  ) {
    super('E_HOST_ARQC_INPUT', message, { verdict: 'failed' });
  }
}
