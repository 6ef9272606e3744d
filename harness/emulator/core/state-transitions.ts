/**
 * The terminal state machine's transition table: for each state, the states it may go to next. Every
 * state change of the terminal is checked against it; a change the table does not list is a payhil bug
 * (IllegalTransitionError, verdict broken), never a transaction outcome.
 */
import { IllegalTransitionError } from '../errors.js';
import type { TerminalState } from '../terminal-events.js';

/**
 * Where a transaction may begin from a resting state (sign-in, amount, card prompt without an amount —
 * a balance inquiry —, referenced, settlement).
 */
const START: readonly TerminalState[] = [
  'signingIn',
  'amount',
  'waitingForCard',
  'online',
  'settling',
  'reversal',
  'result',
];

/** Card reading states: selection (contact), reading (contactless), cardholder verification. */
const READING: readonly TerminalState[] = ['applicationSelection', 'readingCard', 'cardholderVerification'];

/**
 * The transition table. `result` is reachable from every busy state (an outcome, a cancel, a timeout);
 * `reversal` from every transaction state (a reversal queued mid-flow, or sent after the transaction).
 */
export const TRANSITIONS: Readonly<Record<TerminalState, readonly TerminalState[]>> = {
  powerUp: ['notSignedIn'],
  notSignedIn: START,
  // `notSignedIn`: a sign-in of a previous day lapsed at the day change (profile signIn.daily).
  idle: [...START, 'notSignedIn'],
  // The card is still in; the next transaction may begin before it is taken out.
  removeCard: [...START, 'idle', 'notSignedIn'],
  signingIn: ['notSignedIn', 'result'],
  result: ['idle', 'notSignedIn', 'removeCard'],
  amount: ['waitingForCard', 'reversal', 'result'],
  waitingForCard: [...READING, 'online', 'reversal', 'result'],
  applicationSelection: ['readingCard', 'cardholderVerification', 'online', 'reversal', 'result'],
  readingCard: ['applicationSelection', 'cardholderVerification', 'online', 'reversal', 'result'],
  cardholderVerification: ['applicationSelection', 'readingCard', 'online', 'reversal', 'result'],
  online: ['completion', 'reversal', 'result'],
  completion: ['reversal', 'result'],
  // `idle`: a pending reversal tried again while the terminal was idle; `signingIn`: a sign-in asked for
  // during that try begins once it is answered or given up.
  reversal: ['signingIn', 'amount', 'waitingForCard', 'online', 'settling', 'result', 'idle'],
  settling: ['reversal', 'result'],
};

/** True when the table lets the terminal go from `from` to `to` (staying put is always allowed). */
export function isLegalTransition(from: TerminalState, to: TerminalState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** Throws IllegalTransitionError unless the table allows `from` → `to`. */
export function assertTransition(from: TerminalState, to: TerminalState): void {
  if (!isLegalTransition(from, to)) throw new IllegalTransitionError(from, to);
}
