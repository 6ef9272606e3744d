/**
 * Issuer state: one account per PAN with balance, holds (pre-authorisations), daily spend, PIN tries and
 * status. Every operation is synchronous — it checks and applies in one turn of the event loop — so
 * concurrent connections can never interleave between a check and its update (no lost update).
 */
import { RC, type ResponseCode } from '../pos-protocol/index.js';
import type { AccountStatus, RiskRuleConfig } from './host-config.js';
import { AccountError } from './errors.js';

/** An issuer account as the host resolved it (card fixture + host config). */
export interface AccountSpec {
  pan: string;
  card?: string;
  psn?: string;
  expiry?: string;
  pin?: string;
  pinTryLimit: number;
  pinTriesLeft: number;
  imkAc?: string;
  cvn?: 10 | 18;
  balance: number;
  currency: string;
  status: AccountStatus;
  /** Amount per transaction and per day in minor units (61 beyond), transactions per day (65 beyond). */
  limits: { single?: number; daily?: number; dailyCount?: number };
  regions?: string[];
  risk: RiskRuleConfig[];
}

/** The live state of an account (read-only view for callers). */
export interface AccountState {
  readonly pan: string;
  readonly card: string | undefined;
  readonly currency: string;
  readonly openingBalance: number;
  /** Ledger balance in minor units. */
  readonly balance: number;
  /** Amount held by open pre-authorisations. */
  readonly held: number;
  /** balance − held. */
  readonly available: number;
  readonly status: AccountStatus;
  readonly pinTriesLeft: number;
  /** Amount debited today (for the daily amount limit). */
  readonly spentToday: number;
  /** Debits approved today (for the daily count limit); a reversed or voided one no longer counts. */
  readonly countToday: number;
}

interface LiveAccount {
  spec: AccountSpec;
  balance: number;
  held: number;
  status: AccountStatus;
  pinTriesLeft: number;
  spentDay: number;
  spentToday: number;
  countToday: number;
}

/** Result of a PIN check: ok, wrong (tries left > 0), or exceeded (tries at 0). */
export type PinCheck = 'ok' | 'wrong' | 'exceeded';

/**
 * The host's calendar day of a request in the process's local zone (yyyymmdd on the host's clock, the day
 * field 13 of its answers carries): the daily counters reset when it changes. A host with a calendar of
 * its own (common/calendar.ts) passes its day instead.
 */
function localDay(now: Date): number {
  return now.getFullYear() * 10000 + (now.getMonth() + 1) * 100 + now.getDate();
}

export class AccountStore {
  private readonly accounts = new Map<string, LiveAccount>();
  /** The account found last: one request asks for the same PAN several times. */
  private lastPan: string | undefined;
  private lastAccount: LiveAccount | undefined;

  /**
   * @param dayOf the issuer's day of an instant as yyyymmdd (default: the process's local day); the daily
   *   counters reset when it changes (the issuer's day change).
   */
  constructor(
    private readonly specs: readonly AccountSpec[],
    private readonly dayOf: (now: Date) => number = localDay,
  ) {
    this.reset();
  }

  /** Back to the opening state of every account. */
  reset(): void {
    this.accounts.clear();
    this.lastPan = this.lastAccount = undefined;
    for (const spec of this.specs) {
      this.accounts.set(spec.pan, {
        spec,
        balance: spec.balance,
        held: 0,
        status: spec.status,
        pinTriesLeft: spec.pinTriesLeft,
        spentDay: -1,
        spentToday: 0,
        countToday: 0,
      });
    }
  }

  has(pan: string): boolean {
    return this.accounts.has(pan);
  }

  spec(pan: string): AccountSpec | undefined {
    return this.find(pan)?.spec;
  }

  /** Status and PIN tries of one account without building a full AccountState, or undefined. */
  peek(pan: string): { readonly status: AccountStatus; readonly pinTriesLeft: number } | undefined {
    return this.find(pan);
  }

  /** The state of one account, or undefined for an unknown PAN. */
  get(pan: string): AccountState | undefined {
    const a = this.accounts.get(pan);
    return a && this.view(a);
  }

  /** Looks an account up by card fixture name. */
  byCard(card: string): AccountState | undefined {
    for (const a of this.accounts.values()) if (a.spec.card === card) return this.view(a);
    return undefined;
  }

  list(): AccountState[] {
    return [...this.accounts.values()].map((a) => this.view(a));
  }

  /** Changes an account's status at run time (a scenario freezing an account). */
  setStatus(pan: string, status: AccountStatus): void {
    this.live(pan).status = status;
  }

  /** Sets the balance at run time (a scenario preparing "insufficient funds"). */
  setBalance(pan: string, balance: number): void {
    if (!Number.isSafeInteger(balance) || balance < 0)
      throw new AccountError('E_HOST_BAD_BALANCE', `balance must be a whole amount >= 0`, pan);
    this.live(pan).balance = balance;
  }

  /** Counts a PIN attempt: resets the tries on success, decrements on failure. */
  checkPin(pan: string, pinOk: boolean): PinCheck {
    const a = this.live(pan);
    if (a.pinTriesLeft <= 0) return 'exceeded';
    if (pinOk) {
      a.pinTriesLeft = a.spec.pinTryLimit;
      return 'ok';
    }
    a.pinTriesLeft -= 1;
    return a.pinTriesLeft <= 0 ? 'exceeded' : 'wrong';
  }

  /**
   * Checks limits and funds and debits in one step. Returns the response code that stopped it, or
   * undefined when the debit was applied. `hold` reserves instead of debiting (pre-authorisation).
   * An amount limit (per transaction or cumulative per day) answers 61, the count per day 65.
   * `skipLimits` (completion of a pre-authorisation already counted) neither checks nor counts.
   */
  debit(
    pan: string,
    amount: number,
    now: Date,
    opts: { hold?: boolean; skipLimits?: boolean } = {},
  ): ResponseCode | undefined {
    const a = this.live(pan);
    this.rollDay(a, now);
    if (!opts.skipLimits) {
      const { single, daily, dailyCount } = a.spec.limits;
      if (single !== undefined && amount > single) return RC.AMOUNT_LIMIT;
      if (daily !== undefined && a.spentToday + amount > daily) return RC.AMOUNT_LIMIT;
      if (dailyCount !== undefined && a.countToday + 1 > dailyCount) return RC.FREQUENCY_LIMIT;
    }
    if (a.balance - a.held < amount) return RC.INSUFFICIENT_FUNDS;
    if (opts.hold) a.held += amount;
    else a.balance -= amount;
    a.spentToday += amount;
    if (!opts.skipLimits) a.countToday += 1;
    return undefined;
  }

  /** Puts money back (reversal, void, refund). */
  credit(pan: string, amount: number, now: Date, opts: { undoSpend?: boolean } = {}): void {
    const a = this.live(pan);
    this.rollDay(a, now);
    a.balance += amount;
    if (opts.undoSpend) a.spentToday = Math.max(0, a.spentToday - amount);
  }

  /** Releases a hold (completion or reversal of a pre-authorisation). */
  release(pan: string, amount: number, now: Date, opts: { undoSpend?: boolean } = {}): void {
    const a = this.live(pan);
    this.rollDay(a, now);
    a.held = Math.max(0, a.held - amount);
    if (opts.undoSpend) a.spentToday = Math.max(0, a.spentToday - amount);
  }

  /** Takes back one debit from today's count (a counted transaction reversed or voided the same day). */
  uncount(pan: string, now: Date): void {
    const a = this.live(pan);
    this.rollDay(a, now);
    a.countToday = Math.max(0, a.countToday - 1);
  }

  /** Takes money without any check (offline transactions already approved by the card, completion). */
  forceDebit(pan: string, amount: number, now: Date): void {
    const a = this.live(pan);
    this.rollDay(a, now);
    a.balance -= amount;
    a.spentToday += amount;
  }

  /** Reserves without any check (undoing the release of a pre-authorisation). */
  forceHold(pan: string, amount: number, now: Date): void {
    const a = this.live(pan);
    this.rollDay(a, now);
    a.held += amount;
    a.spentToday += amount;
  }

  private rollDay(a: LiveAccount, now: Date): void {
    const d = this.dayOf(now);
    if (a.spentDay !== d) {
      a.spentDay = d;
      a.spentToday = 0;
      a.countToday = 0;
    }
  }

  private find(pan: string): LiveAccount | undefined {
    if (pan === this.lastPan) return this.lastAccount;
    const a = this.accounts.get(pan);
    if (a) {
      this.lastPan = pan;
      this.lastAccount = a;
    }
    return a;
  }

  private live(pan: string): LiveAccount {
    const a = this.find(pan);
    if (!a) throw new AccountError('E_HOST_NO_ACCOUNT', `no account for PAN ending ${pan.slice(-4)}`, pan);
    return a;
  }

  private view(a: LiveAccount): AccountState {
    return {
      pan: a.spec.pan,
      card: a.spec.card,
      currency: a.spec.currency,
      openingBalance: a.spec.balance,
      balance: a.balance,
      held: a.held,
      available: a.balance - a.held,
      status: a.status,
      pinTriesLeft: a.pinTriesLeft,
      spentToday: a.spentToday,
      countToday: a.countToday,
    };
  }
}
