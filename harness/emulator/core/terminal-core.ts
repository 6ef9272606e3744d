/**
 * The terminal's core: the state machine (every change checked against the transition table), the
 * session (working keys, batch number, trace number, settled batches), the busy flag and the abort of
 * the running transaction, and the small services every room uses (display, results, money, clock).
 */
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

  constructor(profile: TerminalProfile, events: TerminalEvents) {
    this.profile = profile;
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
    return this.keys !== undefined || this.defects.has('transacts-without-sign-in');
  }

  /** Idle (or not signed in); `key` = what the screen shows there (default: the welcome screen). */
  toIdle(key?: TextKey): void {
    if (this.canTransact()) {
      this.setState('idle');
      this.show(key ?? 'welcome');
    } else {
      this.setState('notSignedIn');
      this.show(key ?? 'notSignedIn');
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
    const d = new Date();
    return String(d.getMonth() + 1).padStart(2, '0') + String(d.getDate()).padStart(2, '0');
  }

  /** Waits `ms`; rejects with the abort reason when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return this.clock.sleep(ms, signal);
  }
}
