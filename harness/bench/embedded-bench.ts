/**
 * The embedded default bench: host simulator, fault proxy, emulated terminal (in-process) and virtual
 * cards in one process, on 127.0.0.1 with free ports. No lab file, no hardware.
 *
 * Per scenario: a fresh terminal (profile from the scenario's `bench.terminal`, else the bench's), fresh
 * virtual cards, the host reset (or restarted with the scenario's account setup), network faults cleared.
 */
import { createVirtualCard, type EmvVirtualCard } from '../cards/index.js';
import { cardStateReport } from '../emulator/card-state-report.js';
import { inlineCardFixture } from '../emulator/inline-card.js';
import { createTerminal, type EmulatedTerminal } from '../emulator/emulated-terminal.js';
import { loadTerminalProfile, type TerminalProfile } from '../emulator/terminal-profile.js';
import type { TerminalEvent } from '../emulator/terminal-events.js';
import type { Scenario } from '../scenario/index.js';
import { Bench, type Driver } from './bench.js';
import type { CardPresenter, Display, Keypad, ObservationKind, TerminalControl } from './capabilities.js';
import { BrokenError, UnknownCardError } from './errors.js';
import { createHostNetwork } from './host-network.js';
import { HOST_WORK_STATES } from './host-work-states.js';

export interface EmbeddedBenchOptions {
  /** Terminal profile (fixtures/terminals/). Default `cup-pos-ci`. */
  terminal?: string;
  /** Host profile (fixtures/hosts/). Default `default`. */
  host?: string;
  /** Dialect. Default: the terminal profile's. */
  dialect?: string;
  /** Emulator defect switches for every scenario. */
  defects?: readonly string[];
  /** Put the fault proxy between terminal and host (default true). */
  proxy?: boolean;
  /** Do not start a host simulator: talk to this address (an external host, or nothing: broken). */
  externalHost?: { host: string; port: number };
  /** Lab capability words; default everything the emulator offers. */
  offers?: readonly string[];
  name?: string;
  stepTimeoutMs?: number;
  scenarioTimeoutMs?: number;
}

const DEFAULT_OFFERS = [
  'chip',
  'contactless',
  'magstripe',
  'pinpad',
  'printer',
  'display',
  'ecr',
  'atm',
  'emulator',
  'host',
  'network',
];

const TOTAL_WAIT_MS = 10000;

/** Creates (does not activate) the embedded bench. */
export function createEmbeddedBench(options: EmbeddedBenchOptions = {}): Bench {
  const defaultProfile = options.terminal ?? 'cup-pos-ci';
  const profiles = new Map<string, TerminalProfile>();
  const profileOf = (name: string): TerminalProfile => {
    let p = profiles.get(name);
    if (!p) {
      p = loadTerminalProfile(name, options.defects ? { defects: options.defects } : {});
      profiles.set(name, p);
    }
    return p;
  };
  const useProxy = options.proxy !== false;
  const dialectName = options.dialect ?? profileOf(defaultProfile).dialect;

  // The bench is made last; drivers report through it once it exists.
  const made: { bench?: Bench } = {};
  const emit = (kind: ObservationKind, data: Record<string, unknown>, at?: number): void =>
    made.bench?.emit(kind, data, at);

  let terminal: EmulatedTerminal | undefined;
  let offTerminal: (() => void) | undefined;
  let running: Promise<unknown> | undefined;
  const cards = new Map<string, EmvVirtualCard>();
  let inserted: EmvVirtualCard | undefined;

  const infra = createHostNetwork({
    name: 'embedded-host-proxy',
    dialect: dialectName,
    emit,
    proxy: useProxy,
    ...(options.host ? { hostProfile: options.host } : {}),
    ...(options.externalHost ? { externalHost: options.externalHost } : {}),
  });
  const terminalTarget = (): { host: string; port: number } => infra.terminalTarget();

  const need = (): EmulatedTerminal => {
    if (!terminal) throw new BrokenError('no terminal: the scenario has not begun', 'emulated');
    return terminal;
  };
  const cardOf = (ref: string): EmvVirtualCard => {
    const c = cards.get(ref);
    if (c) return c;
    try {
      const made = createVirtualCard(ref);
      cards.set(ref, made);
      return made;
    } catch {
      throw new UnknownCardError(ref);
    }
  };

  const onTerminalEvent = (e: TerminalEvent): void => {
    const { type, at, seq: _seq, ...rest } = e as TerminalEvent & Record<string, unknown>;
    void _seq;
    const kind: ObservationKind | undefined =
      type === 'display'
        ? 'display'
        : type === 'state'
          ? 'state'
          : type === 'receipt'
            ? 'receipt'
            : type === 'apdu'
              ? 'apdu'
              : type === 'card'
                ? 'card'
                : type === 'result'
                  ? 'result'
                  : type === 'reversal'
                    ? 'reversal'
                    : type === 'host-error'
                      ? 'host-error'
                      : type === 'message'
                        ? 'terminal-message'
                        : type === 'note'
                          ? 'note'
                          : undefined;
    if (kind) emit(kind, rest as Record<string, unknown>, at);
  };

  const waitIdle = async (timeoutMs: number): Promise<void> => {
    const p = running;
    if (!p) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      p.catch(() => undefined),
      new Promise<void>((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    clearTimeout(timer);
  };

  const terminalControl: TerminalControl = {
    async start(op, args = {}) {
      const t = need();
      await waitIdle(TOTAL_WAIT_MS);
      const amount = args.amount ?? 0;
      const original = (): { reference?: string; stan?: string } => {
        const of = args.of ?? 'last';
        if (of === 'last') {
          const recs = t.batch.records();
          const last = recs[recs.length - 1];
          return last ? { reference: last.reference, stan: last.stan } : {};
        }
        return /^\d{6}$/.test(of) && !t.batch.records().some((r) => r.reference === of)
          ? { stan: of }
          : { reference: of };
      };
      let p: Promise<unknown>;
      switch (op) {
        case 'signIn':
          p = t.signIn();
          break;
        case 'purchase':
          p = t.purchase(amount);
          break;
        case 'preAuth':
          p = t.preAuth(amount);
          break;
        case 'balance':
          p = t.balance();
          break;
        case 'withdraw':
          p = t.withdraw(amount);
          break;
        case 'settle':
          p = t.settle();
          break;
        case 'void':
          p = t.void(original());
          break;
        case 'refund':
          p = t.refund(amount, original());
          break;
      }
      running = p;
      // A refusal to start (busy, bad amount) shows at once; the outcome lands on the timeline. A
      // rejection later is a payhil bug inside the terminal: the bench reports it (the run is broken).
      let early: unknown;
      let started = false;
      p.catch((e: unknown) => {
        if (started) return made.bench?.fault(e);
        early = e;
        emit('note', { text: `terminal refused ${op}: ${(e as Error).message}` });
      });
      await new Promise((r) => setImmediate(r));
      started = true;
      if (early)
        throw new BrokenError(`terminal refused ${op}: ${(early as Error).message}`, 'emulated', {
          cause: early,
        });
    },
    async enterAmount(amount) {
      emit('note', { text: `amount ${amount} entered (the emulator takes the amount with the transaction)` });
    },
    async select(item) {
      emit('note', { text: `menu item ${item} selected (the emulator starts transactions directly)` });
    },
    async powerCycle() {
      const t = need();
      const profile = t.profile;
      await waitIdle(TOTAL_WAIT_MS);
      offTerminal?.();
      await t.close();
      emit('note', { text: 'terminal power cycled' });
      terminal = await createTerminal({ profile, host: terminalTarget() });
      offTerminal = terminal.events.on(onTerminalEvent);
      inserted = undefined;
    },
    async status() {
      const t = need();
      const s = t.status();
      return {
        ...s,
        retained: t.cardSlot.retained,
        cardInserted: t.cardSlot.occupied,
        display: t.display.text(),
      };
    },
    idle: (ms) => waitIdle(ms),
  };

  const keypad: Keypad = {
    async enterPin(pin) {
      await need().keypad.enterPin(pin);
    },
    async cancel() {
      await need().keypad.press('CANCEL');
    },
    async press(key) {
      await need().keypad.press(key.toUpperCase());
    },
  };

  const display: Display = {
    async text() {
      return need().display.text();
    },
  };

  const presenter: CardPresenter = {
    async prepare(map) {
      cards.clear();
      inserted = undefined;
      for (const [alias, ref] of Object.entries(map)) {
        let card: EmvVirtualCard;
        try {
          card = createVirtualCard(typeof ref === 'string' ? ref : inlineCardFixture(ref));
        } catch (e) {
          throw new UnknownCardError(`${alias} (${(e as Error).message})`);
        }
        cards.set(alias, card);
      }
    },
    async insert(ref) {
      const c = cardOf(ref);
      await need().cardSlot.insert(c);
      inserted = c;
    },
    async tap(ref, holdMs) {
      await need().cardSlot.tap(cardOf(ref), holdMs);
    },
    async swipe(ref) {
      await need().cardSlot.swipe(cardOf(ref));
    },
    async remove() {
      const t = need();
      // A person takes the card out when the terminal says so, not while it talks to the host.
      if (HOST_WORK_STATES.has(t.state))
        await t.events
          .waitFor((e) => e.type === 'state' && !HOST_WORK_STATES.has(e.state), TOTAL_WAIT_MS)
          .catch(() => undefined);
      await t.cardSlot.remove();
      inserted = undefined;
    },
    async state(ref) {
      const c = ref ? cardOf(ref) : (inserted ?? [...cards.values()][0]);
      if (!c) return {};
      return cardStateReport(c.snapshot());
    },
  };

  const emulated: Driver = {
    name: 'emulated',
    async activate() {
      profileOf(defaultProfile);
    },
    async deactivate() {
      offTerminal?.();
      await terminal?.close();
      terminal = undefined;
    },
    async beginScenario(s: Scenario) {
      offTerminal?.();
      await terminal?.close();
      running = undefined;
      const profile = profileOf(s.bench.terminal ?? defaultProfile);
      terminal = await createTerminal({ profile, host: terminalTarget() });
      offTerminal = terminal.events.on(onTerminalEvent);
    },
    async endScenario() {
      await waitIdle(2000);
      try {
        await terminal?.cancel();
      } catch {
        // nothing running
      }
      await waitIdle(2000);
    },
  };

  const profile = profileOf(defaultProfile);
  const bench = new Bench({
    name: options.name ?? 'embedded',
    offers: options.offers ?? DEFAULT_OFFERS.filter((o) => o !== 'network' || useProxy),
    drivers: [infra.driver, emulated],
    capabilities: {
      terminal: terminalControl,
      keypad,
      display,
      cards: presenter,
      host: infra.host,
      ...(infra.network ? { network: infra.network } : {}),
    },
    facts: {
      'terminal.profile': profile.name,
      'terminal.driver': 'emulated (in-process)',
      'terminal.kind': profile.kind,
      dialect: dialectName,
      host: options.externalHost
        ? `external ${options.externalHost.host}:${options.externalHost.port}`
        : `simulator (${options.host ?? 'default'})`,
      proxy: useProxy ? 'payhil fault proxy' : 'none',
      node: process.version,
    },
    ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
    ...(options.scenarioTimeoutMs !== undefined ? { scenarioTimeoutMs: options.scenarioTimeoutMs } : {}),
  });
  made.bench = bench;
  return bench;
}
