/**
 * The test-mode presenter of a protocol bench: card presenter, keypad and display reader through the
 * reference emulator's ECR test-mode channel (`payhil emulator --ecr tcp:…`, docs/ecr-protocol.md). A
 * protocol that cannot carry a card insertion or a PIN entry from the cash register (ZVT, nexo) gets them
 * here on the emulated bench; on a real bench a card multiplexer, a robot or an operator does it.
 *
 * It reuses `EcrTcpDriver`'s test-mode requests (card, key, readDisplay, status, cardState). Of the
 * channel's observations it passes on the terminal's `state` and `display` (what a camera on the terminal
 * would see; the bench keeps the display only while no protocol command runs, see ProtocolTerminal);
 * receipts and results come from the protocol driver, so the timeline holds each once.
 */
import {
  BrokenError,
  ObserverSet,
  type CardPresenter,
  type Display,
  type Keypad,
  type ObservationListener,
} from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { EcrTcpDriver } from '../ecr-tcp/index.js';

const log = createLogger('payhil:drivers:test-mode');

/** Where the emulator's ECR test-mode channel listens. */
export interface TestModeResource {
  host: string;
  port: number;
}

export interface TestModePresenterOptions {
  /** Power-cycle the terminal through the channel before each scenario (fresh, signed-out terminal). */
  powerCycleEachScenario?: boolean;
}

export class TestModePresenter {
  readonly name: string;
  readonly cards: CardPresenter;
  readonly keypad: Keypad;
  readonly display: Display;
  private readonly ecr: EcrTcpDriver;
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));

  constructor(resource: TestModeResource, options: TestModePresenterOptions = {}) {
    this.name = `test-mode ${resource.host}:${resource.port}`;
    this.ecr = new EcrTcpDriver(resource, {
      powerCycleEachScenario: options.powerCycleEachScenario ?? false,
    });
    this.cards = this.ecr.cards;
    this.keypad = this.ecr.keypad;
    this.display = this.ecr.display;
    this.ecr.observe((o) => {
      if (o.kind === 'state' || o.kind === 'note' || o.kind === 'display') this.observers.emit(o);
    });
  }

  get active(): boolean {
    return this.ecr.active;
  }

  /** Observes the terminal's state changes and the channel's notes; returns the unsubscribe. */
  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Opens the channel; BrokenError when the terminal is not in test mode. */
  async activate(): Promise<void> {
    await this.ecr.activate();
    if (!this.ecr.inTestMode) {
      await this.ecr.deactivate();
      throw new BrokenError(`${this.name}: the terminal's ECR channel is not in test mode`, this.name, {
        code: 'E_DRIVER_NOT_TEST_MODE',
      });
    }
  }

  deactivate(): Promise<void> {
    return this.ecr.deactivate();
  }

  beginScenario(): Promise<void> {
    return this.ecr.beginScenario();
  }

  /** Cancels what still runs on the terminal and takes the card out. */
  endScenario(): Promise<void> {
    return this.ecr.endScenario();
  }

  /** Switches the terminal off and on through the channel (the emulator keeps its protocol listeners). */
  powerCycle(): Promise<void> {
    return this.ecr.terminal.powerCycle();
  }

  /** The terminal's status as the test-mode channel reports it (state, signedIn, cardInserted…). */
  status(): Promise<Record<string, unknown>> {
    return this.ecr.terminal.status();
  }
}
