/**
 * Errors of the driver kit's transports. Lab faults (verdict `broken`): a driver wraps them into its own
 * `DriverError` (the kit's code is then the `causeCode`).
 */
import { PayhilError } from '../../common/payhil-error.js';

/** The channel is closed (the peer went away or the driver closed it). */
export class KitChannelClosedError extends PayhilError {
  constructor(description: string, cause?: unknown) {
    super('E_KIT_CHANNEL_CLOSED', `${description}: the channel is closed`, {
      verdict: 'broken',
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}

/** A child process could not be started or ended before it was ready. */
export class KitProcessError extends PayhilError {
  constructor(command: string, detail: string, cause?: unknown) {
    super('E_KIT_PROCESS', `${command}: ${detail}`, {
      verdict: 'broken',
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}

/** No answer to a request within its bound. */
export class KitTimeoutError extends PayhilError {
  constructor(description: string, what: string, ms: number) {
    super('E_KIT_TIMEOUT', `${description}: no answer to ${what} within ${ms} ms`, { verdict: 'broken' });
  }
}

/** The peer sent something the protocol does not allow: where (line number) and what. */
export class KitBadInputError extends PayhilError {
  constructor(
    description: string,
    readonly lineNo: number,
    detail: string,
  ) {
    super('E_KIT_BAD_INPUT', `${description}: line ${lineNo}: ${detail}`, { verdict: 'broken' });
  }
}

/** The peer answered a request with an error object. */
export class KitRemoteError extends PayhilError {
  constructor(
    description: string,
    what: string,
    readonly remoteCode: string,
    /** The peer's own message. */
    readonly detail: string,
  ) {
    super('E_KIT_REMOTE', `${description}: ${what} refused: ${remoteCode}: ${detail}`, { verdict: 'broken' });
  }
}
