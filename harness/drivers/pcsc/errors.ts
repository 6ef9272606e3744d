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

/** Why the `pcsc` card presenter could not do its part. */
export type PcscPresenterReason =
  | 'pcsc-unavailable'
  | 'reader-missing'
  | 'reader-busy'
  | 'vpcd-unreachable'
  | 'not-seen'
  | 'no-swipe'
  | 'inactive'
  | 'unknown-card';

/**
 * The `pcsc` card presenter (virtual cards through vpcd to a terminal that reads PC/SC) could not present
 * a card: pcscd not running, no vpcd reader, vpcd not listening, pcscd never saw the card, no stripe
 * reader for a swipe. A lab fault (verdict `broken`), except a card the scenario names that does not
 * exist (`unknown-card`, verdict `usage`). The message names pcscd/vpcd and what to do.
 */
export class PcscPresenterError extends PayhilError {
  readonly reason: PcscPresenterReason;
  readonly reader: string | undefined;

  constructor(
    reason: PcscPresenterReason,
    reader: string | undefined,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      reason === 'unknown-card' ? 'E_PCSC_PRESENTER_CARD' : 'E_PCSC_PRESENTER',
      `pcsc card presenter: ${detail}`,
      {
        verdict: reason === 'unknown-card' ? 'usage' : 'broken',
        ...options,
      },
    );
    this.reason = reason;
    this.reader = reader;
  }
}

/** vpcd is used by another process (its lock is held) for longer than the wait allowed: broken. */
export class VpcdBusyError extends PayhilError {
  constructor(
    readonly address: string,
    readonly lockFile: string,
    message: string,
  ) {
    super('E_PCSC_VPCD_BUSY', message, { verdict: 'broken' });
  }
}
