/**
 * The terminal's core: the state machine (every change checked against the transition table), the
 * session (working keys, batch number, trace number, settled batches), the busy flag and the abort of
 * the running transaction, and the small services every room uses (display, results, money, clock).
 */
import { Calendar } from '../../common/calendar.js';
import { secureRandom } from '../../common/run-seed.js';
import type { Clock, ClockTimer } from '../../common/clock.js';
import type { SessionKeys } from '../../pos-protocol/index.js';
import { loadDialect, type Dialect, type IsoMessage } from '../../iso8583/index.js';
import type { DefectName } from '../defects.js';
import { text, type TextKey } from '../display-texts.js';
import { TerminalStateError } from '../errors.js';
import { TerminalScreen } from '../peripherals/display.js';
import { TerminalBatch, type BatchRecord } from './terminal-batch.js';
import {
  isDeviceCondition,
  isTerminalDevice,
  type DeviceCondition,
  type DeviceConditions,
  type TerminalDevice,
} from '../terminal-devices.js';
import type { TerminalEvents, TerminalState } from '../terminal-events.js';
import type { TerminalProfile } from '../terminal-profile.js';
import type { TerminalOperation, TerminalResult } from '../terminal-result.js';
import { assertTransition } from './state-transitions.js';

/** How many settled batches the terminal keeps for next-day refunds (and reprints). */
export const SETTLED_BATCHES_KEPT = 7;

/** A settled batch: its number and records (PANs in memory only, never emitted). */
export interface SettledBatch {
  batch: string;
  records: readonly BatchRecord[];
}

/** Terminal identity for host messages. */
export interface TerminalIdentity {
  terminalId: string;
  merchantId: string;
}

/** Operator texts of the sign-in an ATM does not show its cardholder. */
const ATM_HIDDEN_TEXTS: ReadonlySet<TextKey> = new Set<TextKey>([
  'notSignedIn',
  'signingIn',
  'signInOk',
  'signInFailed',
  'keyCheckError',
  'retrying',
]);

export class TerminalCore {
  readonly profile: TerminalProfile;
  readonly events: TerminalEvents;
  readonly dialect: Dialect;
  readonly defects: ReadonlySet<DefectName>;
  /** Peripheral conditions now (mutated by {@link setDevice}; the rooms read it live). */
  readonly devices: DeviceConditions;
  readonly screen: TerminalScreen;
  readonly batch = new TerminalBatch();
  /** Working keys of the last sign-in; undefined = not signed in. */
  keys: SessionKeys | undefined;
  /** The terminal's date and time of day (see common/calendar.ts). */
  readonly calendar: Calendar;
  /** The terminal's local day (yyyymmdd) of its last successful sign-in (profile `signIn.daily`). */
  signedInDay: number | undefined;
  /** A custodian switched the terminal into maintenance (an ATM out of service for its cardholders). */
  maintenance = false;
  batchNo: string;
  /** The last settled batches, newest last (next-day refunds look their originals up here). */
  readonly settled: SettledBatch[] = [];
  /**
   * The last chip read failed (set by a chip failure, cleared by a successful chip or contactless read):
   * what 60.5 reports, so the host can tell a fallback swipe from a plain one.
   */
  chipReadFailed = false;
  /** An ATM's next sign-in attempt by itself while it is out of service (undefined when none is due). */
  signInRetry: ClockTimer | undefined;
  /** True while a transaction runs. */
  busy = false;
  /** Aborts the running transaction (undefined when none runs). */
  abort: AbortController | undefined;
  private stan = 0;
  private stateNow: TerminalState = 'powerUp';
  /**
   * The terminal's draws (the unpredictable number 9F37): node:crypto, or the embedded bench's seeded
   * stream (common/run-seed.ts).
   */
  readonly random: () => number;

  /**
   * `random` given (the embedded bench): the STAN starts at a drawn value (1…899999, so a scenario's
   * `stan + 1` never wraps) and the terminal's draws come from it; else the STAN starts at 1.
   */
  constructor(
    profile: TerminalProfile,
    events: TerminalEvents,
    calendar: Calendar = new Calendar(),
    random?: () => number,
  ) {
    this.random = random ?? secureRandom;
    if (random) this.stan = Math.floor(random() * 899999);
    this.profile = profile;
    this.calendar = calendar;
    this.events = events;
    this.defects = profile.defects;
    this.devices = { ...profile.devices };
    this.dialect = loadDialect(profile.dialect);
    this.batchNo = profile.batch;
    this.screen = new TerminalScreen(profile, events);
  }

  /** The terminal's clock (its event sink's): every timer and sleep of the terminal runs on it. */
  get clock(): Clock {
    return this.events.clock;
  }

  /** The state machine's state. */
  get state(): TerminalState {
    return this.stateNow;
  }

  /** Moves the state machine; throws IllegalTransitionError (a payhil bug) for a change the table lacks. */
  setState(s: TerminalState): void {
    if (s === this.stateNow) return;
    assertTransition(this.stateNow, s);
    const previous = this.stateNow;
    this.stateNow = s;
    this.events.emit({ type: 'state', state: s, previous });
  }

  /**
   * After a payhil bug stopped a transaction wherever it stood: back to idle (or not signed in), the one
   * state change outside the transition table, so the terminal stays usable. Notes the error.
   */
  recoverFromBug(e: unknown): void {
    this.events.emit({ type: 'note', text: `internal error: ${(e as Error)?.message ?? String(e)}` });
    const to: TerminalState = this.canTransact() ? 'idle' : 'notSignedIn';
    if (to !== this.stateNow) {
      const previous = this.stateNow;
      this.stateNow = to;
      this.events.emit({ type: 'state', state: to, previous });
    }
    this.show(to === 'idle' ? 'welcome' : 'notSignedIn');
  }

  /** True when signed in, or transacting without sign-in (defect). */
  canTransact(): boolean {
    this.expireStaleSignIn();
    return this.keys !== undefined || this.defects.has('transacts-without-sign-in');
  }

  /**
   * Called when a sign-in of a previous day has just been dropped (profile `signIn.daily`); an ATM
   * signs in again by itself (set by the terminal facade).
   */
  onSignInExpired: (() => void) | undefined;

  /**
   * With the profile's `signIn.daily`, a sign-in counts for the terminal's calendar day it was made on
   * only: on a later day the working keys are dropped and the terminal must sign in again (PLEASE SIGN
   * IN; an ATM is OUT OF SERVICE until it signed in by itself). Idle, the screen follows at once; during
   * a transaction the keys stay until it ends. True when it dropped the keys.
   */
  expireStaleSignIn(): boolean {
    if (!this.profile.signIn.daily || this.keys === undefined || this.busy) return false;
    if (this.signedInDay === undefined || this.signedInDay === this.calendar.dayOf()) return false;
    this.note(`sign-in of ${this.signedInDay} is from a previous day: sign in again`);
    this.keys = undefined;
    this.signedInDay = undefined;
    if (this.stateNow === 'idle') {
      this.setState('notSignedIn');
      this.show(this.maintenance ? 'outOfService' : 'notSignedIn');
    }
    this.onSignInExpired?.();
    return true;
  }

  /**
   * Switches maintenance (a custodian's supervisor mode) on or off. In maintenance the cardholder sees
   * OUT OF SERVICE, cardholder transactions are refused (`outOfService`, nothing sent to the host) and an
   * ATM gives an inserted card back; sign-in and settlement stay possible. Back to normal: the idle
   * screen (WELCOME, or the not-signed-in screen). A running transaction is not interrupted: the mode
   * shows once it ended.
   */
  setMaintenance(on: boolean): void {
    if (this.maintenance === on) return;
    this.maintenance = on;
    this.events.emit({ type: 'mode', mode: on ? 'maintenance' : 'normal' });
    if (this.busy) return;
    if (this.stateNow === 'idle' || this.stateNow === 'notSignedIn' || this.stateNow === 'powerUp')
      this.toIdle();
  }

  /** Idle (or not signed in); `key` = what the screen shows there (default: the welcome screen). */
  toIdle(key?: TextKey): void {
    if (this.canTransact()) {
      this.setState('idle');
      this.show(this.maintenance ? 'outOfService' : (key ?? 'welcome'));
    } else {
      this.setState('notSignedIn');
      this.show(this.maintenance ? 'outOfService' : (key ?? 'notSignedIn'));
    }
  }

  /**
   * Shows `key`. An ATM's cardholder never sees the operator's sign-in texts: while it cannot sign in
   * it shows OUT OF SERVICE, and a successful sign-in goes straight back to the welcome screen.
   */
  show(key: TextKey, extra?: string): void {
    if (this.profile.kind === 'atm' && ATM_HIDDEN_TEXTS.has(key))
      this.screen.show(key === 'signInOk' ? 'welcome' : 'outOfService');
    else this.screen.show(key, extra);
  }

  note(text: string): void {
    this.events.emit({ type: 'note', text });
  }

  /**
   * Switches a peripheral's condition (a device fault on or off): `reader`, `pinpad`, `printer`: `ok` or
   * `fault`; `contactless`: `ok`, `fault` or `weak`. Takes effect from the next card, PIN or receipt.
   */
  setDevice(device: TerminalDevice, condition: DeviceCondition): void {
    if (!isTerminalDevice(device))
      throw new TerminalStateError(`unknown device '${String(device)}'`, this.stateNow, 'E_TERMINAL_DEVICE');
    if (!isDeviceCondition(device, condition))
      throw new TerminalStateError(
        `device '${device}' cannot be '${String(condition)}'`,
        this.stateNow,
        'E_TERMINAL_DEVICE',
      );
    if (this.devices[device] === condition) return;
    this.devices[device] = condition;
    this.events.emit({ type: 'device', device, condition });
  }

  /** True when taps can be taken: an antenna, the menu opens the field, the field works. */
  contactlessUsable(): boolean {
    return (
      this.profile.capabilities.contactless &&
      this.profile.menu.contactless &&
      this.devices.contactless !== 'fault'
    );
  }

  /** Refusals before any card or host work; undefined = go on. */
  preconditions(op: TerminalOperation): TerminalResult | undefined {
    const offered = op === 'completion' ? 'preAuth' : op;
    if (offered !== 'signIn' && !this.profile.transactions.includes(offered as never))
      return this.result(op, 'declined', 'notSupportedTx');
    // A custodian's maintenance: no cardholder transaction; sign-in and settlement are the custodian's.
    if (this.maintenance && op !== 'signIn' && op !== 'settle')
      return this.result(op, 'failed', 'outOfService');
    if (!this.canTransact()) return this.result(op, 'failed', 'notSignedIn');
    return undefined;
  }

  result(
    op: TerminalOperation,
    outcome: TerminalResult['outcome'],
    key: TextKey,
    extra: Partial<TerminalResult> = {},
  ): TerminalResult {
    return { transaction: op, outcome, messageKey: key, message: text(key, this.profile.language), ...extra };
  }

  identity(): TerminalIdentity {
    return { terminalId: this.profile.terminalId, merchantId: this.profile.merchantId };
  }

  /** Minor units as the display shows them (e.g. 1234 → "12.34"). */
  money(minor: number): string {
    const e = this.profile.kernel.currencyExponent;
    return (minor / 10 ** e).toFixed(e);
  }

  /** ISO 4217 numeric currency code (3 digits). */
  currency(): string {
    return this.profile.kernel.currencyCode.slice(-3);
  }

  /** The next system trace audit number (field 11), 000001 – 999999. */
  nextStan(): string {
    this.stan = (this.stan % 999999) + 1;
    return String(this.stan).padStart(6, '0');
  }

  /** MMDD of a transaction: the host's date (field 13) when the answer has one, else the terminal's clock. */
  dateOf(answer?: IsoMessage): string {
    const f13 = answer?.fields[13];
    if (f13 !== undefined && /^\d{4}$/.test(f13)) return f13;
    return this.calendar.mmdd();
  }

  /** Waits `ms`; rejects with the abort reason when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.clock.sleep(ms, signal);
  }
}
