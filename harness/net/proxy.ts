import { once } from 'node:events';
import { realClock, type Clock } from '../common/clock.js';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { createLogger } from '../common/logger.js';
import { loadDialect } from '../iso8583/dialect-loader.js';
import type { Dialect } from '../iso8583/dialect-types.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { AlreadyExistsError, NotFoundError, ProxyInputError, ProxyListenError } from './errors.js';
import type { MessageTap } from './message-stage.js';
import { MessageFaults, type MessageFaultInput, type MessageFaultSpec } from './message-fault.js';
import { PcapRecorder } from './pcap-recorder.js';
import { PcapWriter } from './pcap-writer.js';
import { ProxyConnection, type ConnectionOwner } from './proxy-connection.js';
import { ProxyJournal, type ProxyJournalOptions } from './proxy-journal.js';
import { normalizeToxic, updateToxicSpec, type ToxicInput, type ToxicSpec } from './toxic-registry.js';
import { seededRandom } from '../common/seeded-random.js';

const log = createLogger('payhil:net');
const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

export interface ProxyOptions {
  /** Name in the control API and journal. Default `payhil`. */
  readonly name?: string;
  /** `HOST:PORT` to listen on; port 0 picks a free port. Default `127.0.0.1:0`. */
  readonly listen?: string | HostPort;
  /** `HOST:PORT` of the host (simulator or real acquirer test host). */
  readonly upstream: string | HostPort;
  /** Dialect name or file (or a loaded Dialect): frames are decoded into the journal and message faults work. */
  readonly dialect?: string | Dialect;
  /** Default true. A disabled proxy does not listen. */
  readonly enabled?: boolean;
  /** Journal options, or a journal to share. */
  readonly journal?: ProxyJournalOptions | ProxyJournal;
  /** Write a pcap of the run's traffic to this file (or into a PcapWriter). */
  readonly pcap?: string | PcapWriter;
  /** Seed for the random draws (jitter, toxicity, slicer, corrupt), for reproducible runs. */
  readonly seed?: number;
  /**
   * Without a dialect, journal each chunk as raw bytes. Default false. Without a dialect the proxy
   * cannot tell which bytes are track data, PIN blocks or keys, so an entry shows only the chunk's
   * length unless `spyRawUnmasked` is set.
   */
  readonly spyRaw?: boolean;
  /** Sees every decoded frame unmasked (with a dialect): the tap of `payhil record` (message-stage.ts). */
  readonly onMessage?: MessageTap;
  /** With `spyRaw`: show each chunk's first bytes as hex as they are (PAN-like digit runs masked 6/4 only). Default false. */
  readonly spyRawUnmasked?: boolean;
  /** Clock of toxic and message-fault delays. Default real time (the embedded bench passes its own). */
  readonly clock?: Clock;
}

/** The JSON shape of a proxy in the control API (Toxiproxy's). */
export interface ProxyView {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: ToxicSpec[];
}

/**
 * A fault-injecting, decoding TCP proxy: listens for terminals, connects each to the upstream host,
 * passes bytes through the toxics of each direction and the message-fault/spy stage (with a dialect),
 * journals everything and optionally writes a pcap. Toxics follow Toxiproxy's semantics and names.
 */
export class Proxy implements ConnectionOwner {
  readonly name: string;
  readonly journal: ProxyJournal;
  readonly dialect: Dialect | undefined;
  readonly faults: MessageFaults;
  readonly recorder: PcapRecorder | undefined;
  readonly spyRaw: boolean;
  readonly spyRawUnmasked: boolean;
  readonly onMessage: MessageTap | undefined;
  private listenAt: HostPort;
  private upstreamAt: HostPort;
  private wantEnabled: boolean;
  private server: Server | undefined;
  private toxics: ToxicSpec[] = [];
  private readonly conns = new Map<number, ProxyConnection>();
  private readonly pending = new Set<Socket>();
  private nextConn = 0;
  private rand: () => number;
  readonly clock: Clock;
  private closed = false;
  private ownJournal: boolean;
  /** Serialises listener changes. */
  private chain: Promise<void> = Promise.resolve();

  constructor(options: ProxyOptions) {
    this.name = options.name ?? 'payhil';
    this.listenAt =
      typeof options.listen === 'object'
        ? options.listen
        : parseHostPort(options.listen ?? '127.0.0.1:0', 'listen');
    this.upstreamAt =
      typeof options.upstream === 'object' ? options.upstream : parseHostPort(options.upstream, 'upstream');
    this.dialect = typeof options.dialect === 'string' ? loadDialect(options.dialect) : options.dialect;
    this.wantEnabled = options.enabled ?? true;
    this.ownJournal = !(options.journal instanceof ProxyJournal);
    this.journal =
      options.journal instanceof ProxyJournal
        ? options.journal
        : new ProxyJournal(this.name, { ...options.journal, now: () => this.clock.now() });
    this.faults = new MessageFaults(this.dialect);
    this.faults.onChange = () => {
      for (const c of this.conns.values()) c.faultsChanged();
    };
    const pcap = options.pcap;
    this.recorder =
      pcap === undefined
        ? undefined
        : new PcapRecorder(typeof pcap === 'string' ? new PcapWriter({ file: pcap }) : pcap, () =>
            this.random(),
          );
    this.rand = options.seed === undefined ? Math.random : seededRandom(options.seed);
    this.clock = options.clock ?? realClock;
    this.spyRaw = options.spyRaw ?? false;
    this.spyRawUnmasked = options.spyRawUnmasked ?? false;
    this.onMessage = options.onMessage;
  }

  random(): number {
    return this.rand();
  }

  /**
   * Draws (jitter, toxicity, slicer sizes, bit flips, the capture's TCP sequence numbers) from `seed`
   * from now on: the embedded bench reseeds its proxy per scenario.
   */
  reseed(seed: number): void {
    this.rand = seededRandom(seed);
  }

  /** `HOST:PORT` the proxy listens on (the real port once listening). */
  get listen(): string {
    return formatHostPort(this.listenAt);
  }

  get upstream(): string {
    return formatHostPort(this.upstreamAt);
  }

  /** Enabled as configured (the `down` toxic may still keep it down). */
  get enabled(): boolean {
    return this.wantEnabled;
  }

  /** Whether the listener is open now. */
  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** The bound address (after start). */
  address(): HostPort {
    return this.listenAt;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.conns.size;
  }

  toxicList(): readonly ToxicSpec[] {
    return this.toxics;
  }

  private shouldListen(): boolean {
    return !this.closed && this.wantEnabled && !this.toxics.some((t) => t.type === 'down');
  }

  /** Opens or closes the listener to match the configuration. */
  private sync(): Promise<void> {
    const run = async (): Promise<void> => {
      const want = this.shouldListen();
      if (want && !this.server) await this.openListener();
      else if (!want && this.server) await this.closeListener(this.closed ? 'proxy-closed' : 'proxy-down');
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async openListener(): Promise<void> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(c));
    server.on('error', (e) => log('proxy %s listener error %s', this.name, e.message));
    try {
      server.listen(this.listenAt.port, this.listenAt.host);
      await once(server, 'listening');
    } catch (e) {
      throw new ProxyListenError(this.listen, e);
    }
    const a = server.address() as AddressInfo;
    this.listenAt = { host: this.listenAt.host, port: a.port };
    this.server = server;
    this.journal.record({ kind: 'proxy', action: 'enabled', detail: this.listen });
  }

  private async closeListener(reason: string): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    for (const c of [...this.conns.values()]) c.close(reason);
    await closed;
    this.journal.record({ kind: 'proxy', action: 'disabled', detail: reason });
  }

  private accept(client: Socket): void {
    if (!this.shouldListen()) {
      client.destroy();
      return;
    }
    const id = ++this.nextConn;
    this.pending.add(client);
    const upstream = connect({ host: this.upstreamAt.host, port: this.upstreamAt.port, allowHalfOpen: true });
    // A host that never answers the SYN must not hold the terminal for the OS's two-minute connect timeout.
    upstream.setTimeout(UPSTREAM_CONNECT_TIMEOUT_MS, () =>
      upstream.destroy(new Error('upstream connect timed out')),
    );
    const failEarly = (e: Error): void => {
      this.pending.delete(client);
      this.journal.record({ kind: 'close', conn: id, reason: 'upstream-error', error: e.message });
      client.destroy();
    };
    client.on('error', () => undefined);
    upstream.once('error', failEarly);
    client.once('close', () => {
      if (this.pending.delete(client)) upstream.destroy();
    });
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      upstream.off('error', failEarly);
      upstream.on('error', () => undefined);
      if (!this.pending.delete(client)) {
        upstream.destroy();
        return;
      }
      const conn = new ProxyConnection(id, client, upstream, this);
      this.conns.set(id, conn);
      conn.start();
      client.resume();
    });
  }

  connectionClosed(conn: ProxyConnection): void {
    this.conns.delete(conn.id);
  }

  /** Starts listening (if enabled). */
  async start(): Promise<this> {
    this.journal.record({ kind: 'proxy', action: 'started', detail: `${this.listen} → ${this.upstream}` });
    await this.sync();
    return this;
  }

  // ---- toxics -------------------------------------------------------------------------------------

  listToxics(): ToxicSpec[] {
    return [...this.toxics];
  }

  getToxic(name: string): ToxicSpec {
    const t = this.toxics.find((x) => x.name === name);
    if (!t) throw new NotFoundError('toxic', name);
    return t;
  }

  /** Adds a toxic (Toxiproxy defaults: stream downstream, toxicity 1, name TYPE_STREAM). */
  async addToxic(input: ToxicInput | Record<string, unknown>): Promise<ToxicSpec> {
    const spec = normalizeToxic(input);
    if (this.toxics.some((t) => t.name === spec.name)) throw new AlreadyExistsError('toxic', spec.name);
    this.toxics.push(spec);
    this.journal.record({ kind: 'toxic', action: 'added', toxic: spec });
    for (const c of this.conns.values()) c.addToxic(spec);
    if (spec.type === 'down') await this.sync();
    return spec;
  }

  /** Updates attributes (merged) and/or toxicity of a toxic. */
  async updateToxic(name: string, input: Partial<ToxicInput> | Record<string, unknown>): Promise<ToxicSpec> {
    const i = this.toxics.findIndex((x) => x.name === name);
    if (i < 0) throw new NotFoundError('toxic', name);
    const before = this.toxics[i] as ToxicSpec;
    const after = updateToxicSpec(before, input);
    this.toxics[i] = after;
    this.journal.record({ kind: 'toxic', action: 'updated', toxic: after });
    for (const c of this.conns.values()) c.updateToxic(before, after);
    return after;
  }

  /** Removes a toxic; data it held on open connections goes on at once. */
  async removeToxic(name: string): Promise<void> {
    const i = this.toxics.findIndex((x) => x.name === name);
    if (i < 0) throw new NotFoundError('toxic', name);
    const spec = this.toxics[i] as ToxicSpec;
    this.toxics.splice(i, 1);
    for (const c of this.conns.values()) c.removeToxic(spec);
    this.journal.record({ kind: 'toxic', action: 'removed', toxic: spec });
    if (spec.type === 'down') await this.sync();
  }

  // ---- message faults ------------------------------------------------------------------------------

  /** Adds a message-aware fault (needs a dialect). */
  addFault(input: MessageFaultInput | Record<string, unknown>): MessageFaultSpec {
    if (!this.dialect)
      throw new ProxyInputError(`proxy ${this.name} has no dialect: message faults need one`, {
        field: 'dialect',
      });
    const f = this.faults.add(input);
    this.journal.record({ kind: 'fault', action: 'added', fault: f });
    return f;
  }

  removeFault(name: string): void {
    this.faults.remove(name);
    this.journal.record({ kind: 'fault', action: 'removed', fault: { name } });
  }

  /** Removes every toxic and message fault and re-enables the proxy (Toxiproxy's /reset). */
  async reset(): Promise<void> {
    for (const t of [...this.toxics].reverse()) await this.removeToxic(t.name);
    if (this.faults.list().length > 0) this.faults.clear();
    this.wantEnabled = true;
    await this.sync();
  }

  /** Enables (listen) or disables (close listener and connections) the proxy. */
  async setEnabled(enabled: boolean): Promise<void> {
    this.wantEnabled = enabled;
    await this.sync();
  }

  /** Changes listen address, upstream or enabled (Toxiproxy's proxy update). */
  async update(input: { listen?: string; upstream?: string; enabled?: boolean }): Promise<void> {
    if (input.enabled !== undefined && typeof input.enabled !== 'boolean') {
      throw new ProxyInputError('enabled must be true or false', { field: 'enabled' });
    }
    const listen = input.listen === undefined ? undefined : parseHostPort(input.listen, 'listen');
    const upstream = input.upstream === undefined ? undefined : parseHostPort(input.upstream, 'upstream');
    if (upstream) this.upstreamAt = upstream;
    if (
      listen &&
      formatHostPort(listen) !== this.listen &&
      !(listen.port === 0 && listen.host === this.listenAt.host)
    ) {
      this.listenAt = listen;
      if (this.server) {
        await this.closeListener('proxy-moved');
        await this.sync();
      }
    }
    if (input.enabled !== undefined) await this.setEnabled(input.enabled);
  }

  /** Stops listening, closes every connection, flushes journal and pcap. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.sync();
    for (const c of [...this.conns.values()]) c.close('proxy-closed');
    this.journal.record({ kind: 'proxy', action: 'closed' });
    if (this.ownJournal) await this.journal.close();
    await this.recorder?.close();
  }

  toJSON(): ProxyView {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.wantEnabled,
      toxics: this.listToxics(),
    };
  }
}

/** Creates and starts a proxy (the in-process API; `proxy.close()` when done). */
export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  return new Proxy(options).start();
}
