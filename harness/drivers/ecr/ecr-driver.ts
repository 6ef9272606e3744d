/**
 * The shared core of the ECR drivers: TerminalControl, Keypad, Display and (for a terminal in test mode)
 * CardPresenter (cards, inline cards and card state by test-mode `card` / `cardState` requests) over an
 * `EcrClient` (docs/ecr-protocol.md). `EcrTcpDriver` and `EcrSerialDriver` only
 * say how to open the link. ECR events become bench observations through `observe()`.
 */
import {
  ActiveGuard,
  ObserverSet,
  type CardCondition,
  type CardPresenter,
  type DeviceControl,
  type ModeControl,
  type Display,
  type Keypad,
  type Observation,
  type ObservationListener,
  type TerminalControl,
  type TerminalOperationArgs,
  type TerminalOperationName,
  walletFaultOf,
} from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { waitWithin } from '../../common/wait-within.js';
import { directStartControl } from '../direct-start-control.js';
import { isPayhilError } from '../../common/payhil-error.js';
import type { InlineCard } from '../../scenario/index.js';
import {
  EcrRemoteError,
  type DeviceRequest,
  type EcrClient,
  type EcrEvent,
  type EcrKey,
  type EcrLinkOptions,
  type EcrOp,
  type EcrRequestOf,
  type EcrResponse,
  type EcrResultMap,
  type InlineCardFixture,
  type TransactionResult,
} from '../../emulator/ecr/index.js';
import {
  EcrDriverError,
  EcrDriverInactiveError,
  EcrDriverRefusedError,
  EcrDriverUnsupportedError,
} from './errors.js';
import { observationOf, resultData, traceObservation } from './ecr-observations.js';

const log = createLogger('payhil:drivers:ecr');

/** States that do not prove a new transaction started (the tail of the previous one). */
const RESTING = new Set(['idle', 'notSignedIn', 'powerUp', 'result', 'removeCard']);

/** Keypad capability key names → ECR keys. `back` is the CLEAR (更正) key of a CUP POS keypad. */
const KEY_MAP: Record<string, EcrKey> = {
  enter: 'ENTER',
  cancel: 'CANCEL',
  clear: 'CLEAR',
  back: 'CLEAR',
  menu: 'MENU',
  up: 'UP',
  down: 'DOWN',
  f1: 'F1',
  f2: 'F2',
  f3: 'F3',
  f4: 'F4',
  '00': '00',
};

export interface EcrDriverOptions {
  /** Timeouts and trace of the ECR link (ACK timeout, retransmissions). */
  link?: Omit<EcrLinkOptions, 'onTrace'>;
  /** How long a transaction may run before its response is given up (ms). Default 120 000. */
  transactionTimeoutMs?: number;
  /** How long `start` waits for the terminal to show it took the transaction (ms). Default 3 000. */
  startTimeoutMs?: number;
  /** How long `start` waits for a previous transaction to end (ms). Default 10 000. */
  previousTimeoutMs?: number;
  /** Response timeout of control and test-mode requests (ms). Default 5 000; powerCycle gets 3×. */
  controlTimeoutMs?: number;
  /** Put every ECR frame, ACK/NAK and anomaly on the timeline as a note. Default false. */
  traceFrames?: boolean;
  /**
   * Power-cycle the terminal (test mode) before each scenario, so every scenario starts from a switched-on,
   * signed-out terminal like the embedded bench's fresh one. Default false.
   */
  powerCycleEachScenario?: boolean;
  /**
   * Ask the terminal (test mode) for its card-reader trace on this link (`trace` request): each APDU it
   * exchanges with the card becomes an `apdu` observation. Activation fails (broken) when the terminal
   * refuses. Default false.
   */
  apduTrace?: boolean;
}

/** How a concrete driver opens its link. */
export type EcrOpener = (link: EcrLinkOptions) => Promise<EcrClient>;

interface CardRef {
  /** What the `card` request names: a fixture name or path, or the name of an inline card. */
  ref: string;
  /** An inline card: the fixture it extends and the fields it changes (sent with every request). */
  fixture?: InlineCardFixture;
  /** Send `options.reset` with the next presentation (fresh card state per scenario). */
  fresh: boolean;
}

/**
 * A terminal reached over an ECR link. Capabilities: `terminal`, `keypad`, `display`, and `cards` (the
 * latter, keys and power cycle need the terminal's test mode; without it they reject with
 * `EcrDriverUnsupportedError`). Calls before `activate()` or after `deactivate()` reject with
 * `EcrDriverInactiveError`. Every rejection is verdict `broken`.
 */
export class EcrDriver {
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;
  /** Device conditions over the test-mode `device` request (the emulator in test mode). */
  readonly devices: DeviceControl;
  /** A custodian's maintenance mode over the test-mode `mode` request (the emulator in test mode). */
  readonly mode: ModeControl;

  /**
   * Sets, moves or resets the terminal's calendar over the test-mode `clock` request (exactly one of
   * `set` ISO 8601, `advance` ms, `reset`).
   */
  async clock(change: { set?: string; advance?: number; reset?: true }): Promise<void> {
    this.needTestMode('clock');
    await this.call('clock', { op: 'clock', ...change });
  }

  /** The ECR link while the driver is active. */
  private readonly link: ActiveGuard<EcrClient> = new ActiveGuard(
    (operation) => new EcrDriverInactiveError(this.name, operation),
  );
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));
  private running: Promise<void> | undefined;
  private lastState: string | undefined;
  private resultsSeen = 0;
  private lastReference: string | undefined;
  /** From `enterAmount`, for a transaction started without one. */
  private amount: number | undefined;
  private testMode = false;
  private readonly cardRefs = new Map<string, CardRef>();
  /** The alias of the card in the slot (inserted, not removed). */
  private insertedCard: string | undefined;
  private readonly options: Required<Omit<EcrDriverOptions, 'link'>> & { link: EcrDriverOptions['link'] };

  constructor(
    /** Driver name for messages and reports, e.g. "ecr-tcp 127.0.0.1:4000". */
    readonly name: string,
    private readonly opener: EcrOpener,
    options: EcrDriverOptions = {},
  ) {
    this.options = {
      link: options.link,
      transactionTimeoutMs: options.transactionTimeoutMs ?? 120_000,
      startTimeoutMs: options.startTimeoutMs ?? 3000,
      previousTimeoutMs: options.previousTimeoutMs ?? 10_000,
      controlTimeoutMs: options.controlTimeoutMs ?? 5000,
      traceFrames: options.traceFrames ?? false,
      powerCycleEachScenario: options.powerCycleEachScenario ?? false,
      apduTrace: options.apduTrace ?? false,
    };
    this.terminal = directStartControl({
      protocol: 'ECR',
      unit: 'transaction',
      carrier: 'request',
      start: (op, args) => this.start(op, args),
      keepAmount: (amount) => (this.amount = amount),
      note: (text) => this.note(text),
      powerCycle: () => this.powerCycle(),
      status: () => this.status(),
      idle: (ms) => this.waitIdle(ms),
    });
    this.keypad = {
      enterPin: (pin) => {
        if (!/^\d{4,12}$/.test(pin))
          return Promise.reject(
            new EcrDriverError(this.name, 'enterPin', 'a PIN is 4 to 12 digits', { code: 'E_DRIVER_PIN' }),
          );
        return this.keys('enterPin', [...(pin.split('') as EcrKey[]), 'ENTER']);
      },
      cancel: () => this.keys('cancel', ['CANCEL']),
      press: async (key) => this.keys(`press ${key}`, [toEcrKey(this.name, key)]),
    };
    this.display = {
      text: async () => (await this.call('readDisplay', { op: 'readDisplay' })).lines.join('\n'),
    };
    this.cards = {
      prepare: async (map) => this.prepare(map),
      insert: (card) => this.present('insert', card),
      tap: (card, holdMs) => this.present('tap', card, holdMs),
      swipe: (card) => this.present('swipe', card),
      remove: async () => {
        this.needTestMode('card remove');
        await this.call('card remove', { op: 'card', action: 'remove' });
        this.insertedCard = undefined;
      },
      state: (card) => this.cardState(card),
      condition: (card, condition) => this.cardCondition(card, condition),
    };
    this.mode = {
      set: async (mode) => {
        this.needTestMode('mode');
        await this.call(`mode ${mode}`, { op: 'mode', mode });
      },
    };
    this.devices = {
      set: async (conditions) => {
        this.needTestMode('device');
        for (const [device, condition] of Object.entries(conditions))
          if (condition !== undefined)
            await this.call(`device ${device}`, {
              op: 'device',
              device: device as DeviceRequest['device'],
              condition,
            });
      },
    };
  }

  get active(): boolean {
    return this.link.active;
  }

  /** Whether the terminal said it is in test mode (known after activate). */
  get inTestMode(): boolean {
    return this.testMode;
  }

  /** Observes everything the link shows (display, state, receipt, result, notes); returns the unsubscribe. */
  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Opens the link and reads the terminal's status (test mode). Throws EcrDriverError (broken). */
  async activate(): Promise<void> {
    if (this.link.active) return;
    const onTrace = this.options.traceFrames
      ? (r: Parameters<NonNullable<EcrLinkOptions['onTrace']>>[0]) => this.emit(traceObservation(r))
      : undefined;
    let client: EcrClient;
    try {
      client = await this.opener({ ...(this.options.link ?? {}), ...(onTrace ? { onTrace } : {}) });
    } catch (e) {
      throw this.broken('activate', e);
    }
    client.on('event', (e) => this.onEvent(e));
    client.on('close', () => {
      if (!this.link.release(client)) return;
      this.emit({ kind: 'note', at: Date.now(), data: { text: `${this.name}: ECR link closed` } });
    });
    client.on('protocolError', (e) => this.note(`ECR protocol error: ${e.message}`));
    this.link.activate(client);
    try {
      const s = await this.call('status', { op: 'status' });
      this.testMode = s.testMode;
      this.lastState = s.state;
      if (this.options.apduTrace) {
        if (!this.testMode)
          throw new EcrDriverUnsupportedError(this.name, 'trace', 'the terminal is not in test mode');
        await this.call('trace', { op: 'trace', apdu: true });
      }
      log('%s active: %o', this.name, s);
    } catch (e) {
      this.link.release(client);
      await client.close().catch(() => undefined);
      throw e;
    }
  }

  /** Closes the link. */
  async deactivate(): Promise<void> {
    const c = this.link.deactivate();
    this.running = undefined;
    if (c) await c.close().catch(() => undefined);
  }

  /** Before a scenario: let a previous transaction end (bounded); power-cycle when asked to. */
  async beginScenario(): Promise<void> {
    await this.waitIdle(this.options.previousTimeoutMs);
    if (this.options.powerCycleEachScenario) await this.powerCycle();
  }

  /** After a scenario: cancel what still runs, take a card out. */
  async endScenario(): Promise<void> {
    const client = this.link.current;
    if (!client) return;
    const busy = await client.request({ op: 'status' }, { timeoutMs: this.options.controlTimeoutMs }).then(
      (st) => st.busy,
      () => false,
    );
    if (this.running || busy) {
      await client
        .exchange({ op: 'cancel' }, { timeoutMs: this.options.controlTimeoutMs })
        .catch(() => undefined);
      await this.waitIdle(2000);
    }
    if (this.testMode)
      await client
        .exchange({ op: 'card', action: 'remove' }, { timeoutMs: this.options.controlTimeoutMs })
        .catch(() => undefined);
    this.insertedCard = undefined;
  }

  // ---- terminal --------------------------------------------------------------------------------

  private async start(op: TerminalOperationName, args: TerminalOperationArgs = {}): Promise<void> {
    const client = this.need(op);
    await this.waitIdle(this.options.previousTimeoutMs);
    const body = this.requestFor(op, args);
    const before = this.resultsSeen;
    const exchange = client.exchange(body, { timeoutMs: this.options.transactionTimeoutMs });
    // The outcome lands on the timeline as a `result` observation (from the event, or from the response
    // of a terminal that does not push result events).
    const running = exchange.then(
      (r) => {
        if (r.ok) {
          const result = r.result as TransactionResult;
          if (result.reference) this.lastReference = result.reference;
          if (this.resultsSeen === before)
            this.emit({ kind: 'result', at: Date.now(), data: { result: resultData(result) } });
        } else this.note(`terminal refused ${op}: ${r.error.code}: ${r.error.message}`);
      },
      (e: Error) => this.note(`${op} did not complete: ${e.message}`),
    );
    const took = await this.took(client, exchange);
    if (took.kind === 'refused')
      throw new EcrDriverRefusedError(this.name, op, took.response.error.code, took.response.error.message);
    if (took.kind === 'error') throw this.broken(op, took.error);
    // Only a transaction the terminal took is the one running (a refused one leaves the previous).
    this.running = running;
    void running.finally(() => {
      if (this.running === running) this.running = undefined;
    });
    if (took.kind === 'timeout')
      this.note(`${op}: no sign from the terminal within ${this.options.startTimeoutMs} ms; going on`);
  }

  private requestFor(op: TerminalOperationName, args: TerminalOperationArgs): EcrRequestOf<EcrOp> {
    const amount = args.amount ?? this.amount ?? 0;
    this.amount = undefined;
    const original = (): string => {
      const of = args.of ?? 'last';
      if (of !== 'last') return of;
      if (!this.lastReference)
        throw new EcrDriverError(this.name, op, "no earlier transaction with a reference to use for 'last'", {
          code: 'E_DRIVER_NO_ORIGINAL',
        });
      return this.lastReference;
    };
    switch (op) {
      case 'purchase':
      case 'preAuth':
      case 'withdraw':
        return { op, amount };
      case 'void':
        return { op, originalReference: original(), ...(args.amount !== undefined ? { amount } : {}) };
      case 'refund':
        return { op, amount, originalReference: original() };
      case 'balance':
      case 'settle':
      case 'signIn':
        return { op };
    }
  }

  /** Resolves when the terminal shows it took the transaction: a working state, a response, or the deadline. */
  private took(
    client: EcrClient,
    exchange: Promise<EcrResponse>,
  ): Promise<
    | { kind: 'state' | 'timeout' | 'done' }
    | { kind: 'refused'; response: Extract<EcrResponse, { ok: false }> }
    | { kind: 'error'; error: unknown }
  > {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (v: Parameters<typeof resolve>[0]): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.off('event', onEvent);
        resolve(v);
      };
      const onEvent = (e: EcrEvent): void => {
        if (e.event === 'state' && !RESTING.has(e.state)) finish({ kind: 'state' });
      };
      const timer = setTimeout(() => finish({ kind: 'timeout' }), this.options.startTimeoutMs);
      client.on('event', onEvent);
      exchange.then(
        (r) => finish(r.ok ? { kind: 'done' } : { kind: 'refused', response: r }),
        (error: unknown) => finish({ kind: 'error', error }),
      );
    });
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    return waitWithin(this.running, timeoutMs);
  }

  private async powerCycle(): Promise<void> {
    this.needTestMode('powerCycle');
    await this.call('powerCycle', { op: 'powerCycle' }, this.options.controlTimeoutMs * 3);
    this.running = undefined;
    this.note('terminal power cycled');
  }

  private async status(): Promise<Record<string, unknown>> {
    const s = await this.call('status', { op: 'status' });
    const d = await this.call('readDisplay', { op: 'readDisplay' });
    return { ...s, display: d.lines.join('\n') };
  }

  // ---- keypad and cards ------------------------------------------------------------------------

  private async keys(what: string, keys: EcrKey[]): Promise<void> {
    this.needTestMode(what);
    await this.call(what, { op: 'key', keys });
  }

  private prepare(map: Record<string, string | InlineCard>): void {
    this.cardRefs.clear();
    this.insertedCard = undefined;
    for (const [alias, card] of Object.entries(map)) {
      // An inline card travels with each request (`fixture`) under its alias: the terminal makes it in
      // memory, whatever machine it runs on.
      if (typeof card === 'string') this.cardRefs.set(alias, { ref: card, fresh: true });
      else this.cardRefs.set(alias, { ref: alias, fixture: { ...card }, fresh: true });
    }
  }

  private refOf(card: string): CardRef {
    let c = this.cardRefs.get(card);
    if (!c) {
      c = { ref: card, fresh: true };
      this.cardRefs.set(card, c);
    }
    return c;
  }

  private async present(action: 'insert' | 'tap' | 'swipe', card: string, holdMs?: number): Promise<void> {
    this.needTestMode(`card ${action}`);
    const c = this.refOf(card);
    await this.call(`card ${action}`, {
      op: 'card',
      action,
      card: c.ref,
      ...(c.fixture ? { fixture: c.fixture } : {}),
      ...(holdMs !== undefined ? { holdMs } : {}),
      ...(c.fresh ? { options: { reset: true } } : {}),
    });
    c.fresh = false;
    if (action === 'insert') this.insertedCard = card;
  }

  /** A card's condition through the test-mode `cardState` request (`options.fault`), counters kept. */
  private async cardCondition(card: string, condition: CardCondition): Promise<void> {
    this.needTestMode('card condition');
    const c = this.refOf(card);
    await this.call('card condition', {
      op: 'cardState',
      card: c.ref,
      ...(c.fixture ? { fixture: c.fixture } : {}),
      options: { ...(c.fresh ? { reset: true } : {}), fault: { kind: walletFaultOf(condition) } },
    });
    c.fresh = false;
  }

  /**
   * Card state through the terminal's test mode (`cardState`): the named card, else the card in the slot,
   * else the scenario's first card (as the embedded bench answers).
   */
  private async cardState(card?: string): Promise<Record<string, unknown>> {
    this.needTestMode('card state');
    const alias = card ?? this.insertedCard ?? this.cardRefs.keys().next().value;
    if (alias === undefined) return (await this.call('card state', { op: 'cardState' })).state;
    const c = this.refOf(alias);
    const r = await this.call('card state', {
      op: 'cardState',
      card: c.ref,
      ...(c.fixture ? { fixture: c.fixture } : {}),
      ...(c.fresh ? { options: { reset: true } } : {}),
    });
    c.fresh = false;
    return r.state;
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private need(operation: string): EcrClient {
    return this.link.need(operation);
  }

  private needTestMode(operation: string): void {
    this.need(operation);
    if (!this.testMode)
      throw new EcrDriverUnsupportedError(
        this.name,
        operation,
        'the terminal is not in test mode (keys, cards and power cycle need it)',
      );
  }

  /** One request; any failure becomes a broken driver error. */
  private async call<Op extends EcrOp>(
    what: string,
    body: EcrRequestOf<Op>,
    timeoutMs = this.options.controlTimeoutMs,
  ): Promise<EcrResultMap[Op]> {
    const client = this.need(what);
    try {
      return await client.request(body, { timeoutMs });
    } catch (e) {
      throw this.broken(what, e);
    }
  }

  private broken(what: string, e: unknown): EcrDriverError {
    if (e instanceof EcrDriverError) return e;
    if (e instanceof EcrRemoteError)
      return new EcrDriverRefusedError(this.name, what, e.remoteCode, e.detail, e);
    return new EcrDriverError(this.name, what, (e as Error).message ?? String(e), {
      cause: e,
      ...(isPayhilError(e) ? { causeCode: e.code } : {}),
    });
  }

  private onEvent(e: EcrEvent): void {
    const o = observationOf(e, this.lastState);
    if (e.event === 'state') this.lastState = e.state;
    if (e.event === 'result') {
      this.resultsSeen++;
      if (e.result.reference) this.lastReference = e.result.reference;
    }
    if (o) this.emit(o);
  }

  private note(text: string): void {
    this.emit({ kind: 'note', at: Date.now(), data: { text: `${this.name}: ${text}` } });
  }

  private emit(o: Observation): void {
    this.observers.emit(o);
  }
}

function toEcrKey(driver: string, key: string): EcrKey {
  const k = key.toLowerCase();
  if (/^\d$/.test(k)) return k as EcrKey;
  const m = KEY_MAP[k];
  if (!m)
    throw new EcrDriverError(driver, `press ${key}`, `no key '${key}' on an ECR keypad`, {
      code: 'E_DRIVER_KEY',
    });
  return m;
}
