import type { InlineCard } from '../scenario/index.js';

/** A phone wallet's condition (the `cardCondition` step). */
export interface CardCondition {
  nfc?: 'on' | 'off';
  wallet?: 'open' | 'closed';
}

/**
 * The card fault kind a condition comes to: NFC off wins, then a closed wallet, else the wallet is open
 * (NFC on).
 */
export function walletFaultOf(c: CardCondition): 'nfc-off' | 'wallet-closed' | 'wallet-open' {
  return c.nfc === 'off' ? 'nfc-off' : c.wallet === 'closed' ? 'wallet-closed' : 'wallet-open';
}

/** Puts cards in front of the terminal. Cards are named by scenario alias or fixture name. */
export interface CardPresenter {
  /** Makes the scenario's cards available (alias → fixture name or inline card); fresh card state. */
  prepare(cards: Record<string, string | InlineCard>): Promise<void>;
  insert(card: string): Promise<void>;
  /** Tap; `holdMs` = how long the card stays in the field. */
  tap(card: string, holdMs?: number): Promise<void>;
  swipe(card: string, track?: 'track1' | 'track2' | 'both'): Promise<void>;
  /** Takes the inserted card out (no-op when none is in). */
  remove(card?: string): Promise<void>;
  /**
   * Changes a phone wallet's condition on the same card (counters kept): NFC on/off, wallet open/closed.
   * Absent on presenters that cannot (a physical card, an operator): the step is broken with the reason.
   */
  condition?(card: string, condition: CardCondition): Promise<void>;
  /** Card state for `expect card`: EMV tags (9F36, 9F79, 9F17) and fields (atc, pinTriesLeft, ecBalance…). */
  state(card?: string): Promise<Record<string, unknown>>;
}
