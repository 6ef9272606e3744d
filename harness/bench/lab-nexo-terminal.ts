/**
 * A nexo terminal on a lab bench: the nexo driver is the sale system (TerminalControl, Display, results,
 * receipts, display texts and events); what nexo cannot carry — inserting, tapping and swiping a card,
 * typing a PIN, switching the terminal off and on — goes through a test channel beside it. For the spawned
 * reference emulator that is its ECR link in test mode on TCP (an `EcrTcpDriver`: its card presenter,
 * keypad and power cycle); without one the bench's card presenter is another (operator) and keys and
 * power cycle are refused.
 *
 * Only the test channel's `state` observations reach the timeline (the terminal's state, which the bench
 * uses to know when a card may be taken out); displays, receipts and results come from nexo alone.
 */
import {
  type CardPresenter,
  type Display,
  type Keypad,
  type ObservationListener,
  type TerminalControl,
  type TerminalOperationArgs,
  type TerminalOperationName,
  ObserverSet,
} from '../capabilities/index.js';
import type { EcrDriver } from '../drivers/ecr/index.js';
import { NexoDriver, NexoDriverUnsupportedError } from '../drivers/nexo/index.js';

/** States that do not show a new transaction started (as the ECR driver counts them). */
const RESTING = new Set(['idle', 'notSignedIn', 'powerUp', 'result', 'removeCard']);
/** Services that wait for a card: `start` returns once the terminal left its resting state (bounded). */
const CARD_SERVICES = new Set<TerminalOperationName>(['purchase', 'refund', 'balance', 'void']);
const TOOK_WAIT_MS = 3000;

export class NexoBenchTerminal {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;
  private readonly observers = new ObserverSet(() => undefined);
  private readonly offs: (() => void)[] = [];
  private state: string | undefined;
  private readonly stateWaiters = new Set<() => void>();

  constructor(
    readonly nexo: NexoDriver,
    /** The test channel (ECR test mode) for cards, keys and power cycle; absent for a real terminal. */
    readonly test: EcrDriver | undefined,
  ) {
    this.name = nexo.name;
    const noTest = (what: string): Promise<never> =>
      Promise.reject(
        new NexoDriverUnsupportedError(
          nexo.name,
          what,
          'nexo cannot carry it and this bench has no test channel',
        ),
      );
    this.terminal = {
      start: (op, args) => this.start(op, args),
      enterAmount: (a) => nexo.terminal.enterAmount(a),
      select: (i) => nexo.terminal.select(i),
      powerCycle: () => (test ? test.terminal.powerCycle() : noTest('powerCycle')),
      status: () => nexo.terminal.status(),
      idle: (ms) => nexo.terminal.idle(ms),
    };
    this.display = nexo.display;
    this.keypad = test
      ? test.keypad
      : { enterPin: () => noTest('enterPin'), cancel: () => noTest('cancel'), press: () => noTest('press') };
    this.cards = test
      ? test.cards
      : {
          prepare: async () => undefined,
          insert: () => noTest('insert'),
          tap: () => noTest('tap'),
          swipe: () => noTest('swipe'),
          remove: () => noTest('remove'),
          state: () => noTest('card state'),
        };
  }

  observe(l: ObservationListener): () => void {
    return this.observers.add(l);
  }

  async activate(): Promise<void> {
    this.offs.push(this.nexo.observe((o) => this.observers.emit(o)));
    if (this.test)
      this.offs.push(
        this.test.observe((o) => {
          if (o.kind !== 'state') return;
          this.state = typeof o.data.state === 'string' ? o.data.state : undefined;
          for (const w of [...this.stateWaiters]) w();
          this.observers.emit(o);
        }),
      );
    await this.test?.activate();
    await this.nexo.activate();
  }

  async deactivate(): Promise<void> {
    await this.nexo.deactivate();
    await this.test?.deactivate();
    for (const off of this.offs.splice(0)) off();
  }

  async beginScenario(): Promise<void> {
    await this.nexo.beginScenario();
    await this.test?.beginScenario();
  }

  async endScenario(): Promise<void> {
    await this.nexo.endScenario();
    await this.test?.endScenario();
  }

  /** Starts the service over nexo; with a test channel, returns once the terminal shows it took it. */
  private async start(op: TerminalOperationName, args?: TerminalOperationArgs): Promise<void> {
    const took = this.test && CARD_SERVICES.has(op) ? this.untilWorking() : undefined;
    try {
      await this.nexo.terminal.start(op, args);
      await took?.promise;
    } finally {
      took?.cancel();
    }
  }

  private untilWorking(): { promise: Promise<void>; cancel: () => void } {
    let cancel = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.stateWaiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (this.state !== undefined && !RESTING.has(this.state)) done();
      };
      const timer = setTimeout(done, TOOK_WAIT_MS);
      this.stateWaiters.add(check);
      cancel = done;
    });
    return { promise, cancel };
  }
}
