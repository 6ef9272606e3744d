/**
 * A terminal reached through a payment protocol (ZVT, nexo) on a bench: the protocol driver starts
 * transactions and reports display, receipts and results; what the protocol cannot carry (card
 * insertion, PIN entry, power cycle, the terminal's full status) goes to a presenter: the emulator's
 * test-mode channel on the emulated bench. Without one, cards and keys must come from another presenter
 * (operator, mux, robot) and the calls here reject with the protocol driver's unsupported error.
 */
import {
  type CardPresenter,
  type Display,
  type Keypad,
  type ObservationListener,
  type TerminalControl,
} from '../capabilities/index.js';
import type { TestModePresenter } from '../drivers/test-mode/index.js';

/** What a protocol driver offers (ZvtDriver, NexoDriver). */
export interface ProtocolDriverLike {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly display: Display;
  /** True while a protocol command runs (the protocol reports the display then). */
  readonly busy: boolean;
  activate(): Promise<void>;
  deactivate(): Promise<void>;
  beginScenario(): Promise<void>;
  endScenario(): Promise<void>;
  observe(l: ObservationListener): () => void;
}

/** A protocol driver with the test-mode presenter (or none) as one terminal driver of a bench. */
export class ProtocolTerminal {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;

  constructor(
    private readonly protocol: ProtocolDriverLike,
    private readonly presenter: TestModePresenter | undefined,
    unsupported: (what: string) => Error,
  ) {
    this.name = presenter ? `${protocol.name} + ${presenter.name}` : protocol.name;
    const no = (what: string) => () => Promise.reject(unsupported(what));
    const p = protocol.terminal;
    this.terminal = {
      start: (op, args) => p.start(op, args),
      enterAmount: (a) => p.enterAmount(a),
      select: (i) => p.select(i),
      powerCycle: presenter ? () => presenter.powerCycle() : no('powerCycle'),
      status: () => this.status(),
      idle: (ms) => p.idle(ms),
    };
    this.keypad = presenter?.keypad ?? { enterPin: no('enterPin'), cancel: no('cancel'), press: no('press') };
    this.display = presenter?.display ?? protocol.display;
    this.cards = presenter?.cards ?? {
      prepare: async () => undefined,
      insert: no('card insert'),
      tap: no('card tap'),
      swipe: no('card swipe'),
      remove: async () => undefined,
      state: no('card state'),
    };
  }

  /**
   * The protocol driver's observations, and the presenter's: its state changes, and its display changes
   * while no protocol command runs (between commands a protocol such as ZVT says nothing; during one its
   * own display messages are the timeline's).
   */
  observe(listener: ObservationListener): () => void {
    const fromPresenter: ObservationListener = (o) => {
      if (o.kind !== 'display' || !this.protocol.busy) listener(o);
    };
    const offs = [
      this.protocol.observe(listener),
      ...(this.presenter ? [this.presenter.observe(fromPresenter)] : []),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Presenter first (it may power-cycle the terminal), then the protocol link. */
  async activate(): Promise<void> {
    await this.presenter?.activate();
    try {
      await this.protocol.activate();
    } catch (e) {
      await this.presenter?.deactivate().catch(() => undefined);
      throw e;
    }
  }

  async deactivate(): Promise<void> {
    await this.protocol.deactivate().catch(() => undefined);
    await this.presenter?.deactivate();
  }

  async beginScenario(): Promise<void> {
    await this.presenter?.beginScenario();
    await this.protocol.beginScenario();
  }

  async endScenario(): Promise<void> {
    await this.protocol.endScenario().catch(() => undefined);
    await this.presenter?.endScenario();
  }

  /**
   * The presenter's view of the terminal (state, signedIn, cardInserted…), else the protocol's (ZVT:
   * a Diagnosis). `expect terminal` polls it, so the protocol link is not asked when a presenter can answer.
   */
  private status(): Promise<Record<string, unknown>> {
    return this.presenter ? this.presenter.status() : this.protocol.terminal.status();
  }
}
