/**
 * The embedded default bench: host simulator, fault proxy, emulated terminal (in-process) and virtual
 * cards in one process, on 127.0.0.1 with free ports. No lab file, no hardware.
 *
 * Per scenario: a fresh terminal (profile from the scenario's `bench.terminal`, else the bench's), fresh
 * virtual cards, the host reset (or restarted with the scenario's account setup), network faults cleared.
 */
import { createVirtualCard, loadCardFixture, type EmvVirtualCard } from '../cards/index.js';
import { connect } from 'node:net';
import { createLogger } from '../common/logger.js';
import { packagePath } from '../common/project-root.js';
import { createTerminal, type EmulatedTerminal } from '../emulator/emulated-terminal.js';
import { loadTerminalProfile, type TerminalProfile } from '../emulator/terminal-profile.js';
import type { TerminalEvent } from '../emulator/terminal-events.js';
import { loadHostConfig, startHost, type HostConfig, type HostHandle } from '../host/index.js';
import type { JournalEntry as HostJournalEntry } from '../host/index.js';
import { LocalNetworkControl, startProxy, type Proxy } from '../net/index.js';
import type { JournalEntry as ProxyJournalEntry } from '../net/index.js';
import type { Scenario } from '../scenario/index.js';
import { Bench, type Driver } from './bench.js';
import type {
  CardPresenter,
  Display,
  HostAccountsSetup,
  HostControl,
  Keypad,
  NetworkControl,
  ObservationKind,
  TerminalControl,
} from './capabilities.js';
import { BrokenError, UnknownCardError } from './errors.js';
import { applyAccountSetup, toHostRule } from './host-setup.js';
import { cardStateFields } from './card-state-fields.js';

const debug = createLogger('payhil:bench');

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

/** Terminal states with host work in flight (the card stays in until they end). */
const HOST_WORK: ReadonlySet<string> = new Set(['online', 'completion', 'reversal', 'signingIn', 'settling']);

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
  const hostConfigs = new Map<string, HostConfig>();
  const hostConfigOf = (name: string): HostConfig => {
    let c = hostConfigs.get(name);
    if (!c) {
      // A scenario makes a handful of transactions: a small ledger keeps the per-scenario reset cheap.
      c = {
        ...loadHostConfig(packagePath('fixtures', 'hosts', `${name}.yaml`)),
        ledgerSize: 1000,
        journalSize: 2000,
      };
      hostConfigs.set(name, c);
    }
    return c;
  };
  const useProxy = options.proxy !== false;
  const dialectName = options.dialect ?? profileOf(defaultProfile).dialect;

  // The bench is made last; drivers report through it once it exists.
  const made: { bench?: Bench } = {};
  const emit = (kind: ObservationKind, data: Record<string, unknown>, at?: number): void =>
    made.bench?.emit(kind, data, at);

  let host: HostHandle | undefined;
  let hostProfile = options.host ?? 'default';
  let hostCustom = false;
  let proxy: Proxy | undefined;
  let terminal: EmulatedTerminal | undefined;
  let offTerminal: (() => void) | undefined;
  let running: Promise<unknown> | undefined;
  const cards = new Map<string, EmvVirtualCard>();
  let inserted: EmvVirtualCard | undefined;

  const onHostEntry = (e: HostJournalEntry): void => {
    if (e.direction === 'event' || !e.raw) return;
    emit('raw-frame', {
      direction: e.direction === 'in' ? 'request' : 'response',
      conn: e.connectionId,
      mti: e.mti,
      raw: e.raw,
    });
  };
  const onProxyEntry = (e: ProxyJournalEntry): void => {
    if (e.kind === 'frame') {
      emit('host', {
        direction: e.dir === 'upstream' ? 'request' : 'response',
        conn: e.conn,
        mti: e.mti,
        fields: { ...e.fields },
        ...(e.fault ? { fault: `${e.fault.action}${e.fault.detail ? ` (${e.fault.detail})` : ''}` } : {}),
      });
    } else if (e.kind === 'toxic' || e.kind === 'fault')
      emit('network', {
        kind: e.kind,
        action: e.action,
        detail: (e as { toxic?: unknown; fault?: unknown }).toxic ?? (e as { fault?: unknown }).fault,
      });
    else if (e.kind === 'close' && e.reason !== 'eof')
      emit('network', { kind: 'close', conn: e.conn, reason: e.reason });
  };

  const startOwnHost = async (config: HostConfig): Promise<void> => {
    host = await startHost({ dialect: dialectName, config });
    host.journal.on('entry', onHostEntry);
    if (!useProxy) host.journal.on('entry', onHostMessage);
  };
  // Without a proxy the host journal is the spy.
  const onHostMessage = (e: HostJournalEntry): void => {
    if (e.direction === 'event' || !e.mti) return;
    emit('host', {
      direction: e.direction === 'in' ? 'request' : 'response',
      conn: e.connectionId,
      mti: e.mti,
      fields: { ...(e.fields ?? {}) },
    });
  };
  const hostAddress = (): { host: string; port: number } => {
    if (host) return host.address;
    if (options.externalHost) return options.externalHost;
    throw new BrokenError('no host', 'embedded');
  };
  const terminalTarget = (): { host: string; port: number } => {
    if (proxy) {
      const a = proxy.address();
      return { host: a.host, port: a.port };
    }
    return hostAddress();
  };

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
      // A refusal to start (busy, bad amount) shows at once; the outcome lands on the timeline.
      let early: unknown;
      p.catch((e: unknown) => {
        early = e;
        emit('note', { text: `terminal refused ${op}: ${(e as Error).message}` });
      });
      await new Promise((r) => setImmediate(r));
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
          if (typeof ref === 'string') card = createVirtualCard(ref);
          else {
            const { extends: base, ...over } = ref;
            const fixture = { ...loadCardFixture(base), ...over } as unknown as Parameters<
              typeof createVirtualCard
            >[0];
            card = createVirtualCard(fixture);
          }
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
      if (HOST_WORK.has(t.state))
        await t.events
          .waitFor((e) => e.type === 'state' && !HOST_WORK.has(e.state), TOTAL_WAIT_MS)
          .catch(() => undefined);
      await t.cardSlot.remove();
      inserted = undefined;
    },
    async state(ref) {
      const c = ref ? cardOf(ref) : (inserted ?? [...cards.values()][0]);
      if (!c) return {};
      return cardStateFields(c.snapshot());
    },
  };

  const hostControl: HostControl = {
    async reset(setup?: HostAccountsSetup) {
      if (options.externalHost) return;
      const custom =
        setup !== undefined &&
        (Object.keys(setup.accounts).length > 0 || Object.keys(setup.cardOverrides).length > 0);
      if (!custom && host && !hostCustom) {
        host.reset();
        return;
      }
      const base = hostConfigOf(hostProfile);
      const config = custom ? applyAccountSetup(base, setup as HostAccountsSetup) : base;
      if (host) await host.close();
      host = undefined;
      await startOwnHost(config);
      hostCustom = custom;
      if (proxy)
        await proxy.update({
          upstream: `${(host as unknown as HostHandle).address.host}:${(host as unknown as HostHandle).address.port}`,
        });
    },
    async addRules(rules) {
      if (!host)
        throw new BrokenError(
          'host rules need the host simulator; this bench talks to an external host',
          'host',
        );
      for (const r of rules) host.addRule(toHostRule(r));
    },
    async clearRules() {
      host?.clearRules();
    },
    async updateAccounts(accounts) {
      if (!host) throw new BrokenError('account changes need the host simulator', 'host');
      for (const [cardName, o] of Object.entries(accounts)) {
        const acc = host.accounts.byCard(cardName);
        if (!acc) throw new UnknownCardError(cardName);
        if (o.balance !== undefined) host.accounts.setBalance(acc.pan, Math.round(Number(o.balance) * 100));
        if (o.status !== undefined) host.accounts.setStatus(acc.pan, o.status);
      }
    },
  };

  let network: NetworkControl | undefined;

  const infra: Driver = {
    name: 'embedded-host-proxy',
    async activate() {
      if (!options.externalHost) await startOwnHost(hostConfigOf(hostProfile));
      if (useProxy) {
        const up = hostAddress();
        proxy = await startProxy({ upstream: `${up.host}:${up.port}`, dialect: dialectName });
        proxy.journal.on('entry', onProxyEntry);
        network = new LocalNetworkControl(proxy);
      }
      debug('embedded bench up: host %o proxy %s', host?.address, proxy?.listen);
    },
    async deactivate() {
      await proxy?.close();
      proxy = undefined;
      await host?.close();
      host = undefined;
    },
    async beginScenario(s: Scenario) {
      if (s.bench.host && s.bench.host !== hostProfile) {
        hostProfile = s.bench.host;
        hostCustom = true; // force a restart with the other profile
      }
      if (proxy) await proxy.reset();
      if (options.externalHost) await probe(options.externalHost);
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

  // Network control: the proxy exists only after activation, so forward lazily.
  const networkProxy: NetworkControl = {
    backend: 'payhil',
    addToxic: (i) => netOf().addToxic(i),
    updateToxic: (n, i) => netOf().updateToxic(n, i),
    removeToxic: (n) => netOf().removeToxic(n),
    listToxics: () => netOf().listToxics(),
    setEnabled: (e) => netOf().setEnabled(e),
    reset: () => netOf().reset(),
    addFault: (i) => netOf().addFault(i),
    removeFault: (n) => netOf().removeFault(n),
  };
  const netOf = (): NetworkControl => {
    if (!network) throw new BrokenError('the network proxy is not running', 'proxy');
    return network;
  };

  const profile = profileOf(defaultProfile);
  const bench = new Bench({
    name: options.name ?? 'embedded',
    offers: options.offers ?? DEFAULT_OFFERS.filter((o) => o !== 'network' || useProxy),
    drivers: [infra, emulated],
    capabilities: {
      terminal: terminalControl,
      keypad,
      display,
      cards: presenter,
      host: hostControl,
      ...(useProxy ? { network: networkProxy } : {}),
    },
    facts: {
      'terminal.profile': profile.name,
      'terminal.driver': 'emulated (in-process)',
      'terminal.kind': profile.kind,
      dialect: dialectName,
      host: options.externalHost
        ? `external ${options.externalHost.host}:${options.externalHost.port}`
        : `simulator (${hostProfile})`,
      proxy: useProxy ? 'payhil fault proxy' : 'none',
      node: process.version,
    },
    ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
    ...(options.scenarioTimeoutMs !== undefined ? { scenarioTimeoutMs: options.scenarioTimeoutMs } : {}),
  });
  made.bench = bench;
  return bench;
}

/** Checks that a TCP host answers a connect within 2 s; BrokenError otherwise. */
export function probe(address: { host: string; port: number }, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: address.host, port: address.port });
    const fail = (why: string): void => {
      clearTimeout(timer);
      s.destroy();
      reject(
        new BrokenError(`host ${address.host}:${address.port} is unreachable: ${why}`, 'host', {
          code: 'E_BENCH_HOST_UNREACHABLE',
        }),
      );
    };
    const timer = setTimeout(() => fail(`no connection within ${timeoutMs} ms`), timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve();
    });
    s.once('error', (e) => fail(e.message));
  });
}
