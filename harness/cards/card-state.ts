import type { CardFixture, CardFaultsSpec } from './card-fixture.js';

/** One transaction in the card's log (SFI 11 records, format in 9F4F). */
export interface CardLogEntry {
  /** Transaction date YYMMDD (9A) and time HHMMSS (9F21), as sent by the terminal. */
  date: string;
  time: string;
  /** Amount authorised (9F02), minor units. */
  amount: number;
  /** Terminal country (9F1A) and transaction currency (5F2A), numeric codes. */
  country: string;
  currency: string;
  /** Transaction type (9C), two digits. */
  type: string;
  atc: number;
  /** Cryptogram type of the final AC: TC, ARQC or AAC. */
  result: 'TC' | 'ARQC' | 'AAC';
}

/**
 * What changes on a card during a run. Every virtual card starts from its fixture and may be reset back
 * to it; the fixture file itself is never written.
 */
export interface CardRunState {
  /** Application transaction counter (9F36), incremented by each GET PROCESSING OPTIONS. */
  atc: number;
  /** ATC of the last transaction with successful issuer authentication or online approval (9F13). */
  lastOnlineAtc: number;
  /** PIN tries left (9F17). */
  pinTriesLeft: number;
  /** EC balance (9F79), minor units; 0 when the card has no EC purse. */
  ecBalance: number;
  /** Consecutive offline transactions since the last online one. */
  consecutiveOffline: number;
  /** Offline payments made by a phone wallet since its last online transaction. */
  walletOfflineUsed: number;
  /** Wallet app state (phone wallets). */
  walletState: 'open' | 'closed' | 'nfc-off';
  /** Expiry YYMM in force (a step may expire the card). */
  expiry: string;
  /** Faults in force (from the fixture, then steps). */
  faults: CardFaultsSpec;
  /** Transaction log, newest first, at most 10 entries. */
  log: CardLogEntry[];
}

/** Maximum number of entries in the card's transaction log. */
export const CARD_LOG_SIZE = 10;

/** The state a card starts a run with. */
export function initialCardState(card: CardFixture): CardRunState {
  return {
    atc: card.atc ?? 0,
    lastOnlineAtc: card.atc ?? 0,
    pinTriesLeft: card.pinTriesLeft ?? card.pinTryLimit,
    ecBalance: card.ec?.balance ?? 0,
    consecutiveOffline: 0,
    walletOfflineUsed: 0,
    walletState: card.wallet?.state ?? 'open',
    expiry: card.expiry,
    faults: { ...(card.faults ?? {}) },
    log: [],
  };
}
