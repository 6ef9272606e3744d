/**
 * The `emulated` driver: payhil's reference terminal in this process (harness/emulator), with virtual
 * cards wired straight into its card slot. Capabilities: `terminal`, `keypad`, `display`, `cards`. Each
 * scenario gets a fresh terminal (its profile from the scenario's `bench.terminal`, else the default) and
 * fresh cards. Terminal events become bench observations through `observe()`.
 */
import { createVirtualCard, type EmvVirtualCard } from '../../cards/index.js';
import {
  ActiveGuard,
  BrokenError,
  HOST_WORK_STATES,
  InactiveDriverError,
  ObserverSet,
  UnknownCardError,
  walletFaultOf,
  type CardPresenter,
  type DeviceControl,
  type ModeControl,
  type Display,
  type Driver,
  type Keypad,
  type Observation,
  type ObservationListener,
  type ObservationSource,
  type ScenarioContext,
  type TerminalControl,
  type TerminalOperationArgs,
  type TerminalOperationName,
} from '../../capabilities/index.js';
import { Calendar } from '../../common/calendar.js';
import { realClock, type Clock, type ClockTimer } from '../../common/clock.js';
import { createLogger } from '../../common/logger.js';
import { freshSeed, seededStream } from '../../common/run-seed.js';
import {
  cardStateReport,
  createTerminal,
  inlineCardFixture,
  isDeviceCondition,
  isTerminalDevice,
  startOperation,
  type EmulatedTerminal,
  type OriginalTransaction,
  type TerminalEvent,
  type TerminalProfile,
  TerminalEvents,
} from '../../emulator/index.js';
import type { Scenario } from '../../scenario/index.js';
import { observationOfTerminalEvent } from './terminal-observations.js';

const log = createLogger('payhil:drivers:emulated');

/** Longest wait for a previous transaction, or for the terminal to end its host work (ms). */
const TOTAL_WAIT_MS = 10000;
/** Wait for a transaction to end after a scenario, before and after cancelling it (ms). */
const END_WAIT_MS = 2000;

export interface EmulatedTerminalDriverOptions {
  /** Profile of the terminal of a scenario that names none in `bench.terminal`. */
  defaultProfile: string;
  /** Loads a profile by name (the bench caches profiles and applies its defect switches). */
  loadProfile: (name: string) => TerminalProfile;
  /** Where the terminal sends its ISO 8583 traffic (the bench's proxy, or the host); asked per terminal. */
  hostTarget: () => { host: string; port: number };
  /**
   * The terminal's calendar (date and time of day), kept across scenarios and power cycles like a real
   * terminal's clock; a bench shares it with its host so a `clock` step moves both. Default: its own.
   */
  calendar?: Calendar;
  /**
   * Hears a transaction that rejects after it started: a payhil bug inside the terminal (product
   * outcomes are results, never rejections). The bench makes the scenario *broken* with it.
   */
  onFault?: (error: unknown) => void;
  /** The bench's clock: the terminal's timers run on it. Default real time. */
  clock?: Clock;
}

/** The emulated terminal in this process as a bench driver. */
export class EmulatedTerminalDriver implements Driver, ObservationSource {
  readonly name = 'emulated';
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;
  readonly devices: DeviceControl;
  readonly mode: ModeControl;
  /** The terminal's calendar alone (a bench with a host calendar too wraps it, see embedded-bench.ts). */
  readonly calendar: Calendar;

  private readonly guard = new ActiveGuard<true>(() => new InactiveDriverError(this.name));
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));
  private current: EmulatedTerminal | undefined;
  private offTerminal: (() => void) | undefined;
  private running: Promise<unknown> | undefined;
  private readonly cardsByName = new Map<string, EmvVirtualCard>();
  private inserted: EmvVirtualCard | undefined;
  /** The scenario run's seed: the terminal's and each card's draws come from streams of it. */
  private seed = freshSeed();
  /** Terminals switched on in this scenario (a power cycle draws from a stream of its own). */
  private switchedOn = 0;

  private get clock(): Clock {
    return this.options.clock ?? realClock;
  }

  constructor(private readonly options: EmulatedTerminalDriverOptions) {
    this.terminal = {
      start: (op, args) => this.start(op, args),
      enterAmount: async (amount) =>
        this.note(`amount ${amount} entered (the emulator takes the amount with the transaction)`),
      select: async (item) =>
        this.note(`menu item ${item} selected (the emulator starts transactions directly)`),
      powerCycle: () => this.powerCycle(),
      status: async () => this.status(),
      idle: (ms) => this.waitIdle(ms),
    };
    this.keypad = {
      enterPin: async (pin) => this.need('enterPin').keypad.enterPin(pin),
      cancel: async () => this.need('cancel').keypad.press('CANCEL'),
      press: async (key) => this.need(`press ${key}`).keypad.press(key.toUpperCase()),
    };
    this.display = { text: async () => this.need('display').display.text() };
    this.cards = {
      prepare: async (map) => this.prepare(map),
      insert: async (ref) => {
        const c = this.cardOf(ref);
        await this.need('card insert').cardSlot.insert(c);
        this.inserted = c;
      },
      tap: async (ref, holdMs) => this.need('card tap').cardSlot.tap(this.cardOf(ref), holdMs),
      swipe: async (ref) => this.need('card swipe').cardSlot.swipe(this.cardOf(ref)),
      remove: () => this.remove(),
      state: async (ref) => this.cardState(ref),
      condition: async (ref, condition) => this.cardOf(ref).injectFault({ kind: walletFaultOf(condition) }),
    };
    this.calendar = options.calendar ?? new Calendar();
    this.mode = {
      set: async (mode) => {
        const t = this.need('mode');
        if (mode !== 'normal' && mode !== 'maintenance')
          throw new BrokenError(`mode: '${String(mode)}' is no terminal mode`, this.name);
        t.setMode(mode);
      },
    };
    this.devices = {
      set: async (conditions) => {
        const t = this.need('device');
        for (const [device, condition] of Object.entries(conditions)) {
          if (condition === undefined) continue;
          if (!isTerminalDevice(device) || !isDeviceCondition(device, condition))
            throw new BrokenError(`device: ${device} cannot be '${condition}'`, this.name);
          t.setDevice(device, condition);
        }
      },
    };
  }

  get active(): boolean {
    return this.guard.active;
  }

  /** Observes the terminal's display, state, receipts, APDUs, card moves, results and notes. */
  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Loads the default profile (a bad profile is a usage error here, not in the first scenario). */
  async activate(): Promise<void> {
    this.options.loadProfile(this.options.defaultProfile);
    this.guard.activate(true);
  }

  /** Closes the terminal. */
  async deactivate(): Promise<void> {
    this.guard.deactivate();
    this.offTerminal?.();
    await this.current?.close();
    this.current = undefined;
  }

  /** A fresh terminal for the scenario (its `bench.terminal` profile, else the default). */
  async beginScenario(s: Scenario, context?: ScenarioContext): Promise<void> {
    this.offTerminal?.();
    await this.current?.close();
    this.running = undefined;
    // Each scenario starts on today's date; a `clock` step of the previous one does not carry over.
    this.calendar.reset();
    this.seed = context?.seed ?? freshSeed();
    this.switchedOn = 0;
    await this.switchOn(this.options.loadProfile(s.bench.terminal ?? this.options.defaultProfile));
  }

  /** Lets the transaction end (bounded), else cancels it. */
  async endScenario(): Promise<void> {
    await this.waitIdle(END_WAIT_MS);
    try {
      await this.current?.cancel();
    } catch {
      // nothing running
    }
    await this.waitIdle(END_WAIT_MS);
  }

  // ---- terminal --------------------------------------------------------------------------------

  private async start(op: TerminalOperationName, args: TerminalOperationArgs = {}): Promise<void> {
    const t = this.need(op);
    await this.waitIdle(TOTAL_WAIT_MS);
    const p = startOperation(t, op, {
      amount: args.amount ?? 0,
      ...(op === 'void' || op === 'refund' ? { original: originalOf(t, args.of) } : {}),
    });
    this.running = p;
    // A refusal to start (busy, bad amount) shows at once; the outcome lands on the timeline. A
    // rejection later is a payhil bug inside the terminal: the bench reports it (the run is broken).
    let early: unknown;
    let started = false;
    p.catch((e: unknown) => {
      if (started) return this.options.onFault?.(e);
      early = e;
      this.note(`terminal refused ${op}: ${(e as Error).message}`);
    });
    await new Promise((r) => setImmediate(r));
    started = true;
    if (early)
      throw new BrokenError(`terminal refused ${op}: ${(early as Error).message}`, this.name, {
        cause: early,
      });
  }

  private async powerCycle(): Promise<void> {
    const t = this.need('powerCycle');
    const profile = t.profile;
    await this.waitIdle(TOTAL_WAIT_MS);
    this.offTerminal?.();
    await t.close();
    this.note('terminal power cycled');
    await this.switchOn(profile);
    this.inserted = undefined;
  }

  private status(): Record<string, unknown> {
    const t = this.need('status');
    return {
      ...t.status(),
      model: t.profile.model,
      retained: t.cardSlot.retained,
      cardInserted: t.cardSlot.occupied,
      display: t.display.text(),
    };
  }

  private async switchOn(profile: TerminalProfile): Promise<void> {
    const t = await createTerminal({
      profile,
      host: this.options.hostTarget(),
      calendar: this.calendar,
      random: seededStream(this.seed, `terminal:${this.switchedOn++}`),
      events: new TerminalEvents(undefined, this.clock),
    });
    this.current = t;
    this.offTerminal = t.events.on((e) => this.onTerminalEvent(e));
  }

  private async waitIdle(timeoutMs: number): Promise<void> {
    const p = this.running;
    if (!p) return;
    let timer: ClockTimer | undefined;
    await Promise.race([
      p.catch(() => undefined),
      new Promise<void>((r) => (timer = this.clock.setTimeout(r, timeoutMs))),
    ]);
    timer?.cancel();
  }

  // ---- cards -----------------------------------------------------------------------------------

  private prepare(map: Parameters<CardPresenter['prepare']>[0]): void {
    this.cardsByName.clear();
    this.inserted = undefined;
    for (const [alias, ref] of Object.entries(map)) {
      let card: EmvVirtualCard;
      try {
        card = createVirtualCard(typeof ref === 'string' ? ref : inlineCardFixture(ref), {
          ...this.cardOptions(),
          random: seededStream(this.seed, `card:${alias}`),
        });
      } catch (e) {
        throw new UnknownCardError(`${alias} (${(e as Error).message})`);
      }
      this.cardsByName.set(alias, card);
    }
  }

  /** Cards time their hold (`leave-field`) on the bench's clock and date `expired` by its calendar. */
  private cardOptions(): { now: () => number; today: () => Date } {
    const clock = this.clock;
    const calendar = this.calendar;
    return { now: () => clock.now(), today: () => calendar.now() };
  }

  private cardOf(ref: string): EmvVirtualCard {
    const c = this.cardsByName.get(ref);
    if (c) return c;
    try {
      const made = createVirtualCard(ref, {
        ...this.cardOptions(),
        random: seededStream(this.seed, `card:${ref}`),
      });
      this.cardsByName.set(ref, made);
      return made;
    } catch {
      throw new UnknownCardError(ref);
    }
  }

  private async remove(): Promise<void> {
    const t = this.need('card remove');
    // A person takes the card out when the terminal says so, not while it talks to the host.
    if (HOST_WORK_STATES.has(t.state))
      await t.events
        .waitFor((e) => e.type === 'state' && !HOST_WORK_STATES.has(e.state), TOTAL_WAIT_MS)
        .catch(() => undefined);
    await t.cardSlot.remove();
    this.inserted = undefined;
  }

  private cardState(ref: string | undefined): Record<string, unknown> {
    const c = ref ? this.cardOf(ref) : (this.inserted ?? [...this.cardsByName.values()][0]);
    if (!c) return {};
    return cardStateReport(c.snapshot());
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /** The terminal of the scenario; refuses while inactive or before a scenario began. */
  /** The terminal looks at its calendar after a `clock` step (a sign-in of a previous day lapses). */
  calendarChanged(): void {
    this.current?.checkDay();
  }

  private need(operation: string): EmulatedTerminal {
    this.guard.need(operation);
    if (!this.current) throw new BrokenError('no terminal: the scenario has not begun', this.name);
    return this.current;
  }

  private onTerminalEvent(e: TerminalEvent): void {
    const o = observationOfTerminalEvent(e);
    if (o) this.emit(o);
  }

  private note(text: string): void {
    this.emit({ kind: 'note', at: this.clock.now(), data: { text } });
  }

  private emit(o: Observation): void {
    this.observers.emit(o);
  }
}

/**
 * The original of a void or refund: `last` (default) is the last record of the terminal's batch; six
 * digits that are no batch record's reference are a STAN; anything else is a reference (field 37).
 */
function originalOf(t: EmulatedTerminal, of = 'last'): OriginalTransaction {
  if (of === 'last') {
    const recs = t.batch.records();
    const last = recs[recs.length - 1];
    return last ? { reference: last.reference, stan: last.stan } : {};
  }
  return /^\d{6}$/.test(of) && !t.batch.records().some((r) => r.reference === of)
    ? { stan: of }
    : { reference: of };
}
