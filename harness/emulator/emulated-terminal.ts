/**
 * The reference emulated POS/ATM terminal: a state machine driven through a Promise-only in-process API
 * (`TerminalControl`-like transaction methods, a keypad, a display, a card slot), talking ISO 8583 to the
 * host over TCP and EMV to virtual cards, emitting every observation on its event sink.
 */
import {
  CardNoAnswerError,
  CardRemovedError,
  exchangeWithGetResponse,
  serviceCodeSaysChip,
} from '../cards/index.js';
import { maskPan } from '../common/mask.js';
import {
  buildPinBlock,
  decryptWorkingKey,
  encryptPinBlock,
  encryptTrack,
  fromHex,
  macCupEcbField,
  toHex,
} from '../crypto/index.js';
import { flattenTlv, parseTlv } from '../emv/index.js';
import { maskFields, maskIccHex } from '../host/index.js';
import {
  buildBatchUpload,
  buildReversal,
  buildSettlement,
  buildSignIn,
  buildTransaction,
  verifyMac as macVerifies,
  settlementResult,
  type CardRead,
  type SessionKeys,
  type TransactionKind,
} from '../pos-protocol/index.js';
import type { Dialect, IsoMessage } from '../iso8583/index.js';
import { loadDialect, macInput } from '../iso8583/index.js';
import { TerminalBatch, type BatchRecord } from './terminal-batch.js';
import type { DefectName } from './defects.js';
import { responseCodeKey, text, type TextKey } from './display-texts.js';
import {
  EmvKernel,
  KernelStop,
  type CardApplicationData,
  type KernelOutcome,
  type KernelTransaction,
} from './emv-kernel.js';
import { MMDD_PATTERN } from './ecr/ecr-messages.js';
import { HostLinkError, TerminalStateError } from './errors.js';
import { HostLink, type HostAddress } from './host-link.js';
import { PresentationQueue, type Presentation, type PresentedCard } from './card-presentation.js';
import { formatReceipt } from './receipt.js';
import { TerminalEvents, type TerminalState } from './terminal-events.js';
import {
  isDeviceCondition,
  isTerminalDevice,
  WEAK_FIELD_FACTOR,
  type DeviceCondition,
  type DeviceConditions,
  type TerminalDevice,
} from './terminal-devices.js';
import {
  loadTerminalProfile,
  resolveTerminalProfile,
  type TerminalProfile,
  type TerminalProfileSpec,
} from './terminal-profile.js';
import type { TerminalOperation, TerminalResult } from './terminal-result.js';

export interface CreateTerminalOptions {
  /** Bundled profile name, profile file path, or a loaded profile. */
  profile: string | TerminalProfile | TerminalProfileSpec;
  /** The acquirer host (or the proxy in front of it). */
  host: HostAddress;
  /** Defect switches on top of the profile's. */
  defects?: readonly string[];
  /** Event sink to use (default: a new one). */
  events?: TerminalEvents;
  /** Sign in before resolving (default false). */
  signIn?: boolean;
}

/** The keypad: PIN entry and key presses. */
export interface TerminalKeypad {
  /** Enters a whole PIN and ENTER; held for the next PIN prompt when none is open. Empty string = bypass. */
  enterPin(pin: string): Promise<void>;
  /** Presses keys: digits, ENTER, CANCEL, CLEAR. */
  press(keys: string | readonly string[]): Promise<void>;
}

/** The display. */
export interface TerminalDisplay {
  /** The lines shown now. */
  readonly lines: readonly string[];
  /** Stable key of what is shown (see display-texts.ts). */
  readonly key: string;
  /** The lines joined with a newline. */
  text(): string;
}

/** Where cards go. */
export interface TerminalCardSlot {
  insert(card: PresentedCard): Promise<void>;
  /** Tap; `holdMs` = how long the card stays in the field (default: long enough). */
  tap(card: PresentedCard, holdMs?: number): Promise<void>;
  swipe(card: PresentedCard): Promise<void>;
  /** Takes the inserted card out (nothing happens to a retained card). */
  remove(): Promise<void>;
  /** True when a card sits in the contact slot. */
  readonly occupied: boolean;
  /** True when the ATM kept the last card. */
  readonly retained: boolean;
}

export interface TerminalStatus {
  state: TerminalState;
  signedIn: boolean;
  busy: boolean;
  profile: string;
  batch: string;
  pendingReversal: boolean;
  defects: DefectName[];
  /** Peripheral conditions now. */
  devices: DeviceConditions;
}

class Cancelled extends Error {
  constructor(
    readonly key: TextKey,
    /** Goes to the result's `details` (e.g. which timeout ran out). */
    readonly details?: Record<string, unknown>,
  ) {
    super(key);
  }
}

/** How many settled batches the terminal keeps for next-day refunds (and reprints). */
const SETTLED_BATCHES_KEPT = 7;

/** A settled batch: its number and records (PANs in memory only, never emitted). */
interface SettledBatch {
  batch: string;
  records: readonly BatchRecord[];
}

/** A peripheral the transaction needs is out of order: the transaction fails (outcome 'failed'). */
class DeviceStop extends Error {
  constructor(readonly key: TextKey) {
    super(key);
  }
}

interface TxContext {
  op: TerminalOperation;
  signal: AbortSignal;
  amount: number;
  ecrReference?: string;
  fallbackAllowed: boolean;
  presentation?: Presentation;
}

interface CardData {
  read: CardRead;
  pin?: string;
  kernel?: EmvKernel;
  outcome?: KernelOutcome;
  maskedPan: string;
  /** Contactless: simulated time the card spent in the field (ms). */
  fieldMs?: number;
}

interface PendingReversal {
  request: IsoMessage;
  reason: string;
  attempts: number;
}

interface PinWaiter {
  resolve: (pin: string | undefined) => void;
}

/** The reference terminal. Create with {@link createTerminal}. */
export class EmulatedTerminal {
  readonly profile: TerminalProfile;
  readonly events: TerminalEvents;
  readonly keypad: TerminalKeypad;
  readonly display: TerminalDisplay;
  readonly cardSlot: TerminalCardSlot;
  readonly dialect: Dialect;
  private readonly link: HostLink;
  private readonly defects: ReadonlySet<DefectName>;
  private stateNow: TerminalState = 'powerUp';
  private keys: SessionKeys | undefined;
  private batchNo: string;
  private stan = 0;
  private busy = false;
  private abort: AbortController | undefined;
  private pending: PendingReversal | undefined;
  private readonly presentations = new PresentationQueue();
  private inserted: PresentedCard | undefined;
  private retainedCard: PresentedCard | undefined;
  /** The inserted card the contact kernel is working with (removing it aborts the transaction). */
  private chipCard: PresentedCard | undefined;
  private displayLines: string[] = [];
  private displayKey = '';
  private pinWaiter: PinWaiter | undefined;
  private pinBuffer: string | undefined;
  private keyBuffer = '';
  private receipts: { merchant: string | null; customer: string | null } = { merchant: null, customer: null };
  private readonly deviceState: DeviceConditions;
  /** Fires `timeouts.cardRemoval` after a transaction ended with the card still inserted. */
  private removalTimer: NodeJS.Timeout | undefined;
  /** The last settled batches, newest last (next-day refunds look their originals up here). */
  private settled: SettledBatch[] = [];
  readonly batch = new TerminalBatch();

  constructor(profile: TerminalProfile, host: HostAddress, events: TerminalEvents) {
    this.profile = profile;
    this.events = events;
    this.defects = profile.defects;
    this.deviceState = { ...profile.devices };
    this.dialect = loadDialect(profile.dialect);
    this.batchNo = profile.batch;
    this.link = new HostLink({
      dialect: this.dialect,
      address: host,
      ...(profile.tpdu ? { tpdu: profile.tpdu } : {}),
      ...(profile.header ? { header: profile.header } : {}),
      onMessage: (direction, msg) =>
        this.events.emit({
          type: 'message',
          direction,
          mti: msg.mti,
          fields: maskFields(this.dialect, msg),
          ...(direction === 'received' && msg.fields[39] !== undefined
            ? { responseCode: msg.fields[39] }
            : {}),
        }),
    });
    const lines = (): string[] => this.displayLines;
    const key = (): string => this.displayKey;
    const occupied = (): boolean => this.inserted !== undefined;
    const retained = (): boolean => this.retainedCard !== undefined;
    this.keypad = {
      enterPin: async (pin: string) => this.onPin(pin),
      press: async (k: string | readonly string[]) => {
        for (const one of typeof k === 'string' ? [k] : k) this.onKey(one);
      },
    };
    this.display = {
      get lines() {
        return lines();
      },
      get key() {
        return key();
      },
      text: () => lines().join('\n'),
    };
    this.cardSlot = {
      insert: async (card: PresentedCard) => {
        if (this.retainedCard)
          throw new TerminalStateError(
            'the card slot holds a retained card',
            this.stateNow,
            'E_TERMINAL_SLOT',
          );
        this.inserted = card;
        this.events.emit({ type: 'card', action: 'insert', card: card.name, maskedPan: card.maskedPan });
        this.presentations.push({ kind: 'insert', card, at: Date.now() });
      },
      tap: async (card: PresentedCard, holdMs?: number) => {
        this.events.emit({ type: 'card', action: 'tap', card: card.name, maskedPan: card.maskedPan });
        this.presentations.push({
          kind: 'tap',
          card,
          at: Date.now(),
          ...(holdMs !== undefined ? { holdMs } : {}),
        });
      },
      swipe: async (card: PresentedCard) => {
        this.events.emit({ type: 'card', action: 'swipe', card: card.name, maskedPan: card.maskedPan });
        this.presentations.push({ kind: 'swipe', card, at: Date.now() });
      },
      remove: async () => {
        const c = this.inserted;
        if (!c) return;
        this.inserted = undefined;
        await c.powerOff();
        this.events.emit({ type: 'card', action: 'remove', card: c.name, maskedPan: c.maskedPan });
        this.presentations.dropInserted(c);
        this.clearRemovalTimer();
        if (this.busy && this.chipCard === c) this.abort?.abort(new Cancelled('cardRemoved'));
        if (this.stateNow === 'removeCard') this.toIdle();
      },
      get occupied() {
        return occupied();
      },
      get retained() {
        return retained();
      },
    };
    this.setState('notSignedIn');
    this.show('notSignedIn');
  }

  /** The state machine's state. */
  get state(): TerminalState {
    return this.stateNow;
  }

  get signedIn(): boolean {
    return this.keys !== undefined;
  }

  /** The host address (may be pointed at a proxy between transactions). */
  get hostAddress(): HostAddress {
    return this.link.address;
  }
  set hostAddress(a: HostAddress) {
    this.link.address = a;
  }

  status(): TerminalStatus {
    return {
      state: this.stateNow,
      signedIn: this.signedIn,
      busy: this.busy,
      profile: this.profile.name,
      batch: this.batchNo,
      pendingReversal: this.pending !== undefined,
      defects: [...this.defects],
      devices: { ...this.deviceState },
    };
  }

  /** Conditions of the peripherals now (a copy). */
  get devices(): DeviceConditions {
    return { ...this.deviceState };
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
    if (this.deviceState[device] === condition) return;
    this.deviceState[device] = condition;
    this.events.emit({ type: 'device', device, condition });
  }

  /** True when taps can be taken: an antenna, the menu opens the field, the field works. */
  private contactlessUsable(): boolean {
    return (
      this.profile.capabilities.contactless &&
      this.profile.menu.contactless &&
      this.deviceState.contactless !== 'fault'
    );
  }

  /** Text of the last receipt (merchant copy by default), or null. */
  lastReceipt(copy: 'merchant' | 'customer' = 'merchant'): string | null {
    return this.receipts[copy];
  }

  /** True while a reversal waits to be sent. */
  get hasPendingReversal(): boolean {
    return this.pending !== undefined;
  }

  // ---- transactions -----------------------------------------------------------------------------

  /** 0800 sign-in with working-key download; retried per the profile on failure. */
  signIn(): Promise<TerminalResult> {
    return this.run('signIn', 0, async (ctx) => {
      const attempts = 1 + this.profile.signIn.retries;
      let last: TerminalResult | undefined;
      for (let i = 0; i < attempts; i++) {
        if (i > 0) {
          this.show('retrying');
          await this.sleep(this.profile.signIn.intervalMs, ctx.signal);
        }
        last = await this.signInOnce();
        if (last.outcome === 'approved') return last;
        if (last.messageKey === 'keyCheckError') return last;
      }
      return last as TerminalResult;
    });
  }

  private async signInOnce(): Promise<TerminalResult> {
    this.setState('signingIn');
    this.show('signingIn');
    const stan = this.nextStan();
    const req = buildSignIn(
      { terminalId: this.profile.terminalId, merchantId: this.profile.merchantId },
      stan,
      this.batchNo,
      this.profile.keyScheme,
    );
    let answer: IsoMessage;
    try {
      answer = await this.link.exchange(req, this.profile.timeouts.signIn);
    } catch (e) {
      this.hostError(e, req.mti);
      return this.result('signIn', 'failed', 'lineDown', { stan });
    }
    const rc = answer.fields[39] ?? '';
    if (rc !== '00') return this.result('signIn', 'declined', 'signInFailed', { stan, responseCode: rc });
    const f62 = answer.fields[62];
    let keys: SessionKeys;
    try {
      if (f62 === undefined) throw new Error('no field 62');
      // Binary field 62 arrives as hex; a character field may carry the key bytes as hex text or raw.
      const hex =
        this.dialect.fields[62]?.type === 'b' || /^(?:[0-9A-Fa-f]{2})+$/.test(f62)
          ? f62
          : Buffer.from(f62, 'latin1').toString('hex');
      keys = this.readKeys(hex);
    } catch (e) {
      this.events.emit({ type: 'note', text: `sign-in keys refused: ${(e as Error).message}` });
      this.keys = undefined;
      this.setState('notSignedIn');
      return this.result('signIn', 'failed', 'keyCheckError', { stan, responseCode: rc });
    }
    this.keys = keys;
    const f60 = answer.fields[60];
    if (f60 && f60.length >= 8) this.batchNo = f60.slice(2, 8);
    return this.result('signIn', 'approved', 'signInOk', {
      stan,
      responseCode: rc,
      details: { batch: this.batchNo },
    });
  }

  /** Working keys of field 62 under the TMK, check values verified (unless `skip-kcv-check`). */
  private readKeys(hex: string): SessionKeys {
    const b = fromHex(hex);
    const scheme = this.profile.keyScheme;
    const want = scheme === '001' ? 24 : scheme === '003' ? 40 : 60;
    if (b.length !== want)
      throw new Error(`field 62 has ${b.length} bytes, key scheme ${scheme} needs ${want}`);
    const tmk = fromHex(this.profile.tmk);
    const skip = this.defects.has('skip-kcv-check');
    const take = (what: string, off: number, len: number, cvOff: number): Buffer => {
      try {
        return decryptWorkingKey(
          tmk,
          b.subarray(off, off + len),
          skip ? undefined : b.subarray(cvOff, cvOff + 4),
        ).key;
      } catch (e) {
        throw new Error(`${what} check value does not match (${(e as Error).message})`, { cause: e });
      }
    };
    if (scheme === '001') return { pik: take('PIK', 0, 8, 8), mak: take('MAK', 12, 8, 20) };
    const keys: SessionKeys = { pik: take('PIK', 0, 16, 16), mak: take('MAK', 20, 8, 36) };
    if (scheme === '004') keys.tdk = take('TDK', 40, 16, 56);
    return keys;
  }

  /** Purchase (消费): insert, tap or swipe. */
  purchase(amount: number, options: { ecrReference?: string } = {}): Promise<TerminalResult> {
    return this.cardTransaction('purchase', amount, options.ecrReference);
  }

  /** Pre-authorisation (预授权, 0100). */
  preAuth(amount: number, options: { ecrReference?: string } = {}): Promise<TerminalResult> {
    return this.cardTransaction('preAuth', amount, options.ecrReference);
  }

  /** Balance inquiry (0200 310000): PIN required. */
  balance(): Promise<TerminalResult> {
    return this.cardTransaction('balance', 0);
  }

  /** ATM cash withdrawal (0200 01xxxx). */
  withdraw(amount: number): Promise<TerminalResult> {
    return this.cardTransaction('withdraw', amount);
  }

  /** Void (撤销) of a transaction of the current batch, by reference (field 37) or STAN. */
  void(
    original: { reference?: string; stan?: string },
    options: { ecrReference?: string } = {},
  ): Promise<TerminalResult> {
    return this.referenced('void', original, undefined, options.ecrReference);
  }

  /** Refund (退货, 0220) of an earlier purchase, by reference or STAN. */
  refund(
    amount: number,
    original: { reference?: string; stan?: string; date?: string },
    options: { ecrReference?: string } = {},
  ): Promise<TerminalResult> {
    return this.referenced('refund', original, amount, options.ecrReference);
  }

  /** Pre-authorisation completion (0200 000000, condition 06). */
  completion(amount: number, original: { reference?: string; stan?: string }): Promise<TerminalResult> {
    return this.referenced('completion', original, amount);
  }

  /** Settlement (0500) with offline upload before and batch upload (0320) when the host is out of balance. */
  settle(): Promise<TerminalResult> {
    return this.run('settle', 0, async (ctx) => {
      const stop = this.preconditions('settle');
      if (stop) return stop;
      const after = await this.reversalBefore(ctx.signal);
      this.setState('settling');
      this.show('settling');
      const id = this.identity();
      for (const r of this.batch.unuploaded()) {
        const a = await this.uploadRecord(id, r);
        if (a?.fields[39] === '00') r.uploaded = true;
      }
      const totals = this.batch.totals();
      const stan = this.nextStan();
      const req = this.mac(buildSettlement(id, stan, this.batchNo, totals));
      let answer: IsoMessage;
      try {
        answer = await this.link.exchange(req, this.profile.timeouts.host);
      } catch (e) {
        this.hostError(e, req.mti);
        return this.result('settle', 'failed', 'lineDown', { stan, totals });
      }
      const rc = answer.fields[39] ?? '';
      if (rc !== '00')
        return this.result('settle', 'declined', responseCodeKey(rc), { stan, responseCode: rc, totals });
      const balanced = settlementResult(answer) !== 'unbalanced';
      if (!balanced) {
        for (const r of this.batch.records()) await this.uploadRecord(id, r);
      }
      const closed = this.batchNo;
      this.settled.push({ batch: closed, records: [...this.batch.records()] });
      if (this.settled.length > SETTLED_BATCHES_KEPT) this.settled.shift();
      this.batch.clear();
      this.batchNo = String((Number(this.batchNo) + 1) % 1000000).padStart(6, '0');
      await after();
      const done = this.result('settle', 'approved', balanced ? 'settled' : 'settledUnbalanced', {
        stan,
        responseCode: rc,
        totals,
        details: { batch: closed, balanced },
      });
      // The settlement slip (结算单) closes the day.
      this.printReceipt(done, false);
      return done;
    });
  }

  /** Cancels the running transaction (waiting for a card or a PIN). */
  async cancel(): Promise<void> {
    if (!this.busy || !this.abort)
      throw new TerminalStateError('nothing to cancel', this.stateNow, 'E_TERMINAL_NO_TRANSACTION');
    this.abort.abort(new Cancelled('cancelled'));
  }

  /** Drops connections and timers. */
  async close(): Promise<void> {
    this.clearRemovalTimer();
    this.abort?.abort(new Cancelled('cancelled'));
    this.link.close();
  }

  // ---- common flow ------------------------------------------------------------------------------

  private async run(
    op: TerminalOperation,
    amount: number,
    body: (ctx: TxContext) => Promise<TerminalResult>,
    ecrReference?: string,
  ): Promise<TerminalResult> {
    if (this.busy)
      throw new TerminalStateError(
        `a transaction is in progress (${this.stateNow})`,
        this.stateNow,
        'E_TERMINAL_BUSY',
      );
    this.busy = true;
    this.clearRemovalTimer();
    this.abort = new AbortController();
    this.pinBuffer = undefined;
    this.keyBuffer = '';
    const ctx: TxContext = {
      op,
      signal: this.abort.signal,
      amount,
      fallbackAllowed: false,
      ...(ecrReference ? { ecrReference } : {}),
    };
    let r: TerminalResult;
    try {
      r = await body(ctx);
    } catch (e) {
      if (e instanceof Cancelled)
        r = this.result(op, 'cancelled', e.key, { amount, ...(e.details ? { details: e.details } : {}) });
      else if (e instanceof DeviceStop) r = this.result(op, 'failed', e.key, { amount });
      else {
        this.events.emit({ type: 'note', text: `internal error: ${(e as Error).message}` });
        r = this.result(op, 'failed', 'declined', { amount, details: { error: (e as Error).message } });
      }
    } finally {
      this.busy = false;
      this.abort = undefined;
      this.pinWaiter = undefined;
      this.chipCard = undefined;
      this.presentations.clear();
    }
    if (ecrReference) r.ecrReference = ecrReference;
    if (r.outcome === 'approved' && r.details?.receiptPrinted === false)
      r = {
        ...r,
        messageKey: 'approvedNoReceipt',
        message: text('approvedNoReceipt', this.profile.language),
      };
    this.setState('result');
    this.show(
      r.messageKey as TextKey,
      r.messageKey === 'balance' && r.balance !== undefined
        ? (r.balance / 10 ** this.profile.kernel.currencyExponent).toFixed(
            this.profile.kernel.currencyExponent,
          )
        : undefined,
    );
    this.events.emit({
      type: 'indicator',
      beep: r.outcome === 'approved' ? 1 : 3,
      leds: { green: r.outcome === 'approved' ? 'on' : 'off', red: r.outcome === 'approved' ? 'off' : 'on' },
    });
    this.events.emit({ type: 'result', result: r });
    if (this.inserted && op !== 'signIn' && op !== 'settle') {
      this.setState('removeCard');
      this.show('removeCard');
      this.armRemovalTimer(this.inserted);
    } else this.toIdle();
    return r;
  }

  /** Idle (or not signed in); `key` = what the screen shows there (default: the welcome screen). */
  private toIdle(key?: TextKey): void {
    if (this.keys || this.defects.has('transacts-without-sign-in')) {
      this.setState('idle');
      this.show(key ?? 'welcome');
    } else {
      this.setState('notSignedIn');
      this.show(key ?? 'notSignedIn');
    }
  }

  /**
   * PLEASE REMOVE CARD with the card still in: after `timeouts.cardRemoval` a POS beeps and reminds
   * (CARD NOT REMOVED, once; it keeps waiting for the card), an ATM retains the forgotten card.
   */
  private armRemovalTimer(card: PresentedCard): void {
    this.clearRemovalTimer();
    const timer = setTimeout(() => {
      if (this.removalTimer !== timer) return;
      this.removalTimer = undefined;
      if (this.busy || this.stateNow !== 'removeCard' || this.inserted !== card) return;
      this.events.emit({ type: 'card', action: 'not-removed', card: card.name, maskedPan: card.maskedPan });
      this.events.emit({ type: 'indicator', beep: 3 });
      if (this.profile.kind === 'atm') {
        this.events.emit({
          type: 'note',
          text: `card not taken within ${this.profile.timeouts.cardRemoval} ms: retained`,
        });
        this.retain();
        this.toIdle('cardNotTaken');
      } else this.show('cardNotRemoved');
    }, this.profile.timeouts.cardRemoval);
    // A terminal left with a card in must not keep the process alive.
    timer.unref();
    this.removalTimer = timer;
  }

  private clearRemovalTimer(): void {
    if (this.removalTimer) clearTimeout(this.removalTimer);
    this.removalTimer = undefined;
  }

  /**
   * Waits for the next card presentation at a card prompt. Nothing presented within `timeouts.cardRead`
   * of the prompt, or nothing happening for `timeouts.idle` (the shorter one wins) → TIMEOUT: the
   * transaction is cancelled (`details.timeout` says which ran out).
   */
  private nextPresentation(ctx: TxContext): Promise<Presentation> {
    const { cardRead, idle } = this.profile.timeouts;
    const which = idle < cardRead ? 'idle' : 'cardRead';
    return this.presentations.next(
      Math.min(cardRead, idle),
      ctx.signal,
      () => new Cancelled('timeout', { timeout: which, waitedMs: Math.min(cardRead, idle) }),
    );
  }

  /** Refusals before any card or host work; undefined = go on. */
  private preconditions(op: TerminalOperation): TerminalResult | undefined {
    const offered = op === 'completion' ? 'preAuth' : op;
    if (offered !== 'signIn' && !this.profile.transactions.includes(offered as never))
      return this.result(op, 'declined', 'notSupportedTx');
    if (!this.keys && !this.defects.has('transacts-without-sign-in'))
      return this.result(op, 'failed', 'notSignedIn');
    return undefined;
  }

  private cardTransaction(
    op: 'purchase' | 'preAuth' | 'balance' | 'withdraw',
    amount: number,
    ecrReference?: string,
  ): Promise<TerminalResult> {
    if (op !== 'balance' && (!Number.isSafeInteger(amount) || amount <= 0 || amount > 999999999999))
      return Promise.reject(
        new TerminalStateError(
          `amount must be 1..999999999999 minor units, got ${amount}`,
          this.stateNow,
          'E_TERMINAL_AMOUNT',
        ),
      );
    return this.run(
      op,
      amount,
      async (ctx) => {
        const stop = this.preconditions(op);
        if (stop) return stop;
        const after = await this.reversalBefore(ctx.signal);
        const r = await this.cardFlow(ctx, op, amount);
        await after();
        return r;
      },
      ecrReference,
    );
  }

  /**
   * Shows the amount (`shown`), runs the card reader's self-check, then asks for a card (ATM, contact and
   * contactless, or contact only). The `readerFault` result when the self-check fails, else undefined.
   */
  private askForCard(
    op: TerminalOperation,
    amount: number,
    shown: string | undefined,
  ): TerminalResult | undefined {
    this.setState('amount');
    this.show('amount', shown);
    if (this.deviceState.reader === 'fault') return this.result(op, 'failed', 'readerFault', { amount });
    this.setState('waitingForCard');
    this.show(
      this.profile.kind === 'atm'
        ? 'insertCardAtm'
        : this.contactlessUsable()
          ? 'insertCard'
          : 'insertCardNoTap',
      shown,
    );
    return undefined;
  }

  private async cardFlow(
    ctx: TxContext,
    op: 'purchase' | 'preAuth' | 'balance' | 'withdraw',
    amount: number,
  ): Promise<TerminalResult> {
    const refused = this.askForCard(op, amount, op === 'balance' ? undefined : this.money(amount));
    if (refused) return refused;
    const type: KernelTransaction['type'] =
      op === 'withdraw' ? '01' : op === 'preAuth' ? '03' : op === 'balance' ? '31' : '00';
    const ktx: KernelTransaction = { amount, type, offlineAllowed: op === 'purchase' };
    for (let round = 0; round < 32; round++) {
      const p = await this.nextPresentation(ctx);
      ctx.presentation = p;
      const got = await this.readPresented(ctx, p, ktx);
      if (got === 'again') continue;
      if ('outcome' in got && 'transaction' in got) return got;
      return this.authorise(ctx, op, amount, got as CardData);
    }
    return this.result(op, 'failed', 'cardReadError', { amount });
  }

  /** Reads a presented card; 'again' = keep waiting for another presentation. */
  private async readPresented(
    ctx: TxContext,
    p: Presentation,
    ktx: KernelTransaction,
  ): Promise<CardData | TerminalResult | 'again'> {
    const caps = this.profile.capabilities;
    const op = ctx.op;
    if (p.kind === 'insert') {
      if (!caps.chip) return 'again';
      const kernel = await this.contactKernel(ctx, p, ktx);
      if (!(kernel instanceof EmvKernel)) return kernel;
      let outcome: KernelOutcome;
      try {
        outcome = await kernel.runContact();
      } catch (e) {
        return this.contactReadFailed(ctx, p, e);
      }
      return this.chipData(kernel, outcome, 'chip');
    }
    if (p.kind === 'tap') {
      if (!caps.contactless) return 'again';
      if (!this.contactlessUsable()) {
        // The field is not open (outdated menu) or the antenna is broken: the card never hears a thing.
        this.events.emit({
          type: 'note',
          text: `tap ignored: ${this.profile.menu.contactless ? 'contactless field out of order' : 'the menu does not open the contactless field'}`,
        });
        return 'again';
      }
      this.setState('readingCard');
      this.show('readingCard');
      try {
        await p.card.powerOn('contactless');
      } catch (e) {
        if (!(e instanceof CardNoAnswerError)) throw e;
        this.events.emit({ type: 'note', text: `no contactless answer (${e.message})` });
        this.show('pleaseTapAgain');
        return 'again';
      }
      const timed = this.timedSender(p);
      const kernel = new EmvKernel(this.kernelHost(ctx), timed.send, ktx, true);
      let outcome: KernelOutcome;
      try {
        outcome = await kernel.runContactless();
      } catch (e) {
        // Gone from the field (a PC/SC reader lost it): whatever the kernel concluded, tap again.
        const gone = e instanceof KernelStop && e.kind !== 'useContact' && this.cardGone(p);
        await p.card.powerOff();
        if (e instanceof KernelStop) {
          if (gone || e.kind === 'cardLeft' || e.kind === 'tapAgain' || e.kind === 'readError')
            return this.leftField(p);
          if (e.kind === 'useContact') {
            this.show('useContact');
            return 'again';
          }
          return this.result(op, 'declined', e.key, { amount: ctx.amount });
        }
        if (e instanceof CardRemovedError) return this.leftField(p);
        throw e;
      }
      await p.card.powerOff();
      return { ...this.chipData(kernel, outcome, 'contactless'), fieldMs: timed.spentMs() };
    }
    const read = await this.readSwipe(ctx, p);
    if (read === 'again' || !('pan' in read)) return read;
    const pin = caps.pinpad ? await this.requestPin(ctx) : undefined;
    return { read, ...(pin !== undefined ? { pin } : {}), maskedPan: maskPan(read.pan) };
  }

  /**
   * Powers an inserted chip and builds its kernel; a chip that does not answer is a chip failure
   * (fallback or decline), one taken out before it was powered is a removal (throws Cancelled).
   */
  private async contactKernel(
    ctx: TxContext,
    p: Presentation,
    ktx: KernelTransaction,
  ): Promise<EmvKernel | TerminalResult | 'again'> {
    this.setState('applicationSelection');
    this.show('readingCard');
    try {
      await p.card.powerOn('contact');
    } catch (e) {
      if (!(e instanceof CardNoAnswerError)) throw e;
      // Taken out before the chip was powered: removed, not a chip that does not answer.
      if (this.inserted !== p.card) throw this.cardRemovedDuringRead(p, e);
      return this.chipFailed(ctx);
    }
    this.chipCard = p.card;
    return new EmvKernel(this.kernelHost(ctx), (c) => this.transmit(p.card, 'contact', c), ktx, false);
  }

  /** What a contact kernel's failure means: removal (throws Cancelled), chip failure or a decline. */
  private contactReadFailed(ctx: TxContext, p: Presentation, e: unknown): TerminalResult | 'again' {
    // A card that left mid-read is removed, whatever the kernel made of the missing answers.
    if (e instanceof CardRemovedError || (e instanceof KernelStop && this.cardGone(p)))
      throw this.cardRemovedDuringRead(p, e);
    if (e instanceof KernelStop) {
      if (e.kind === 'readError') return this.chipFailed(ctx);
      return this.result(ctx.op, 'declined', e.key, { amount: ctx.amount });
    }
    throw e;
  }

  /** A tapped card that left the field before the read ended: PLEASE TAP AGAIN, keep waiting. */
  private leftField(p: Presentation): 'again' {
    this.events.emit({ type: 'card', action: 'left-field', card: p.card.name, maskedPan: p.card.maskedPan });
    this.show('pleaseTapAgain');
    return 'again';
  }

  /**
   * Reads a swiped stripe: PAN, expiry and track 2, entry `swipe` or `fallback` (after a failed chip).
   * A chip card swiped without a reason is sent to the chip reader; no stripe head declines.
   */
  private async readSwipe(ctx: TxContext, p: Presentation): Promise<CardRead | TerminalResult | 'again'> {
    const caps = this.profile.capabilities;
    if (!caps.magstripe) {
      this.show('chipOnly');
      return this.result(ctx.op, 'declined', 'chipOnly', { amount: ctx.amount });
    }
    let tracks;
    try {
      tracks = await p.card.swipe();
    } catch {
      this.show('cardReadError');
      return 'again';
    }
    const m = /^(\d{12,19})[=D](\d{4})(\d{3})/.exec(tracks.track2);
    if (!m) {
      this.show('cardReadError');
      return 'again';
    }
    const [, pan, expiry, serviceCode] = m as unknown as [string, string, string, string];
    const fallback = ctx.fallbackAllowed;
    if (
      serviceCodeSaysChip(serviceCode) &&
      !fallback &&
      caps.chip &&
      !this.defects.has('ignores-service-code')
    ) {
      this.show('pleaseInsertChip');
      return 'again';
    }
    const entry = fallback && !this.defects.has('wrong-entry-mode-fallback') ? 'fallback' : 'swipe';
    return { pan, expiry, track2: tracks.track2, entry };
  }

  /**
   * True when the presented card is no longer there: taken out of the slot, or unpowered behind the
   * kernel's back (the PC/SC card source powers a card off when its reader reports it gone).
   */
  private cardGone(p: Presentation): boolean {
    if (p.kind === 'insert' && this.inserted !== p.card) return true;
    return 'poweredVia' in p.card && p.card.poweredVia === undefined;
  }

  /** An inserted card that left while the terminal read it: CARD REMOVED, the transaction is cancelled. */
  private cardRemovedDuringRead(p: Presentation, e: unknown): Cancelled {
    this.events.emit({
      type: 'note',
      text: `card ${p.card.name} left the reader during the read (${(e as Error).message})`,
    });
    return new Cancelled('cardRemoved', { cardLeft: 'reading' });
  }

  private chipFailed(ctx: TxContext): TerminalResult | 'again' {
    const caps = this.profile.capabilities;
    if (caps.fallback && caps.magstripe) {
      ctx.fallbackAllowed = true;
      this.show('pleaseSwipe');
      return 'again';
    }
    return this.result(ctx.op, 'declined', this.profile.kind === 'atm' ? 'chipOnly' : 'cardReadError', {
      amount: ctx.amount,
    });
  }

  private chipData(kernel: EmvKernel, o: KernelOutcome, entry: 'chip' | 'contactless'): CardData {
    return {
      read: {
        pan: o.pan,
        ...(o.expiry ? { expiry: o.expiry } : {}),
        ...(o.psn ? { psn: o.psn } : {}),
        ...(o.track2 ? { track2: o.track2 } : {}),
        iccData: o.iccData,
        entry,
      },
      ...(o.onlinePin !== undefined ? { pin: o.onlinePin } : {}),
      kernel,
      outcome: o,
      maskedPan: maskPan(o.pan),
    };
  }

  /** Online authorisation (or the offline outcome of the kernel), completion, reversal, receipt. */
  private async authorise(
    ctx: TxContext,
    op: 'purchase' | 'preAuth' | 'balance' | 'withdraw',
    amount: number,
    card: CardData,
  ): Promise<TerminalResult> {
    const o = card.outcome;
    const base = { amount, maskedPan: card.maskedPan, currency: this.currency() };
    const details: Record<string, unknown> = o ? { aid: o.aid, tvr: o.tvr, tsi: o.tsi } : {};
    if (card.fieldMs !== undefined) details.fieldMs = card.fieldMs;
    if (o && o.decision === 'AAC')
      return this.result(op, 'declined', o.declineKey ?? 'cardDeclined', { ...base, details });
    if (o && o.decision === 'TC') {
      const stan = this.nextStan();
      const entryMode = card.read.entry === 'contactless' ? '072' : '052';
      this.batch.add({
        op: 'purchase',
        stan,
        pan: card.read.pan,
        amount,
        entryMode,
        iccData: o.iccData,
        offline: true,
        uploaded: false,
        reference: '',
        authCode: '',
        state: 'approved',
        date: this.dateOf(),
      });
      const r = this.result(op, 'approved', 'approvedOffline', {
        ...base,
        stan,
        entryMode,
        details: {
          ...details,
          offline: true,
          ...(o.ecBalance !== undefined ? { ecBalance: o.ecBalance } : {}),
        },
      });
      this.printReceipt(r, false);
      return r;
    }
    // Balance inquiry and withdrawal need a PIN: ask when the CVM did not.
    if (
      (op === 'balance' || op === 'withdraw') &&
      card.pin === undefined &&
      this.profile.capabilities.pinpad
    ) {
      const pin = await this.requestPin(ctx);
      if (pin !== undefined) card.pin = pin;
    }
    this.setState('online');
    this.show('connecting');
    const kind: TransactionKind = op === 'withdraw' ? 'withdrawal' : op === 'preAuth' ? 'preauth' : op;
    const stan = this.nextStan();
    const request = this.buildRequest(kind, stan, card.read, amount, card.pin);
    const entryMode = request.fields[22];
    const ex = await this.exchangeFinancial(request);
    details.stanSent = ex.request.fields[11];
    const sentStan = ex.request.fields[11] ?? stan;
    if (!ex.answer) {
      if (card.kernel && o?.decision === 'ARQC' && card.read.entry === 'chip')
        await card.kernel.complete(undefined, undefined).catch(() => 'AAC');
      return this.result(
        op,
        'failed',
        ex.badMac ? 'macError' : ex.connectFailed ? 'lineDown' : 'hostTimeout',
        {
          ...base,
          stan: sentStan,
          ...(entryMode ? { entryMode } : {}),
          ...(ex.badMac && ex.rc ? { responseCode: ex.rc } : {}),
          details,
        },
      );
    }
    const answer = ex.answer;
    const rc = answer.fields[39] ?? '';
    const reference = answer.fields[37];
    const authCode = answer.fields[38];
    const common = {
      ...base,
      stan: sentStan,
      responseCode: rc,
      ...(entryMode ? { entryMode } : {}),
      ...(reference ? { reference } : {}),
      ...(authCode ? { authCode } : {}),
    };
    if (card.kernel && o?.decision === 'ARQC' && card.read.entry === 'chip') {
      this.setState('completion');
      const issuerAuth = this.issuerAuthData(answer);
      let final: 'TC' | 'AAC';
      try {
        final = await card.kernel.complete(rc, issuerAuth);
      } catch {
        final = 'AAC';
      }
      details.tvr = card.kernel.tvrHex;
      details.tsi = card.kernel.tsiHex;
      if (rc === '00' && final !== 'TC' && !this.defects.has('no-arpc-check')) {
        await this.queueReversal(ex.request, '06');
        return this.result(op, 'declined', 'cardDeclined', { ...common, details });
      }
    }
    if (rc !== '00') {
      const retain =
        this.profile.kind === 'atm' &&
        this.profile.atm.retainCodes.includes(rc) &&
        this.inserted !== undefined;
      if (retain) this.retain();
      return this.result(op, 'declined', retain ? 'cardRetained' : responseCodeKey(rc), {
        ...common,
        details: { ...details, ...(retain ? { cardRetained: true } : {}) },
      });
    }
    const balance = op === 'balance' ? this.balanceOf(answer) : undefined;
    if (op !== 'balance')
      this.batch.add({
        op,
        stan: sentStan,
        pan: card.read.pan,
        amount,
        entryMode: entryMode ?? '',
        ...(card.read.iccData ? { iccData: card.read.iccData } : {}),
        offline: false,
        uploaded: true,
        reference: reference ?? '',
        authCode: authCode ?? '',
        state: 'approved',
        ...(card.read.expiry ? { expiry: card.read.expiry } : {}),
        date: this.dateOf(answer),
      });
    const key: TextKey = op === 'balance' ? 'balance' : op === 'withdraw' ? 'dispensing' : 'approved';
    const r = this.result(op, 'approved', key, {
      ...common,
      ...(balance !== undefined ? { balance } : {}),
      details,
    });
    if (op !== 'balance')
      this.printReceipt(
        r,
        card.outcome?.signature === true || (card.pin === undefined && card.read.entry !== 'contactless'),
      );
    return r;
  }

  /** Void, refund, completion: the original from this terminal's batch; no card needed. */
  private referenced(
    op: 'void' | 'refund' | 'completion',
    original: { reference?: string; stan?: string; date?: string },
    amount: number | undefined,
    ecrReference?: string,
  ): Promise<TerminalResult> {
    return this.run(
      op,
      amount ?? 0,
      async (ctx) => {
        const stop = this.preconditions(op);
        if (stop) return stop;
        const after = await this.reversalBefore(ctx.signal);
        const orig = this.batch.find(original);
        if (!orig && op === 'refund' && amount !== undefined) {
          const r = await this.settledRefund(ctx, original, amount);
          await after();
          return r;
        }
        if (!orig) return this.result(op, 'declined', 'originalNotFound', { ...(amount ? { amount } : {}) });
        const amt = amount ?? orig.amount;
        const kind: TransactionKind = op;
        const stan = this.nextStan();
        const read: CardRead = {
          pan: orig.pan,
          ...(orig.expiry ? { expiry: orig.expiry } : {}),
          entry: 'manual',
        };
        const request = this.buildRequest(kind, stan, read, amt, undefined, {
          rrn: orig.reference,
          authCode: orig.authCode,
          batch: this.batchNo,
          stan: orig.stan,
          ...(original.date ? { date: original.date } : {}),
        });
        this.setState('online');
        this.show('connecting');
        const ex = await this.exchangeFinancial(request);
        const base = {
          amount: amt,
          maskedPan: maskPan(orig.pan),
          currency: this.currency(),
          stan: ex.request.fields[11] ?? stan,
        };
        let r: TerminalResult;
        if (!ex.answer)
          r = this.result(
            op,
            'failed',
            ex.badMac ? 'macError' : ex.connectFailed ? 'lineDown' : 'hostTimeout',
            base,
          );
        else {
          const rc = ex.answer.fields[39] ?? '';
          const reference = ex.answer.fields[37];
          const common = {
            ...base,
            responseCode: rc,
            ...(reference ? { reference } : {}),
            details: { original: orig.stan },
          };
          if (rc !== '00') r = this.result(op, 'declined', responseCodeKey(rc), common);
          else {
            if (op === 'void') orig.state = 'voided';
            if (op === 'completion') orig.state = 'completed';
            this.batch.add({
              op,
              stan: base.stan,
              pan: orig.pan,
              amount: amt,
              entryMode: '012',
              offline: false,
              uploaded: true,
              reference: reference ?? '',
              authCode: ex.answer.fields[38] ?? '',
              state: 'approved',
              date: this.dateOf(ex.answer),
            });
            r = this.result(op, 'approved', 'approved', common);
            this.printReceipt(r, false);
          }
        }
        await after();
        return r;
      },
      ecrReference,
    );
  }

  /**
   * Refund (退货) of an original that is no longer in the current batch (settled, typically the next
   * day), the UnionPay way: the card must be presented (insert, tap or swipe; chip cards run the
   * simplified flow, no cryptogram), and the 0220 carries the card data, the original reference (field
   * 37) and field 61 = original batch ‖ original trace ‖ original date MMDD (batch and trace zero when the
   * terminal no longer holds the original). The date comes from `original.date`, else from the settled
   * batches the terminal keeps; without either the terminal cannot fill field 61 and refuses.
   */
  private async settledRefund(
    ctx: TxContext,
    original: { reference?: string; stan?: string; date?: string },
    amount: number,
  ): Promise<TerminalResult> {
    const op = 'refund';
    const known = this.findSettled(original);
    const date = original.date ?? known?.record.date;
    const reference = original.reference ?? known?.record.reference;
    if (date !== undefined && !MMDD_PATTERN.test(date))
      return this.result(op, 'declined', 'originalNotFound', {
        amount,
        details: { error: `original date must be MMDD, got '${date}'` },
      });
    if (!reference || date === undefined) return this.result(op, 'declined', 'originalNotFound', { amount });
    const refused = this.askForCard(op, amount, this.money(amount));
    if (refused) return refused;
    const ktx: KernelTransaction = { amount, type: '20', offlineAllowed: false };
    let read: CardRead | undefined;
    for (let round = 0; round < 32 && !read; round++) {
      const p = await this.nextPresentation(ctx);
      ctx.presentation = p;
      const got = await this.readForRefund(ctx, p, ktx);
      if (got === 'again') continue;
      if ('outcome' in got) return got;
      read = got;
    }
    if (!read) return this.result(op, 'failed', 'cardReadError', { amount });
    const stan = this.nextStan();
    const request = this.buildRequest('refund', stan, read, amount, undefined, {
      rrn: reference,
      batch: known?.batch ?? '000000',
      stan: known?.record.stan ?? '000000',
      date,
      ...(known?.record.authCode ? { authCode: known.record.authCode } : {}),
    });
    this.setState('online');
    this.show('connecting');
    const ex = await this.exchangeFinancial(request);
    const base = {
      amount,
      maskedPan: maskPan(read.pan),
      currency: this.currency(),
      stan: ex.request.fields[11] ?? stan,
      ...(request.fields[22] ? { entryMode: request.fields[22] } : {}),
    };
    const details = { original: reference, originalDate: date, settledOriginal: true };
    if (!ex.answer)
      return this.result(
        op,
        'failed',
        ex.badMac ? 'macError' : ex.connectFailed ? 'lineDown' : 'hostTimeout',
        {
          ...base,
          details,
        },
      );
    const rc = ex.answer.fields[39] ?? '';
    const rrn = ex.answer.fields[37];
    const common = { ...base, responseCode: rc, ...(rrn ? { reference: rrn } : {}), details };
    if (rc !== '00') return this.result(op, 'declined', responseCodeKey(rc), common);
    this.batch.add({
      op,
      stan: base.stan,
      pan: read.pan,
      ...(read.expiry ? { expiry: read.expiry } : {}),
      amount,
      entryMode: request.fields[22] ?? '',
      offline: false,
      uploaded: true,
      reference: rrn ?? '',
      authCode: ex.answer.fields[38] ?? '',
      state: 'approved',
      date: this.dateOf(ex.answer),
    });
    const r = this.result(op, 'approved', 'approved', common);
    this.printReceipt(r, false);
    return r;
  }

  /** The original in the settled batches the terminal keeps (newest first), by reference or STAN. */
  private findSettled(o: {
    reference?: string;
    stan?: string;
  }): { batch: string; record: BatchRecord } | undefined {
    for (let i = this.settled.length - 1; i >= 0; i--) {
      const b = this.settled[i] as SettledBatch;
      for (let j = b.records.length - 1; j >= 0; j--) {
        const r = b.records[j] as BatchRecord;
        if (
          (o.reference !== undefined && r.reference === o.reference) ||
          (o.reference === undefined && o.stan !== undefined && r.stan === o.stan)
        )
          return { batch: b.batch, record: r };
      }
    }
    return undefined;
  }

  /** Reads the card of a card-present refund: what identifies it, no cryptogram, no PIN. */
  private async readForRefund(
    ctx: TxContext,
    p: Presentation,
    ktx: KernelTransaction,
  ): Promise<CardRead | TerminalResult | 'again'> {
    const caps = this.profile.capabilities;
    const chipRead = (d: CardApplicationData, entry: 'chip' | 'contactless'): CardRead => ({
      pan: d.pan,
      ...(d.expiry ? { expiry: d.expiry } : {}),
      ...(d.psn ? { psn: d.psn } : {}),
      ...(d.track2 ? { track2: d.track2 } : {}),
      entry,
    });
    if (p.kind === 'insert') {
      if (!caps.chip) return 'again';
      const kernel = await this.contactKernel(ctx, p, ktx);
      if (!(kernel instanceof EmvKernel)) return kernel;
      try {
        return chipRead(await kernel.readApplicationData(), 'chip');
      } catch (e) {
        return this.contactReadFailed(ctx, p, e);
      }
    }
    if (p.kind === 'tap') {
      if (!caps.contactless || !this.contactlessUsable()) {
        this.events.emit({ type: 'note', text: 'tap ignored: the contactless field is not open' });
        return 'again';
      }
      this.setState('readingCard');
      this.show('readingCard');
      try {
        await p.card.powerOn('contactless');
      } catch (e) {
        if (!(e instanceof CardNoAnswerError)) throw e;
        this.show('pleaseTapAgain');
        return 'again';
      }
      const timed = this.timedSender(p);
      const kernel = new EmvKernel(this.kernelHost(ctx), timed.send, ktx, true);
      try {
        const d = await kernel.readApplicationData();
        await p.card.powerOff();
        return chipRead(d, 'contactless');
      } catch (e) {
        const gone = e instanceof CardRemovedError || (e instanceof KernelStop && this.cardGone(p));
        await p.card.powerOff();
        if (gone || (e instanceof KernelStop && ['cardLeft', 'tapAgain', 'readError'].includes(e.kind)))
          return this.leftField(p);
        if (e instanceof KernelStop) return this.result(ctx.op, 'declined', e.key, { amount: ctx.amount });
        throw e;
      }
    }
    return this.readSwipe(ctx, p);
  }

  /** Sends one batch record as a 0320 upload; the answer, or undefined when the line failed (noted). */
  private async uploadRecord(
    id: { terminalId: string; merchantId: string },
    r: BatchRecord,
  ): Promise<IsoMessage | undefined> {
    const up = this.mac(
      buildBatchUpload(id, this.batchNo, {
        stan: r.stan,
        pan: r.pan,
        amount: r.amount,
        ...(r.iccData ? { iccData: r.iccData } : {}),
        entry: r.entryMode,
      }),
    );
    try {
      return await this.link.exchange(up, this.profile.timeouts.host);
    } catch (e) {
      this.hostError(e, up.mti);
      return undefined;
    }
  }

  /** MMDD of a transaction: the host's date (field 13) when the answer has one, else the terminal's clock. */
  private dateOf(answer?: IsoMessage): string {
    const f13 = answer?.fields[13];
    if (f13 !== undefined && /^\d{4}$/.test(f13)) return f13;
    const d = new Date();
    return String(d.getMonth() + 1).padStart(2, '0') + String(d.getDate()).padStart(2, '0');
  }

  // ---- host messages -----------------------------------------------------------------------------

  private identity(): { terminalId: string; merchantId: string } {
    return { terminalId: this.profile.terminalId, merchantId: this.profile.merchantId };
  }

  private buildRequest(
    kind: TransactionKind,
    stan: string,
    read: CardRead,
    amount: number,
    pin: string | undefined,
    original?: { rrn?: string; batch?: string; stan?: string; date?: string; authCode?: string },
  ): IsoMessage {
    const keys = this.keys;
    const withPin = pin !== undefined && pin !== '' && keys !== undefined;
    const msg = buildTransaction(
      this.identity(),
      kind,
      {
        stan,
        batch: this.batchNo,
        card: read,
        amount,
        currency: this.currency(),
        ...(withPin ? { pin } : {}),
        ...(original ? { original } : {}),
      },
      keys,
    );
    if (withPin && this.defects.has('pin-block-format-1'))
      msg.fields[52] = toHex(encryptPinBlock((keys as SessionKeys).pik, buildPinBlock(1, pin as string)));
    if (this.dialect.fields[63]) msg.fields[63] = '01 ';
    const track2 = msg.fields[35];
    if (this.profile.trackEncryption && keys?.tdk && track2 !== undefined) {
      // UnionPay track encryption under the TDK; field 53 position 3 = 1 says so, and the PAN travels only in the track.
      msg.fields[35] = encryptTrack(keys.tdk, track2);
      const f53 = msg.fields[53] ?? '0600000000000000';
      msg.fields[53] = f53.slice(0, 2) + '1' + f53.slice(3);
      if (read.track2 !== undefined && read.iccData === undefined) delete msg.fields[2];
    }
    return this.mac(msg);
  }

  /** Adds field 64 (CUP MAC under the MAK) when signed in. */
  private mac(msg: IsoMessage): IsoMessage {
    if (!this.keys || !this.dialect.fields[64]) return msg;
    msg.fields[64] = '0000000000000000';
    let covered = msg;
    if (this.defects.has('mac-excludes-field-63') && msg.fields[63] !== undefined) {
      const fields = { ...msg.fields };
      delete fields[63];
      covered = { mti: msg.mti, fields };
    }
    msg.fields[64] = toHex(macCupEcbField(this.keys.mak, macInput(this.dialect, covered)));
    return msg;
  }

  /**
   * Sends a financial request. No answer (timeout, closed) → reversal queued and tried once (or, with
   * `double-submit-on-retry`, the request sent again with a new STAN). A bad MAC on the answer → reversal.
   */
  private async exchangeFinancial(request: IsoMessage): Promise<{
    request: IsoMessage;
    answer?: IsoMessage;
    badMac?: boolean;
    connectFailed?: boolean;
    rc?: string;
  }> {
    let req = request;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const answer = await this.link.exchange(req, this.profile.timeouts.host);
        const rc = answer.fields[39];
        const macPresent = answer.fields[64] !== undefined;
        const macBad =
          this.keys !== undefined &&
          ((macPresent && !macVerifies(this.dialect, answer, this.keys.mak)) ||
            (!macPresent && rc === '00' && this.dialect.fields[64] !== undefined));
        if (macBad) {
          this.events.emit({
            type: 'host-error',
            reason: 'bad-mac',
            mti: answer.mti,
            text: `answer to ${req.mti} has a MAC that does not verify`,
          });
          if (rc === '00') await this.queueReversal(req, 'A0');
          return { request: req, badMac: true, ...(rc ? { rc } : {}) };
        }
        return { request: req, answer };
      } catch (e) {
        if (!(e instanceof HostLinkError)) throw e;
        this.hostError(e, req.mti);
        if (e.reason === 'connect') return { request: req, connectFailed: true };
        if (this.defects.has('double-submit-on-retry') && attempt === 0) {
          const fields = { ...req.fields, 11: this.nextStan() };
          req = this.mac({ mti: req.mti, fields });
          continue;
        }
        if (!this.defects.has('no-reversal-on-timeout')) await this.queueReversal(req, '98');
        return { request: req };
      }
    }
    return { request: req };
  }

  private issuerAuthData(answer: IsoMessage): Buffer | undefined {
    const f55 = answer.fields[55];
    if (!f55) return undefined;
    try {
      return flattenTlv(parseTlv(fromHex(f55))).get('91');
    } catch {
      return undefined;
    }
  }

  private balanceOf(answer: IsoMessage): number | undefined {
    const f54 = answer.fields[54];
    const m = f54 ? /([CD])(\d{12})$/.exec(f54) : null;
    if (!m) return undefined;
    return (m[1] === 'D' ? -1 : 1) * Number(m[2]);
  }

  // ---- reversal ----------------------------------------------------------------------------------

  private async queueReversal(request: IsoMessage, reason: string): Promise<void> {
    this.pending = { request, reason, attempts: 0 };
    this.events.emit({ type: 'reversal', status: 'queued', stan: request.fields[11] ?? '', reason });
    await this.sendReversal();
  }

  /** One attempt; true when answered. */
  private async sendReversal(): Promise<boolean> {
    const p = this.pending;
    if (!p) return true;
    this.setState('reversal');
    this.show('reversing');
    p.attempts++;
    const stan = p.request.fields[11] ?? '';
    const msg = this.mac(buildReversal(p.request, p.reason));
    this.events.emit({ type: 'reversal', status: 'sent', stan, reason: p.reason });
    try {
      await this.link.exchange(msg, this.profile.timeouts.reversal);
      this.pending = undefined;
      this.events.emit({ type: 'reversal', status: 'answered', stan, reason: p.reason });
      return true;
    } catch (e) {
      this.hostError(e, msg.mti);
      this.events.emit({ type: 'reversal', status: 'failed', stan, reason: p.reason });
      if (p.attempts > this.profile.reversal.retries) {
        this.pending = undefined;
        this.events.emit({ type: 'reversal', status: 'abandoned', stan, reason: p.reason });
      }
      return false;
    }
  }

  /**
   * Sends a pending reversal before a transaction; returns what to do after it. With
   * `reversal-after-next-txn` the reversal that was pending at the start goes out after the transaction.
   */
  private async reversalBefore(signal: AbortSignal): Promise<() => Promise<void>> {
    if (!this.defects.has('reversal-after-next-txn')) {
      await this.flushReversal(signal);
      return async () => undefined;
    }
    const old = this.pending;
    return async () => {
      if (old && this.pending === old) await this.flushReversal(signal);
    };
  }

  /** Sends the pending reversal (repeating up to the profile's count) before going on. */
  private async flushReversal(signal: AbortSignal): Promise<void> {
    for (let i = 0; this.pending && i <= this.profile.reversal.retries; i++) {
      if (i > 0) await this.sleep(this.profile.reversal.intervalMs, signal);
      if (await this.sendReversal()) return;
    }
  }

  // ---- card and keypad plumbing ----------------------------------------------------------------

  private kernelHost(ctx: TxContext) {
    return {
      profile: this.profile,
      defects: this.defects,
      requestPin: (_kind: 'online' | 'offline', triesLeft?: number) => this.requestPin(ctx, triesLeft),
      show: (key: TextKey, extra?: string) => this.show(key, extra),
    };
  }

  private async transmit(
    card: PresentedCard,
    via: 'contact' | 'contactless',
    command: Buffer,
  ): Promise<Buffer> {
    return exchangeWithGetResponse(async (c) => {
      const started = performance.now();
      let r: Buffer;
      try {
        r = await card.transmit(c);
      } catch (e) {
        // A transport that lost the card (PC/SC transmit failed, or the card source already powered it
        // off) is a card that left, not a card that refused.
        if (e instanceof CardRemovedError) throw e;
        if ('poweredVia' in card && card.poweredVia === undefined)
          throw new CardRemovedError(card.name, `gone (${(e as Error).message})`);
        throw e;
      }
      // Every card answer ends with SW1 SW2; nothing at all is a reader that no longer has the card.
      if (r.length < 2) throw new CardRemovedError(card.name, 'answer without a status word');
      const shown = c[1] === 0x20 ? toHex(c.subarray(0, 5)) + '<PIN block redacted>' : toHex(c);
      // PAN and track data (5A, 57, 9F1F, 9F6B) masked in the response, as in every report.
      const body = r.subarray(0, Math.max(0, r.length - 2));
      const response =
        (body.length ? maskIccHex(toHex(body)) : '') + toHex(r.subarray(Math.max(0, r.length - 2)));
      this.events.emit({ type: 'apdu', via, command: shown, response, ms: performance.now() - started });
      return r;
    }, command);
  }

  /**
   * Contactless sender with simulated card-in-field timing: each APDU costs `contactlessReadMs / 6` of
   * simulated time (times {@link WEAK_FIELD_FACTOR} in a weak field); once that exceeds the tap's hold
   * time the card has left the field. `spentMs` = simulated time in the field so far.
   */
  private timedSender(p: Presentation): { send: (c: Buffer) => Promise<Buffer>; spentMs: () => number } {
    let spent = 0;
    const weak = this.deviceState.contactless === 'weak';
    const cost = (this.profile.kernel.contactlessReadMs / 6) * (weak ? WEAK_FIELD_FACTOR : 1);
    return {
      send: async (c: Buffer) => {
        spent += cost;
        if (p.holdMs !== undefined && spent > p.holdMs)
          throw new KernelStop(
            'pleaseTapAgain',
            'cardLeft',
            `card left the ${weak ? 'weak ' : ''}field after ${p.holdMs} ms`,
          );
        return this.transmit(p.card, 'contactless', c);
      },
      spentMs: () => Math.round(spent),
    };
  }

  private async requestPin(ctx: TxContext, triesLeft?: number): Promise<string | undefined> {
    if (this.deviceState.pinpad === 'fault') {
      this.events.emit({ type: 'note', text: 'PIN pad does not answer' });
      throw new DeviceStop('pinpadFault');
    }
    this.setState('cardholderVerification');
    this.show(
      triesLeft !== undefined ? 'wrongPinRetry' : 'enterPin',
      triesLeft !== undefined ? String(triesLeft) : undefined,
    );
    if (this.pinBuffer !== undefined) {
      const pin = this.pinBuffer;
      this.pinBuffer = undefined;
      return pin === '' ? undefined : pin;
    }
    const pin = await new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Cancelled('timeout', { timeout: 'pinEntry', waitedMs: this.profile.timeouts.pinEntry }));
      }, this.profile.timeouts.pinEntry);
      const onAbort = (): void => {
        cleanup();
        reject(ctx.signal.reason as Error);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        this.pinWaiter = undefined;
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort);
      this.pinWaiter = {
        resolve: (p) => {
          cleanup();
          resolve(p);
        },
      };
    });
    this.setState('cardholderVerification');
    this.show('processing');
    return pin;
  }

  private onPin(pin: string): void {
    if (pin !== '' && !/^\d{4,12}$/.test(pin))
      throw new TerminalStateError('a PIN is 4 to 12 digits', this.stateNow, 'E_TERMINAL_PIN');
    this.events.emit({ type: 'note', text: `PIN entered (${pin.length} digits)` });
    const w = this.pinWaiter;
    if (w) w.resolve(pin === '' ? undefined : pin);
    else this.pinBuffer = pin;
  }

  private onKey(key: string): void {
    const k = key.toUpperCase();
    if (/^\d{1,2}$/.test(k)) this.keyBuffer += k;
    else if (k === 'CLEAR') this.keyBuffer = '';
    else if (k === 'ENTER') {
      const v = this.keyBuffer;
      this.keyBuffer = '';
      this.onPin(v);
    } else if (k === 'CANCEL') this.abort?.abort(new Cancelled('cancelled'));
    else throw new TerminalStateError(`unknown key '${key}'`, this.stateNow, 'E_TERMINAL_KEY');
    this.events.emit({ type: 'indicator', beep: 1 });
  }

  private retain(): void {
    const c = this.inserted;
    if (!c) return;
    this.inserted = undefined;
    this.retainedCard = c;
    void c.powerOff();
    this.events.emit({ type: 'card', action: 'retain', card: c.name, maskedPan: c.maskedPan });
  }

  /** Gives a retained card back (an engineer opened the ATM). */
  releaseRetainedCard(): PresentedCard | undefined {
    const c = this.retainedCard;
    this.retainedCard = undefined;
    return c;
  }

  // ---- small helpers -----------------------------------------------------------------------------

  private hostError(e: unknown, mti: string): void {
    if (e instanceof HostLinkError)
      this.events.emit({ type: 'host-error', reason: e.reason, mti, text: e.message });
    else throw e;
  }

  private setState(s: TerminalState): void {
    if (s === this.stateNow) return;
    const previous = this.stateNow;
    this.stateNow = s;
    this.events.emit({ type: 'state', state: s, previous });
  }

  private show(key: TextKey, extra?: string): void {
    const lines = [text(key, this.profile.language)];
    if (extra !== undefined) lines.push(extra);
    this.displayLines = lines;
    this.displayKey = key;
    this.events.emit({ type: 'display', lines, key });
  }

  private money(minor: number): string {
    const e = this.profile.kernel.currencyExponent;
    return (minor / 10 ** e).toFixed(e);
  }

  private currency(): string {
    return this.profile.kernel.currencyCode.slice(-3);
  }

  private nextStan(): string {
    this.stan = (this.stan % 999999) + 1;
    return String(this.stan).padStart(6, '0');
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal.reason as Error);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private result(
    op: TerminalOperation,
    outcome: TerminalResult['outcome'],
    key: TextKey,
    extra: Partial<TerminalResult> = {},
  ): TerminalResult {
    return { transaction: op, outcome, messageKey: key, message: text(key, this.profile.language), ...extra };
  }

  private printReceipt(r: TerminalResult, signature: boolean): void {
    if (!this.profile.capabilities.printer) return;
    if (this.deviceState.printer === 'fault') {
      // The transaction stands; the slip is lost (the merchant reprints once the printer works).
      this.events.emit({ type: 'note', text: 'printer fault: receipt not printed' });
      r.details = { ...r.details, receiptPrinted: false };
      return;
    }
    for (const copy of ['merchant', 'customer'] as const) {
      const t = formatReceipt(this.profile, r, { copy, batch: this.batchNo, signature, now: new Date() });
      this.receipts[copy] = t;
      this.events.emit({ type: 'receipt', text: t, copy });
    }
  }
}

/** Creates a terminal from a profile, pointed at a host; optionally signs it in. */
export async function createTerminal(options: CreateTerminalOptions): Promise<EmulatedTerminal> {
  const p = options.profile;
  const profile =
    typeof p === 'string'
      ? loadTerminalProfile(p, options.defects ? { defects: options.defects } : {})
      : 'defects' in p && p.defects instanceof Set
        ? ({
            ...(p as TerminalProfile),
            defects: new Set([...(p as TerminalProfile).defects, ...resolveExtra(options.defects)]),
          } as TerminalProfile)
        : resolveTerminalProfile(
            p as TerminalProfileSpec,
            options.defects ? { defects: options.defects } : {},
          );
  const t = new EmulatedTerminal(profile, options.host, options.events ?? new TerminalEvents());
  if (options.signIn) await t.signIn();
  return t;
}

function resolveExtra(d: readonly string[] | undefined): DefectName[] {
  return d
    ? [
        ...resolveTerminalProfile(
          {
            name: 'x',
            kind: 'pos',
            terminalId: '00000000',
            merchantId: '000000000000000',
            tmk: '0'.repeat(32),
          },
          { defects: d },
        ).defects,
      ]
    : [];
}
