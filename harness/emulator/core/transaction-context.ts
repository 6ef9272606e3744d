/**
 * What one running transaction carries through the rooms of the terminal, and the two ways a flow stops
 * short with a product outcome: a cancel (person, timeout, card taken out) and a peripheral out of order.
 */
import type { TextKey } from '../display-texts.js';
import type { Presentation } from '../card-reader/card-presentation.js';
import type { TerminalOperation } from '../terminal-result.js';

/** The running transaction. */
export interface TxContext {
  op: TerminalOperation;
  /** Aborted by cancel, CANCEL key, card removal, close. */
  signal: AbortSignal;
  amount: number;
  ecrReference?: string;
  /** Set after a chip failure: the next swipe is a fallback. */
  fallbackAllowed: boolean;
  presentation?: Presentation;
}

/** The transaction was cancelled (outcome 'cancelled'); `key` is what the display says. */
export class Cancelled extends Error {
  constructor(
    readonly key: TextKey,
    /** Goes to the result's `details` (e.g. which timeout ran out). */
    readonly details?: Record<string, unknown>,
  ) {
    super(key);
  }
}

/** A peripheral the transaction needs is out of order: the transaction fails (outcome 'failed'). */
export class DeviceStop extends Error {
  constructor(readonly key: TextKey) {
    super(key);
  }
}
