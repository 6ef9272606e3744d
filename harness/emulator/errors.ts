/**
 * Typed errors of the emulated terminal. Bad input from a person (unknown profile, unknown defect, a call
 * in the wrong state) is `usage`; a terminal that cannot reach its host is `broken` only when the bench
 * is at fault — transaction outcomes are results, never errors.
 */
import { PayhilError, type Verdict } from '../common/payhil-error.js';

/** A terminal profile that cannot be found or is invalid. */
export class TerminalProfileError extends PayhilError {
  constructor(
    message: string,
    readonly profile: string,
    options: { cause?: unknown } = {},
  ) {
    super('E_TERMINAL_PROFILE', message, { verdict: 'usage', ...options });
  }
}

/** A call the terminal cannot take in its current state (a purchase while one runs, a PIN with no prompt…). */
export class TerminalStateError extends PayhilError {
  constructor(
    message: string,
    readonly state: string,
    code = 'E_TERMINAL_STATE',
    verdict: Verdict = 'usage',
  ) {
    super(code, message, { verdict });
  }
}

/** An unknown defect switch name. */
export class UnknownDefectError extends PayhilError {
  constructor(
    readonly defect: string,
    known: readonly string[],
  ) {
    super('E_TERMINAL_DEFECT', `unknown defect '${defect}' (known: ${known.join(', ')})`, {
      verdict: 'usage',
    });
  }
}

/** The host link failed (no connection, no answer in time, connection closed). Internal to the terminal. */
export class HostLinkError extends PayhilError {
  constructor(
    readonly reason: 'connect' | 'timeout' | 'closed' | 'decode',
    message: string,
    readonly mti?: string,
  ) {
    super(`E_TERMINAL_HOST_${reason.toUpperCase()}`, message, { verdict: 'broken' });
  }
}

/** An inline card (a fixture with changed fields) that cannot be made: unknown base, refused changes. */
export class InlineCardError extends PayhilError {
  constructor(
    readonly base: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super('E_TERMINAL_INLINE_CARD', `inline card extending '${base}': ${detail}`, {
      verdict: 'usage',
      ...options,
    });
  }
}

/**
 * The terminal tried a state change its transition table does not allow: a bug inside payhil (the
 * reference terminal), never a product outcome, so the run is `broken`.
 */
export class IllegalTransitionError extends PayhilError {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(
      'E_TERMINAL_TRANSITION',
      `illegal terminal state transition ${from} → ${to} (a payhil bug: the transition table does not allow it)`,
      { verdict: 'broken' },
    );
  }
}

/**
 * A card named over the wire (ECR `card`/`cardState`, the web UI) that is not one the terminal offers: a
 * path, or an unknown name. The message never depends on what is on disk at a path.
 */
export class CardNameError extends PayhilError {
  constructor(
    readonly card: string,
    detail: string,
  ) {
    super('E_CARD_NAME', detail, { verdict: 'usage' });
  }
}

/** A profile duration that is not "500ms", "10s", "2m" or a number of ms. */
export class ProfileDurationError extends PayhilError {
  constructor(readonly value: string) {
    super('E_TERMINAL_DURATION', `bad duration '${value}'`, { verdict: 'usage' });
  }
}
