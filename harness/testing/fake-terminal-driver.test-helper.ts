/**
 * Test helper: an in-memory terminal driver for checking the conformance suite itself, with switches that
 * break one contract each (`Flaw`). The good one passes every test of `describeDriverConformance`; each flaw
 * must make its test fail.
 */
import type {
  CardPresenter,
  Keypad,
  Observation,
  ObservationListener,
  TerminalControl,
  TerminalOperationName,
} from '../capabilities/index.js';
import { DriverError } from '../drivers/errors.js';
import type { ConformanceBench, ConformanceDriver } from './index.js';

export type Flaw =
  'none' | 'leaks-a-timer' | 'hangs-on-dead-peer' | 'accepts-while-busy' | 'ignores-unoffered';

class FakeError extends DriverError {
  constructor(operation: string, detail: string, code?: string) {
    super('E_DRIVER_FAKE', 'fake', operation, detail, code ? { code } : {});
  }
}

/** The "terminal" behind the drivers: shared state the bench controls. */
class FakePeer {
  dead = false;
  declineNext = false;
}

class FakeDriver implements ConformanceDriver {
  readonly name = 'fake';
  readonly terminal: TerminalControl;
  readonly cards: CardPresenter;
  readonly keypad: Keypad;
  private readonly listeners = new Set<ObservationListener>();
  private active = false;
  private running:
    { op: TerminalOperationName; amount: number; end: () => void; done: Promise<void> } | undefined;
  private leak: NodeJS.Timeout | undefined;

  constructor(
    private readonly peer: FakePeer,
    private readonly flaw: Flaw,
  ) {
    const need = (op: string): void => {
      if (!this.active) throw new FakeError(op, 'the driver is not active', 'E_DRIVER_INACTIVE');
    };
    this.terminal = {
      start: async (op, args = {}) => {
        need(op);
        if (this.peer.dead) {
          if (this.flaw === 'hangs-on-dead-peer') return new Promise<void>(() => undefined);
          throw new FakeError(op, 'the peer is gone (ECONNREFUSED)');
        }
        if (this.running && this.flaw !== 'accepts-while-busy') {
          await new Promise((r) => setTimeout(r, 100));
          throw new FakeError(op, `the previous ${this.running.op} has not ended`);
        }
        if (op === 'settle' && this.flaw !== 'ignores-unoffered')
          throw new FakeError(op, 'not offered', 'E_DRIVER_UNSUPPORTED');
        if (op === 'settle') return;
        if (op === 'purchase') {
          let end!: () => void;
          const done = new Promise<void>((r) => (end = r));
          this.running = { op, amount: args.amount ?? 0, end, done };
          this.emit('display', { lines: ['INSERT CARD'] });
          this.emit('state', { state: 'waitingForCard' });
          return;
        }
        setImmediate(() => this.result(op, 'approved', args.amount));
      },
      enterAmount: async () => undefined,
      select: async () => undefined,
      powerCycle: async () => undefined,
      status: async () => {
        need('status');
        return { state: this.running ? 'busy' : 'idle' };
      },
      idle: async (ms) => {
        if (this.running) await Promise.race([this.running.done, new Promise((r) => setTimeout(r, ms))]);
      },
    };
    const no = async (): Promise<void> => undefined;
    this.cards = {
      prepare: no,
      insert: async () => {
        this.emit('display', { lines: ['ENTER PIN'] });
        this.emit('state', { state: 'cardholderVerification' });
      },
      tap: no,
      swipe: no,
      remove: no,
      state: async () => ({}),
    };
    this.keypad = {
      enterPin: async () => {
        const r = this.running;
        if (!r) return;
        const declined = this.peer.declineNext;
        this.peer.declineNext = false;
        this.emit('receipt', { text: `SALE ${r.amount}\n622202*********0017`, copy: 'merchant' });
        this.result('purchase', declined ? 'declined' : 'approved', r.amount);
      },
      cancel: no,
      press: no,
    };
  }

  observe(l: ObservationListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  async activate(): Promise<void> {
    if (this.active) return;
    if (this.peer.dead) throw new FakeError('activate', 'the peer is gone');
    this.active = true;
    if (this.flaw === 'leaks-a-timer') this.leak = setInterval(() => undefined, 60_000);
  }

  async deactivate(): Promise<void> {
    this.active = false;
    this.running?.end();
    this.running = undefined;
    if (this.flaw !== 'leaks-a-timer') clearInterval(this.leak);
  }

  async endScenario(): Promise<void> {
    if (this.running) this.result('purchase', 'cancelled', this.running.amount);
  }

  private result(transaction: string, outcome: string, amount?: number): void {
    const r = this.running;
    if (r && r.op === transaction) {
      this.running = undefined;
      r.end();
    }
    this.emit('result', { result: { transaction, outcome, ...(amount !== undefined ? { amount } : {}) } });
  }

  private emit(kind: string, data: Record<string, unknown>): void {
    const o = { kind, at: Date.now(), data } as Observation;
    for (const l of this.listeners) l(o);
  }
}

/** The bench of the fake: `flaw` breaks one contract. */
export function fakeBench(flaw: Flaw): ConformanceBench {
  const peer = new FakePeer();
  const drivers: FakeDriver[] = [];
  return {
    driver: () => {
      const d = new FakeDriver(peer, flaw);
      drivers.push(d);
      return d;
    },
    declineNext: () => void (peer.declineNext = true),
    killPeer: async () => void (peer.dead = true),
    close: async () => undefined,
  };
}
