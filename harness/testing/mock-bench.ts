/**
 * Mock peers of every capability, for unit tests of the runner (as serialport's binding-mock): each
 * records the calls it gets and has test-control methods to make observations appear on the bench.
 */
import { Bench } from '../bench/index.js';
import type { Clock } from '../common/clock.js';
import {
  BrokenError,
  type CapabilityMap,
  type HostMessageData,
  type NetworkControl,
  type ObservationKind,
} from '../capabilities/index.js';

export interface MockCall {
  capability: string;
  method: string;
  args: unknown[];
}

/** A bench made of mocks plus the controls a test uses to play the terminal and the host. */
export interface MockBench {
  bench: Bench;
  calls: MockCall[];
  /** Makes the next call of `capability.method` reject with a BrokenError (a lab fault). */
  breakNext(capability: string, method: string, message?: string): void;
  /** Puts an observation on the bench now. */
  emit(kind: ObservationKind, data: Record<string, unknown>): void;
  /** A host exchange: request, then (unless null) its response on the same connection. */
  exchange(
    request: Omit<HostMessageData, 'direction' | 'conn'>,
    response: Omit<HostMessageData, 'direction' | 'conn'> | null,
  ): void;
  /** Shows display text (and records it as current). */
  show(text: string): void;
  /** Called on each capability call; may emit observations to play the other side. */
  onCall?: (call: MockCall) => void;
  /** Terminal status fields returned by `terminal.status()`. */
  terminalStatus: Record<string, unknown>;
  /** Card state fields returned by `cards.state()`. */
  cardState: Record<string, unknown>;
  /** When true, `operator.ask` never answers (an operator who walked away). */
  operatorSilent: boolean;
}

export interface MockBenchOptions {
  /** The bench's clock (default real time), e.g. a SimulatedClock. */
  clock?: Clock;
}

export function createMockBench(
  offers: readonly string[] = [
    'chip',
    'contactless',
    'magstripe',
    'pinpad',
    'display',
    'host',
    'network',
    'printer',
  ],
  options: MockBenchOptions = {},
): MockBench {
  const calls: MockCall[] = [];
  const broken = new Map<string, string>();
  let displayText = '';
  let conn = 0;
  const mock = {} as MockBench;
  const record = (capability: string, method: string, args: unknown[]): void => {
    const key = `${capability}.${method}`;
    const why = broken.get(key);
    if (why !== undefined) {
      broken.delete(key);
      throw new BrokenError(why, `mock-${capability}`);
    }
    const call = { capability, method, args };
    calls.push(call);
    mock.onCall?.(call);
  };
  const proxy = <T extends object>(capability: string, extra: object = {}): T =>
    new Proxy(extra as T, {
      get(target, prop) {
        if (prop === 'then') return undefined;
        if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
        if (prop === 'backend') return 'mock';
        return async (...args: unknown[]) => {
          record(capability, String(prop), args);
          return undefined;
        };
      },
    });
  const caps: CapabilityMap = {
    terminal: proxy('terminal', {
      status: async () => {
        record('terminal', 'status', []);
        return mock.terminalStatus;
      },
    }),
    keypad: proxy('keypad'),
    display: proxy('display', {
      text: async () => displayText,
    }),
    cards: proxy('cards', {
      state: async () => mock.cardState,
    }),
    host: proxy('host'),
    network: proxy<NetworkControl>('network'),
    devices: proxy('devices'),
    mode: proxy('mode'),
    calendar: proxy('calendar'),
    operator: proxy('operator', {
      ask: async (prompt: string) => {
        record('operator', 'ask', [prompt]);
        if (mock.operatorSilent) await new Promise<never>(() => undefined);
        return true;
      },
    }),
  };
  const bench = new Bench({
    name: 'mock',
    offers,
    drivers: [{ name: 'mock', activate: async () => undefined, deactivate: async () => undefined }],
    capabilities: caps,
    facts: { terminal: 'mock' },
    stepTimeoutMs: 2000,
    scenarioTimeoutMs: 10000,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  Object.assign(mock, {
    bench,
    calls,
    terminalStatus: { state: 'idle', signedIn: true },
    cardState: {},
    operatorSilent: false,
    breakNext(capability: string, method: string, message = `${capability} is gone`) {
      broken.set(`${capability}.${method}`, message);
    },
    emit(kind: ObservationKind, data: Record<string, unknown>) {
      bench.emit(kind, data);
    },
    exchange(
      request: Omit<HostMessageData, 'direction' | 'conn'>,
      response: Omit<HostMessageData, 'direction' | 'conn'> | null,
    ) {
      const c = ++conn;
      bench.emit('host', { direction: 'request', conn: c, ...request });
      if (response) bench.emit('host', { direction: 'response', conn: c, ...response });
    },
    show(text: string) {
      displayText = text;
      bench.emit('display', { lines: text.split('\n'), key: 'mock' });
    },
  });
  return mock;
}
