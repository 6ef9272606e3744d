import { PayhilError } from '../../common/payhil-error.js';

/**
 * PC/SC is not usable on this machine: the optional `pcsclite` module is missing or pcscd is not running.
 * The message says what to install or start. A lab configuration problem: the CLI exits 2.
 */
export class PcscUnavailableError extends PayhilError {
  readonly reason: 'module-missing' | 'pcscd-not-running';

  constructor(reason: PcscUnavailableError['reason'], detail: string, options: { cause?: unknown } = {}) {
    super('E_PCSC_UNAVAILABLE', detail, { verdict: 'usage', ...options });
    this.reason = reason;
  }
}

/** A reader or card problem during a PC/SC operation (no such reader, no card, transmit failed): broken. */
export class PcscError extends PayhilError {
  readonly reader: string | undefined;
  readonly operation: string;

  constructor(
    operation: string,
    reader: string | undefined,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super('E_PCSC', `${operation}${reader ? ` (${reader})` : ''}: ${detail}`, {
      verdict: 'broken',
      ...options,
    });
    this.reader = reader;
    this.operation = operation;
  }
}

/** A card answered an EMV command with an unexpected status word. Product behaviour: failed. */
export class CardStatusError extends PayhilError {
  readonly command: string;
  readonly sw: string;

  constructor(command: string, sw: string) {
    super('E_CARD_SW', `${command} answered ${sw}`, { verdict: 'failed' });
    this.command = command;
    this.sw = sw;
  }
}
