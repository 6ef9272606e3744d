import type { Socket } from 'node:net';
import type { Clock } from '../common/clock.js';
import { createLogger } from '../common/logger.js';
import type { Dialect } from '../iso8583/dialect-types.js';
import { maskRawHex } from '../iso8583/index.js';
import type { MessageFaults } from './message-fault.js';
import { MessageStage, type MessageTap } from './message-stage.js';
import type { PcapFlow, PcapRecorder } from './pcap-recorder.js';
import type { ProxyJournal } from './proxy-journal.js';
import { toxicDefinitions, type ToxicSpec } from './toxic-registry.js';
import { ToxicLink } from './toxic-link.js';
import {
  NoopStage,
  type EndKind,
  type StageContext,
  type StreamDirection,
  type ToxicStage,
} from './toxic-stage.js';

const log = createLogger('payhil:net');

/** Held bytes in a link above which the source is paused (resumed below half of it). */
const HIGH_WATER = 1024 * 1024;
const MESSAGE_KEY = '#messages';

/** What a connection needs from its proxy. */
export interface ConnectionOwner {
  readonly name: string;
  readonly journal: ProxyJournal;
  readonly dialect: Dialect | undefined;
  readonly faults: MessageFaults;
  readonly recorder: PcapRecorder | undefined;
  /** Raw chunks are journaled when there is no dialect. */
  readonly spyRaw: boolean;
  /** Raw chunks show their bytes (else their length only). */
  readonly spyRawUnmasked: boolean;
  /** The decoded-message tap (ProxyOptions.onMessage), when there is one. */
  readonly onMessage?: MessageTap | undefined;
  toxicList(): readonly ToxicSpec[];
  random(): number;
  /** The proxy's clock (toxic and message-fault delays). */
  readonly clock: Clock;
  connectionClosed(conn: ProxyConnection): void;
}

/** Per-direction plumbing. */
interface Direction {
  readonly dir: StreamDirection;
  readonly source: Socket;
  readonly dest: Socket;
  readonly link: ToxicLink;
  pausedForDest: boolean;
  pausedForHeld: boolean;
  ended: boolean;
}

/**
 * One terminal connection through the proxy: the accepted client socket, the socket to the upstream
 * host, and two toxic links (upstream: client → host, downstream: host → client). Half-closes are passed
 * on (FIN after the data), resets are passed on as resets, back-pressure pauses the reading side.
 */
export class ProxyConnection {
  private up!: Direction;
  private down!: Direction;
  private clientFlow: PcapFlow | undefined;
  private hostFlow: PcapFlow | undefined;
  private finished = false;
  private cutPending = false;
  private readonly rolls = new Map<string, boolean>();
  readonly upstream: Socket;

  constructor(
    readonly id: number,
    readonly client: Socket,
    upstream: Socket,
    private readonly owner: ConnectionOwner,
  ) {
    this.upstream = upstream;
  }

  /** Called once the upstream socket is connected: wires everything and starts reading. */
  start(): void {
    const { client, upstream, owner } = this;
    for (const s of [client, upstream]) s.setNoDelay(true);
    const clientAddr = `${client.remoteAddress}:${client.remotePort}`;
    const upstreamAddr = `${upstream.remoteAddress}:${upstream.remotePort}`;
    owner.journal.record({ kind: 'connect', conn: this.id, client: clientAddr, upstream: upstreamAddr });
    if (owner.recorder) {
      this.clientFlow = owner.recorder.open(
        { address: client.remoteAddress, port: client.remotePort },
        { address: client.localAddress, port: client.localPort },
      );
      this.hostFlow = owner.recorder.open(
        { address: upstream.localAddress, port: upstream.localPort },
        { address: upstream.remoteAddress, port: upstream.remotePort },
      );
    }
    this.up = this.direction('upstream', client, upstream);
    this.down = this.direction('downstream', upstream, client);
    for (const t of owner.toxicList()) this.addToxic(t);
    if (owner.dialect) {
      for (const d of [this.up, this.down]) {
        d.link.prepend(
          MESSAGE_KEY,
          new MessageStage(
            owner.dialect,
            d.dir,
            this.id,
            owner.journal,
            owner.faults,
            () => this.onCut(d),
            owner.onMessage,
          ),
        );
      }
    }
    this.wire(this.up);
    this.wire(this.down);
    client.on('close', (hadError) => this.onSocketClose(client, hadError));
    upstream.on('close', (hadError) => this.onSocketClose(upstream, hadError));
  }

  private direction(dir: StreamDirection, source: Socket, dest: Socket): Direction {
    const d: Direction = {
      dir,
      source,
      dest,
      pausedForDest: false,
      pausedForHeld: false,
      ended: false,
      link: undefined as unknown as ToxicLink,
    };
    const ctx: StageContext = {
      random: () => this.owner.random(),
      clock: this.owner.clock,
      reset: () => this.reset('toxic-reset'),
      released: () => this.flow(d),
    };
    const tail = {
      write: (data: Buffer) => this.deliver(d, data),
      end: (kind: EndKind) => this.deliverEnd(d, kind),
    };
    (d as { link: ToxicLink }).link = new ToxicLink(dir, tail, ctx);
    return d;
  }

  private tap(d: Direction, data: Buffer, atHead: boolean): void {
    // Terminal leg: client→proxy bytes (upstream head), proxy→client bytes (downstream tail).
    // Host leg: proxy→host bytes (upstream tail), host→proxy bytes (downstream head).
    if (d.dir === 'upstream') {
      if (atHead) this.clientFlow?.data(true, data);
      else this.hostFlow?.data(true, data);
    } else if (atHead) this.hostFlow?.data(false, data);
    else this.clientFlow?.data(false, data);
  }

  private wire(d: Direction): void {
    d.source.on('data', (data: Buffer) => {
      if (this.finished) return;
      this.tap(d, data, true);
      if (!this.owner.dialect && this.owner.spyRaw) {
        // No field boundaries without a dialect: track, PIN and key bytes cannot be told apart from the
        // rest, so the masked view withholds the content and keeps the length.
        const unmasked = this.owner.spyRawUnmasked;
        const { hex, truncated } = unmasked
          ? maskRawHex(data, this.owner.journal.hexLimit)
          : { hex: '', truncated: data.length > 0 };
        this.owner.journal.record({
          kind: 'bytes',
          conn: this.id,
          dir: d.dir,
          length: data.length,
          hex,
          truncated,
          reason: unmasked ? 'no dialect, unmasked' : 'no dialect, content withheld',
        });
      }
      d.link.write(data);
      this.flow(d);
    });
    d.source.on('end', () => {
      if (this.finished) return;
      if (d.dir === 'upstream') this.clientFlow?.fin(true);
      else this.hostFlow?.fin(false);
      d.link.end('eof');
    });
    d.source.on('error', (e: NodeJS.ErrnoException) =>
      log('conn %d %s error %s', this.id, d.dir, e.code ?? e.message),
    );
    d.dest.on('drain', () => {
      d.pausedForDest = false;
      this.flow(d);
    });
  }

  /** Pauses or resumes the reading side of a direction. */
  private flow(d: Direction): void {
    if (this.finished) return;
    const held = d.link.held();
    if (held > HIGH_WATER) d.pausedForHeld = true;
    else if (held < HIGH_WATER / 2) d.pausedForHeld = false;
    const pause = d.pausedForDest || d.pausedForHeld;
    if (pause && !d.source.isPaused()) d.source.pause();
    else if (!pause && d.source.isPaused()) d.source.resume();
  }

  private deliver(d: Direction, data: Buffer): void {
    if (this.finished || d.ended || d.dest.destroyed) return;
    this.tap(d, data, false);
    if (!d.dest.write(data)) d.pausedForDest = true;
  }

  private deliverEnd(d: Direction, kind: EndKind): void {
    if (this.finished || d.ended) return;
    if (kind === 'close') {
      this.close(this.cutPending ? 'cut' : 'toxic-close');
      return;
    }
    d.ended = true;
    if (d.dir === 'upstream') this.hostFlow?.fin(true);
    else this.clientFlow?.fin(false);
    d.dest.end();
  }

  private onCut(d: Direction): void {
    // Read nothing more from the side that sent the message; the close follows it through the link.
    this.cutPending = true;
    d.source.pause();
  }

  /** Adds a toxic to the right link (toxicity rolled now for this connection). */
  addToxic(t: ToxicSpec): void {
    if (this.finished || t.type === 'down') return;
    const link = t.stream === 'upstream' ? this.up.link : this.down.link;
    link.append(t.name, this.stage(t), t.attributes);
  }

  private stage(t: ToxicSpec): ToxicStage {
    const on = t.toxicity >= 1 || this.owner.random() < t.toxicity;
    this.rolls.set(t.name, on);
    return on ? toxicDefinitions[t.type].createStage() : new NoopStage();
  }

  updateToxic(before: ToxicSpec, after: ToxicSpec): void {
    if (this.finished || after.type === 'down') return;
    const link = after.stream === 'upstream' ? this.up.link : this.down.link;
    if (before.toxicity !== after.toxicity) link.replace(after.name, this.stage(after), after.attributes);
    else if (this.rolls.get(after.name)) link.configure(after.name, after.attributes);
  }

  removeToxic(t: ToxicSpec): void {
    if (this.finished) return;
    const d = t.stream === 'upstream' ? this.up : this.down;
    d.link.remove(t.name);
    this.rolls.delete(t.name);
  }

  /** Message faults changed: the message stages hold or flush partial frames accordingly. */
  faultsChanged(): void {
    if (this.finished || !this.up) return;
    for (const d of [this.up, this.down]) {
      const stage = d.link.find(MESSAGE_KEY);
      if (stage instanceof MessageStage) stage.refresh();
    }
  }

  /** Abortive close: RST to both peers. */
  reset(reason: string): void {
    if (this.finished) return;
    this.clientFlow?.rst(false);
    this.hostFlow?.rst(true);
    this.finish(reason);
    for (const s of [this.client, this.upstream]) resetSocket(s);
  }

  /** Graceful close of both sides (pending writes flushed, then FIN), e.g. the proxy going down. */
  close(reason: string): void {
    if (this.finished) return;
    this.clientFlow?.fin(false);
    this.hostFlow?.fin(true);
    this.finish(reason);
    for (const s of [this.client, this.upstream]) {
      if (s.destroyed) continue;
      s.end(() => s.destroy());
      // A peer that never reads must not keep the socket forever.
      setTimeout(() => s.destroy(), 2000).unref();
    }
  }

  private onSocketClose(s: Socket, hadError: boolean): void {
    if (this.finished) {
      return;
    }
    const other = s === this.client ? this.upstream : this.client;
    if (hadError) {
      // A peer reset (or a write to a dead peer): pass the reset on.
      if (s === this.client) this.hostFlow?.rst(true);
      else this.clientFlow?.rst(false);
      this.finish('reset');
      resetSocket(other);
      return;
    }
    if (other.destroyed) {
      this.finish('eof');
      return;
    }
    // One side is fully closed; the other may still be flushing held data (latency): let it finish,
    // but the closed side can receive nothing more.
    if (s === this.client) this.down.ended = true;
    else this.up.ended = true;
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.up?.link.dispose();
    this.down?.link.dispose();
    this.owner.journal.record({ kind: 'close', conn: this.id, reason });
    this.owner.connectionClosed(this);
  }

  get closed(): boolean {
    return this.finished;
  }
}

function resetSocket(s: Socket): void {
  if (s.destroyed) return;
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}
