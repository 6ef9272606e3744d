/**
 * The host side of every bench: the host simulator (or an external host), normally behind the fault proxy,
 * as one driver with the `host` and `network` capabilities. The terminal is pointed at `terminalTarget()`,
 * which stays the same for the whole run when the proxy is there, even when the simulator restarts with a
 * scenario's accounts. Without the proxy (embedded bench option) the host journal is the spy.
 */
import { connect } from 'node:net';
import { findFixture } from '../common/fixture-search.js';
import type { Calendar } from '../common/calendar.js';
import type { Clock } from '../common/clock.js';
import { packagePath } from '../common/project-root.js';
import { deriveSeed, seededStream } from '../common/run-seed.js';
import {
  loadHostConfig,
  loadReplayFixture,
  startHost,
  type HostConfig,
  type HostHandle,
} from '../host/index.js';
import type { JournalEntry as HostJournalEntry } from '../host/index.js';
import { loadDialect } from '../iso8583/index.js';
import {
  LocalNetworkControl,
  PcapWriter,
  maskPcap,
  relabelLegs,
  startProxy,
  type Proxy,
} from '../net/index.js';
import type { JournalEntry as ProxyJournalEntry } from '../net/index.js';
import type { Scenario } from '../scenario/index.js';
import {
  BrokenError,
  UnknownCardError,
  type BinaryAttachment,
  type Driver,
  type HostAccountsSetup,
  type HostControl,
  type NetworkControl,
  type ObservationKind,
  type ScenarioContext,
} from '../capabilities/index.js';
import { ISSUER_CARD_FIELDS, applyAccountSetup, toHostRule } from './host-setup.js';

export interface HostNetworkOptions {
  /** Host profile (fixtures/hosts/NAME.yaml) of the simulator. Default `default`. */
  hostProfile?: string;
  /** Talk to this host instead of starting the simulator. */
  externalHost?: { host: string; port: number };
  dialect: string;
  /** Where the proxy listens (host:port; port 0 = any free port). Default 127.0.0.1:0. */
  listen?: string;
  /** Put the fault proxy (the spy) between terminal and host. Default true. */
  proxy?: boolean;
  /**
   * Record each scenario's traffic through the proxy as a `pcap` observation (the Allure attachment
   * `host traffic (masked).pcap`). On by default (with the proxy). The capture is masked before it
   * leaves the driver (net/pcap-masking.ts): the PAN keeps its first 6 and last 4 digits; track data,
   * PIN block, keys and MAC are zeroed; undecodable frames are zeroed past their header.
   */
  pcap?: boolean;
  /** Driver name in bench logs. */
  name?: string;
  /**
   * The simulator's calendar (its date and time of day, the issuer's day change), kept across host
   * restarts; a bench shares it with an in-process terminal so a `clock` step moves both.
   */
  calendar?: Calendar;
  /** The bench's clock for the simulator's delays and the proxy's toxics. Default real time. */
  clock?: Clock;
  /** Where observations go (the bench's emit). */
  emit: (kind: ObservationKind, data: Record<string, unknown>, at?: number) => void;
}

/** The driver plus the capabilities it provides and the address the terminal must use. */
export interface HostNetwork {
  readonly driver: Driver;
  readonly host: HostControl;
  /** Present only with the proxy. */
  readonly network: NetworkControl | undefined;
  /** Where the terminal connects: the proxy, or the host without one (known once the driver is active). */
  terminalTarget(): { host: string; port: number };
}

/** Host simulator (or external host), behind the fault proxy unless `proxy: false`. */
export function createHostNetwork(options: HostNetworkOptions): HostNetwork {
  const { emit, dialect } = options;
  const useProxy = options.proxy !== false;
  let host: HostHandle | undefined;
  let hostProfile = options.hostProfile ?? 'default';
  let hostCustom = false;
  /** An external host's bench: the host profile the current scenario asks for (which it cannot have). */
  let profileAsked: string | undefined;
  /** An external host's bench: the card fixtures the current scenario's steps present. */
  let presented: ReadonlySet<string> | undefined;
  /** The recording folder the current scenario's host answers from (`host.replay`), and the running host's. */
  let wantReplay: string | undefined;
  let runningReplay: string | undefined;
  let proxy: Proxy | undefined;
  /** The simulator's draws (RRN start, working keys) in the current scenario; undefined before one. */
  let hostRandom: (() => number) | undefined;
  let network: NetworkControl | undefined;
  const calendar = options.calendar;
  const pcap =
    useProxy && options.pcap !== false
      ? new ScenarioPcapWriter(
          options.clock?.simulated && calendar ? () => calendar.now().getTime() : undefined,
        )
      : undefined;
  const configs = new Map<string, HostConfig>();
  const configOf = (name: string): HostConfig => {
    let c = configs.get(name);
    if (!c) {
      c = {
        ...loadHostConfig(findFixture('hosts', name) ?? packagePath('fixtures', 'hosts', `${name}.yaml`)),
        ledgerSize: 1000,
        journalSize: 2000,
      };
      configs.set(name, c);
    }
    return c;
  };

  /**
   * Connection numbers as the scenario sees them: 1, 2, … in the order its connections show up (one
   * numbering for the proxy's connections, one for the host's), so a scenario's timeline does not depend
   * on how many connections the scenarios before it opened. Renumbered from 1 at each scenario's start.
   */
  const proxyConns = new Map<number, number>();
  const hostConns = new Map<number, number>();
  const local = (table: Map<number, number>, conn: number): number => {
    let n = table.get(conn);
    if (n === undefined) table.set(conn, (n = table.size + 1));
    return n;
  };

  const onHostEntry = (e: HostJournalEntry): void => {
    // A replay host's request with no recorded answer (answered 96): the reason belongs on the timeline.
    if (e.direction === 'event' && e.event === 'replay-unmatched') {
      emit('note', { text: e.message ?? 'replay: no recorded answer' });
      return;
    }
    if (e.direction === 'event' || !e.raw) return;
    emit('raw-frame', {
      direction: e.direction === 'in' ? 'request' : 'response',
      conn: local(hostConns, e.connectionId),
      mti: e.mti,
      raw: e.raw,
      // The dialect the frame is in: reports decode it into a field table.
      dialect,
    });
  };
  const onProxyEntry = (e: ProxyJournalEntry): void => {
    if (e.kind === 'frame')
      emit('host', {
        direction: e.dir === 'upstream' ? 'request' : 'response',
        conn: local(proxyConns, e.conn),
        mti: e.mti,
        fields: { ...e.fields },
        ...(e.fault ? { fault: `${e.fault.action}${e.fault.detail ? ` (${e.fault.detail})` : ''}` } : {}),
      });
    else if (e.kind === 'toxic' || e.kind === 'fault')
      emit('network', {
        kind: e.kind,
        action: e.action,
        detail: (e as { toxic?: unknown; fault?: unknown }).toxic ?? (e as { fault?: unknown }).fault,
      });
    else if (e.kind === 'close' && e.reason !== 'eof')
      emit('network', { kind: 'close', conn: local(proxyConns, e.conn), reason: e.reason });
  };

  // Without a proxy the host journal is the spy.
  const onHostMessage = (e: HostJournalEntry): void => {
    if (e.direction === 'event' || !e.mti) return;
    emit('host', {
      direction: e.direction === 'in' ? 'request' : 'response',
      conn: local(hostConns, e.connectionId),
      mti: e.mti,
      fields: { ...(e.fields ?? {}) },
    });
  };

  const startOwnHost = async (config: HostConfig): Promise<HostHandle> => {
    let replay;
    try {
      replay = wantReplay === undefined ? undefined : loadReplayFixture(wantReplay);
    } catch (e) {
      throw new BrokenError(`host.replay: ${(e as Error).message}`, 'host', {
        code: 'E_BENCH_HOST_SETUP',
        cause: e,
      });
    }
    const h = await startHost({
      dialect,
      config,
      ...(replay ? { replay } : {}),
      ...(options.calendar ? { calendar: options.calendar } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    runningReplay = wantReplay;
    h.journal.on('entry', onHostEntry);
    if (!useProxy) h.journal.on('entry', onHostMessage);
    host = h;
    return h;
  };
  const upstream = (): { host: string; port: number } => {
    if (host) return host.address;
    if (options.externalHost) return options.externalHost;
    throw new BrokenError('no host', 'host');
  };

  const hostControl: HostControl = {
    async reset(setup?: HostAccountsSetup) {
      if (options.externalHost) {
        const missing = [...(profileAsked ? [`host profile '${profileAsked}' (bench.host)`] : [])];
        if (wantReplay !== undefined) missing.push(`host.replay (${wantReplay})`);
        if (setup) missing.push(...externalHostGaps(setup, presented));
        if (missing.length > 0) throw externalHostCannot(options.externalHost, missing);
        return;
      }
      const custom =
        setup !== undefined &&
        (Object.keys(setup.accounts).length > 0 || Object.keys(setup.cardOverrides).length > 0);
      if (!custom && host && !hostCustom && wantReplay === runningReplay) {
        host.reset();
        if (hostRandom) host.reseed(hostRandom);
        return;
      }
      const base = configOf(hostProfile);
      const config = custom ? applyAccountSetup(base, setup as HostAccountsSetup) : base;
      if (host) await host.close();
      host = undefined;
      const h = await startOwnHost(config);
      if (hostRandom) h.reseed(hostRandom);
      hostCustom = custom;
      await proxy?.update({ upstream: `${h.address.host}:${h.address.port}` });
    },
    async addRules(rules) {
      if (!host)
        throw externalHostCannot(options.externalHost, [
          `host.rules (${rules.length} rule${rules.length === 1 ? '' : 's'}${rulesNamed(rules)})`,
        ]);
      for (const r of rules) host.addRule(toHostRule(r));
    },
    async clearRules() {
      host?.clearRules();
    },
    async updateAccounts(accounts) {
      if (!host)
        throw externalHostCannot(options.externalHost, [
          `account changes of a host step (${Object.keys(accounts).join(', ')})`,
        ]);
      for (const [cardName, o] of Object.entries(accounts)) {
        const acc = host.accounts.byCard(cardName);
        if (!acc) throw new UnknownCardError(cardName);
        if (o.balance !== undefined) host.accounts.setBalance(acc.pan, Math.round(Number(o.balance) * 100));
        if (o.status !== undefined) host.accounts.setStatus(acc.pan, o.status);
      }
    },
  };

  const netOf = (): NetworkControl => {
    if (!network) throw new BrokenError('the network proxy is not running', 'proxy');
    return network;
  };
  const networkControl: NetworkControl = {
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

  const driver: Driver = {
    name: options.name ?? 'host-proxy',
    async activate() {
      try {
        if (!options.externalHost) await startOwnHost(configOf(hostProfile));
        if (!useProxy) return;
        const up = upstream();
        proxy = await startProxy({
          upstream: `${up.host}:${up.port}`,
          dialect,
          ...(options.listen ? { listen: options.listen } : {}),
          ...(pcap ? { pcap } : {}),
          // The timeline gets every entry as it is made; the ring only serves the control API's view.
          journal: { capacity: 2000 },
          ...(options.clock ? { clock: options.clock } : {}),
        });
        proxy.journal.on('entry', onProxyEntry);
        network = new LocalNetworkControl(proxy);
      } catch (e) {
        await driver.deactivate();
        throw e instanceof BrokenError
          ? e
          : new BrokenError(`host or proxy did not start: ${(e as Error).message}`, 'host', { cause: e });
      }
    },
    async deactivate() {
      network = undefined;
      await proxy?.close().catch(() => undefined);
      proxy = undefined;
      await host?.close().catch(() => undefined);
      host = undefined;
    },
    async beginScenario(s: Scenario, context?: ScenarioContext) {
      if (s.bench.dialect && s.bench.dialect !== dialect)
        throw new BrokenError(
          `the scenario asks for the ISO 8583 dialect '${s.bench.dialect}' (bench.dialect); this bench's host and proxy speak '${dialect}'`,
          'host',
          { code: 'E_BENCH_HOST_SETUP' },
        );
      profileAsked = options.externalHost && s.bench.host ? s.bench.host : undefined;
      wantReplay = s.host?.replay;
      presented = options.externalHost ? presentedFixtures(s) : undefined;
      if (!options.externalHost && s.bench.host && s.bench.host !== hostProfile) {
        hostProfile = s.bench.host;
        hostCustom = true; // the next reset restarts the simulator with that profile
      }
      if (proxy) await proxy.reset();
      proxyConns.clear();
      hostConns.clear();
      if (context) {
        // The scenario's own streams: its values do not depend on the scenarios before it.
        proxy?.reseed(deriveSeed(context.seed, 'proxy'));
        hostRandom = seededStream(context.seed, 'host');
        host?.reseed(hostRandom);
      }
      pcap?.take(); // traffic between scenarios belongs to none
      if (options.externalHost) await probe(options.externalHost);
    },
    async endScenario() {
      if (!pcap || pcap.packets === 0) return;
      const packets = pcap.packets;
      let body: Buffer;
      try {
        // Masked here, before the capture leaves the driver: nothing downstream ever holds it in clear.
        body = maskPcap(loadDialect(dialect), pcap.take());
        // Fixed addresses and port 8583 for both legs: Wireshark decodes it without the run's ports.
        if (proxy) body = relabelLegs(body, { proxyPort: proxy.address().port, hostPort: upstream().port });
      } catch {
        return; // a capture that cannot be masked is not shown at all
      }
      emit('pcap', {
        text: `${packets} packets through the proxy (masked)`,
        packets,
        attachment: pcapAttachment(body),
      });
    },
  };

  return {
    driver,
    host: hostControl,
    network: useProxy ? networkControl : undefined,
    terminalTarget() {
      if (!useProxy) return upstream();
      if (!proxy) throw new BrokenError('the network proxy is not running', 'proxy');
      const a = proxy.address();
      return { host: a.host, port: a.port };
    },
  };
}

/**
 * What of a scenario's host setup an external host cannot be given: account overrides, and inline cards
 * that change what the issuer knows of a card (PAN, PIN, keys…). Empty when there is nothing to set up.
 */
export function externalHostGaps(setup: HostAccountsSetup, presented?: ReadonlySet<string>): string[] {
  const out: string[] = [];
  const cards = Object.keys(setup.accounts);
  if (cards.length > 0) out.push(`host.accounts (${cards.join(', ')})`);
  for (const [card, over] of Object.entries(setup.cardOverrides)) {
    if (presented && !presented.has(card)) continue; // declared, never presented (another matrix row's)
    const issuer = ISSUER_CARD_FIELDS.filter((k) => over[k] !== undefined);
    if (issuer.length > 0) out.push(`the inline card extending '${card}' changes ${issuer.join(', ')}`);
  }
  return out;
}

/**
 * The fixtures (the `extends` of inline cards too) of the cards a scenario's steps present: every step
 * argument `card` at any depth, resolved through the scenario's aliases.
 */
export function presentedFixtures(s: Scenario): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if (k === 'card' && typeof x === 'string') {
          const alias = s.cards[x];
          out.add(alias === undefined ? x : typeof alias === 'string' ? alias : alias.extends);
        } else walk(x);
      }
  };
  walk(s.steps);
  walk(s.finally);
  return out;
}

/** The scenario is broken: its host setup needs the simulator and the bench talks to an external host. */
function externalHostCannot(
  address: { host: string; port: number } | undefined,
  missing: string[],
): BrokenError {
  const why = address
    ? `this bench talks to the external host ${address.host}:${address.port}, which payhil cannot set up`
    : 'the host simulator is not running';
  return new BrokenError(`${why}; the scenario needs the host simulator for: ${missing.join('; ')}`, 'host', {
    code: 'E_BENCH_HOST_SETUP',
  });
}

const rulesNamed = (rules: readonly { id?: string | undefined }[]): string => {
  const ids = rules.flatMap((r) => (r.id !== undefined ? [r.id] : []));
  return ids.length > 0 ? `: ${ids.join(', ')}` : '';
};

/** An in-memory capture cut per scenario: `take()` returns the packets so far (with the global header) and starts over. */
class ScenarioPcapWriter extends PcapWriter {
  /**
   * @param stamp the packets' capture time (epoch ms) instead of the recorder's wall-clock stamp: the
   *   simulated embedded bench stamps them on its calendar (as fields 12/13), so the capture of two runs
   *   with one seed is the same bytes.
   */
  constructor(private readonly stamp?: () => number) {
    super({ memory: true });
  }
  override write(frame: Buffer, timeMs?: number): void {
    super.write(frame, this.stamp ? this.stamp() : timeMs);
  }
  take(): Buffer {
    const bytes = this.bytes();
    this.chunks?.splice(1); // keep the global header
    this.packets = 0;
    return bytes;
  }
}

/** Name of the per-scenario capture attachment. */
export const PCAP_ATTACHMENT_NAME = 'host traffic (masked).pcap';

/**
 * The capture as a timeline attachment. Its `toJSON` (a JSON timeline shows the size, not the bytes) is
 * not enumerable: structured clone copies the attachment to the report thread without it.
 */
function pcapAttachment(body: Buffer): BinaryAttachment & { toJSON(): Record<string, unknown> } {
  const contentType = 'application/vnd.tcpdump.pcap';
  const a = { name: PCAP_ATTACHMENT_NAME, contentType, body };
  return Object.defineProperty(a, 'toJSON', {
    value: () => ({ name: PCAP_ATTACHMENT_NAME, contentType, bytes: body.length }),
  }) as typeof a & { toJSON(): Record<string, unknown> };
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
