/**
 * The emulator's ZVT way in (`payhil emulator --zvt tcp:HOST:PORT | serial:PATH`): the terminal side of
 * ZVT (PA00P015). The cash register connects (TCP, default port 20007 on real terminals) or sits on the
 * serial cable; each connection gets a `ZvtTerminalSession`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createLogger } from '../../common/logger.js';
import { listenOn } from '../listen-on.js';
import { DEFAULT_PASSWORD, ZvtLink, type ZvtError } from '../../zvt/index.js';
import { SerialChannel, TcpChannel, type SerialChannelOptions } from '../ecr/index.js';
import type { EmulatedTerminal } from '../emulated-terminal.js';
import type { TerminalEvents } from '../terminal-events.js';
import { ZvtTerminalSession, type ReceiptBook } from './zvt-terminal-session.js';

const log = createLogger('payhil:emulator:zvt');

export interface ZvtServerOptions {
  terminal: () => EmulatedTerminal;
  events: TerminalEvents;
  /** The password commands carry (default 123456, as in the spec's examples). */
  password?: string;
  /** How long the terminal waits for the cash register's ACK of each message (ms). Default 5 000. */
  ackTimeoutMs?: number;
  /** Cash registers served at once over TCP (default `ZVT_SERVER_DEFAULTS.maxConnections`); one more is closed at once. */
  maxConnections?: number;
  /**
   * A TCP cash register that sent nothing for this long is disconnected (ms; default
   * `ZVT_SERVER_DEFAULTS.idleTimeoutMs`; 0 = never), so silent connections cannot hold the slots.
   */
  idleTimeoutMs?: number;
  /** Called when a link opens, closes or is refused, and for input that could not be read. */
  onLinkEvent?: (e: {
    type: 'open' | 'closed' | 'refused' | 'bad-input';
    link: string;
    detail?: string;
  }) => void;
}

/** Limits of the ZVT TCP server. */
export const ZVT_SERVER_DEFAULTS = {
  /** Cash registers served at once over TCP. */
  maxConnections: 4,
  /** A TCP link with nothing received for this long is closed (ms). */
  idleTimeoutMs: 15 * 60_000,
} as const;

export class ZvtServer {
  private readonly servers: Server[] = [];
  private readonly links = new Set<ZvtLink>();
  private readonly receipts: ReceiptBook = new Map();

  constructor(private readonly options: ZvtServerOptions) {}

  /** Listens on TCP; resolves with the bound address (port 0 = any free port). */
  async listenTcp(address: { host: string; port: number }): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => this.accept(socket));
    const a = await listenOn(server, address.host, address.port);
    this.servers.push(server);
    return { host: a.host, port: a.port };
  }

  /** Serves the cash register on a serial port (8N1). */
  async openSerial(path: string, options: SerialChannelOptions = {}): Promise<void> {
    const channel = await SerialChannel.open(path, options);
    this.serve(new ZvtLink(channel, this.linkOptions('serial', channel.description)), channel.description);
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    this.servers.length = 0;
    await Promise.all([...this.links].map((l) => l.close()));
  }

  private accept(socket: Socket): void {
    const channel = new TcpChannel(socket, { maxUnsentBytes: 1 << 20 });
    const max = this.options.maxConnections ?? ZVT_SERVER_DEFAULTS.maxConnections;
    if (this.links.size >= max) {
      log('refused %s: too many cash registers', channel.description);
      this.options.onLinkEvent?.({
        type: 'refused',
        link: channel.description,
        detail: `${max} cash registers served already`,
      });
      socket.destroy();
      return;
    }
    const idleMs = this.options.idleTimeoutMs ?? ZVT_SERVER_DEFAULTS.idleTimeoutMs;
    if (idleMs > 0) {
      // Nothing received for idleMs: the slot goes back (the session ends as the socket closes).
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          log('closing %s: nothing received for %d ms', channel.description, idleMs);
          this.options.onLinkEvent?.({
            type: 'closed',
            link: channel.description,
            detail: `idle: nothing received for ${idleMs} ms`,
          });
          socket.destroy();
        }, idleMs);
      };
      arm();
      socket.on('data', arm);
      socket.once('close', () => clearTimeout(timer));
    }
    this.serve(new ZvtLink(channel, this.linkOptions('tcp', channel.description)), channel.description);
  }

  private linkOptions(transport: 'tcp' | 'serial', name: string) {
    return {
      transport,
      onBadInput: (e: ZvtError) =>
        this.options.onLinkEvent?.({ type: 'bad-input', link: name, detail: e.message }),
    } as const;
  }

  private serve(link: ZvtLink, name: string): void {
    this.links.add(link);
    this.options.onLinkEvent?.({ type: 'open', link: name });
    const session = new ZvtTerminalSession(link, {
      terminal: this.options.terminal,
      events: this.options.events,
      password: this.options.password ?? DEFAULT_PASSWORD,
      ackTimeoutMs: this.options.ackTimeoutMs ?? 5000,
      receipts: this.receipts,
    });
    void session.serve().finally(() => {
      this.links.delete(link);
      this.options.onLinkEvent?.({ type: 'closed', link: name });
    });
  }
}
