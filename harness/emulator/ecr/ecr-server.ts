import { createServer, type Server, type Socket } from 'node:net';
import { createLogger } from '../../common/logger.js';
import { listenOn } from '../listen-on.js';
import type { ByteChannel } from './byte-channel.js';
import { EcrLink, type EcrLinkOptions } from './ecr-link.js';
import {
  ECR_ERROR_CODES,
  type ApduTraceEvent,
  isTestOp,
  type EcrEventBody,
  type EcrRequest,
  type EcrResponse,
  type EcrResult,
} from './ecr-messages.js';
import { EcrConnectionLimitError, EcrError, EcrMessageError, EcrRemoteError } from './errors.js';
import { encodeFrame } from './frame-codec.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { SerialChannel, type SerialChannelOptions } from './serial-channel.js';
import { TcpChannel } from './tcp-channel.js';
import { SERVER_DEFAULTS } from './wire-codes.js';

const log = createLogger('payhil:ecr');

/**
 * What the terminal does with a request. Resolve with the result for the op; throw `EcrRemoteError`
 * with a wire code (BUSY, NO_TRANSACTION, NOT_SUPPORTED…) to refuse. Any other error is answered
 * INTERNAL. Calls may overlap: a purchase is still pending when its key presses and card events arrive.
 */
export type EcrHandler = (request: EcrRequest) => Promise<EcrResult>;

/**
 * What happened to a cash register's connection: attached, closed (`error` says why the terminal gave
 * up on it: retransmissions exhausted, silence, queue full, idle; absent when the peer or the server
 * closed it), or refused over the connection limit.
 */
export type EcrLinkEvent =
  | { readonly type: 'open'; readonly link: string }
  | { readonly type: 'closed'; readonly link: string; readonly error?: EcrError }
  | { readonly type: 'refused'; readonly link: string; readonly error: EcrConnectionLimitError };

/**
 * Options of the terminal side. The link options apply to every link; `closeOnSendFailure` defaults to
 * true here for TCP connections and attached channels (a cash register that stops acknowledging is
 * dropped; it can connect again) and is always false for a serial port (the port stays open for the
 * cash register on the cable; only the failed send is dropped). `idleTimeoutMs` applies to TCP
 * connections only (default `SERVER_DEFAULTS.idleTimeoutMs`; 0 = never).
 */
export interface EcrServerOptions extends EcrLinkOptions {
  readonly handler: EcrHandler;
  /** Accept key, card and powerCycle requests (default true); otherwise they are refused NOT_TEST_MODE. */
  readonly testMode?: boolean;
  /**
   * TCP connections served at once (default `SERVER_DEFAULTS.maxConnections`). One more gets an `error`
   * event TOO_MANY_CONNECTIONS and is closed.
   */
  readonly maxConnections?: number;
  /** Bytes a TCP peer may leave unread before its link is closed (default `SERVER_DEFAULTS.maxUnsentBytes`). */
  readonly maxUnsentBytes?: number;
  /** Called for every link opened, closed or refused (the CLI prints them). */
  readonly onLinkEvent?: (event: EcrLinkEvent) => void;
}

/**
 * The terminal side of the ECR link: answers requests through the handler and pushes events to every
 * attached cash register. One server can serve a serial port, TCP connections and in-memory channels at
 * once. Promise-only.
 */
export class EcrServer {
  private readonly options: EcrServerOptions;
  private readonly links = new Set<EcrLink>();
  private readonly tcpLinks = new Set<EcrLink>();
  /** Links that asked for the card-reader trace (test-mode `trace` with `apdu: true`). */
  private readonly traced = new Set<EcrLink>();
  private readonly tcpServers = new Set<Server>();
  /** Sockets refused over the limit, until they are gone. */
  private readonly refused = new Set<Socket>();
  private isClosed = false;

  constructor(options: EcrServerOptions) {
    this.options = options;
  }

  /** Number of attached links (connected cash registers). */
  get connections(): number {
    return this.links.size;
  }

  /**
   * Serves one channel (an accepted socket, an open serial port, an in-memory end). `idleTimeoutMs`
   * closes the link when nothing is received for that long (default 0: never); `closeOnSendFailure`
   * overrides the server's (default true).
   */
  attach(
    channel: ByteChannel,
    options: { idleTimeoutMs?: number; closeOnSendFailure?: boolean } = {},
  ): EcrLink {
    const link = new EcrLink(channel, {
      ...this.options,
      closeOnSendFailure: options.closeOnSendFailure ?? this.options.closeOnSendFailure ?? true,
      idleTimeoutMs: options.idleTimeoutMs ?? 0,
    });
    this.links.add(link);
    this.emit({ type: 'open', link: link.description });
    link.start(
      (payload) => this.onPayload(link, payload),
      (cause) => {
        this.links.delete(link);
        this.tcpLinks.delete(link);
        this.traced.delete(link);
        this.emit({
          type: 'closed',
          link: link.description,
          ...(cause instanceof EcrError ? { error: cause } : {}),
        });
      },
    );
    return link;
  }

  /** Listens for cash registers on TCP; resolves with the bound address (port 0 picks a free one). */
  async listenTcp(address: { host?: string; port?: number } = {}): Promise<{ host: string; port: number }> {
    const max = this.options.maxConnections ?? SERVER_DEFAULTS.maxConnections;
    const idleTimeoutMs = this.options.idleTimeoutMs ?? SERVER_DEFAULTS.idleTimeoutMs;
    const maxUnsentBytes = this.options.maxUnsentBytes ?? SERVER_DEFAULTS.maxUnsentBytes;
    const server = createServer((socket) => {
      if (this.isClosed) socket.destroy();
      else if (this.tcpLinks.size >= max) this.refuse(socket, max);
      else this.tcpLinks.add(this.attach(new TcpChannel(socket, { maxUnsentBytes }), { idleTimeoutMs }));
    });
    const a = await listenOn(server, address.host ?? '127.0.0.1', address.port ?? 0);
    this.tcpServers.add(server);
    return { host: a.host, port: a.port };
  }

  /** Serves a serial port. Throws `EcrPortNotFoundError` / `EcrPortBusyError` (broken). */
  async openSerial(path: string, options: SerialChannelOptions = {}): Promise<EcrLink> {
    return this.attach(await SerialChannel.open(path, options), { closeOnSendFailure: false });
  }

  /**
   * Pushes an event to every attached cash register; resolves with how many ACKed it. A link that
   * fails (gone, silent) is not an error for the terminal: it just does not count.
   */
  async pushEvent(event: EcrEventBody): Promise<number> {
    const payload = encodeMessage({ ...event, v: 1, kind: 'event' });
    const results = await Promise.allSettled([...this.links].map((l) => l.send(payload)));
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  /**
   * Pushes a card-reader trace event to the links that asked for it (`trace`); resolves with how many
   * ACKed it. Nothing is sent when none asked (the trace never reaches a plain cash register).
   */
  async pushTrace(event: ApduTraceEvent): Promise<number> {
    if (this.traced.size === 0) return 0;
    const payload = encodeMessage({ ...event, v: 1, kind: 'event' });
    const results = await Promise.allSettled([...this.traced].map((l) => l.send(payload)));
    return results.filter((r) => r.status === 'fulfilled').length;
  }

  /**
   * Stops listening and closes every link. Handlers still running are not awaited (a purchase may wait
   * for a card forever); their answers are dropped.
   */
  async close(): Promise<void> {
    this.isClosed = true;
    // net.Server#close calls back only once every connection ended: stop accepting, then close links.
    const stopped = [...this.tcpServers].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.tcpServers.clear();
    for (const s of this.refused) s.destroy();
    await Promise.all([...this.links].map((l) => l.close()));
    await Promise.all(stopped);
    this.links.clear();
    this.tcpLinks.clear();
  }

  /** A connection over the limit: one `error` event (not waiting for its ACK), then closed. */
  private refuse(socket: Socket, max: number): void {
    const where = `tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const error = new EcrConnectionLimitError(where, max);
    socket.on('error', () => undefined);
    this.refused.add(socket);
    socket.once('close', () => this.refused.delete(socket));
    const body = { code: ECR_ERROR_CODES.TOO_MANY_CONNECTIONS, message: error.message };
    socket.end(encodeFrame(0, encodeMessage({ v: 1, kind: 'event', event: 'error', error: body })));
    // A peer that never reads must not keep the socket open.
    setTimeout(() => socket.destroy(), 1000).unref();
    this.emit({ type: 'refused', link: where, error });
  }

  private emit(event: EcrLinkEvent): void {
    log('link', event.type, event.link, event.type !== 'open' ? (event.error?.message ?? '') : '');
    try {
      this.options.onLinkEvent?.(event);
    } catch (e) {
      log('link event listener threw', (e as Error).message);
    }
  }

  private onPayload(link: EcrLink, payload: Buffer): void {
    this.answer(link, payload).catch((e: unknown) => log('answer failed', (e as Error).message));
  }

  private async answer(link: EcrLink, payload: Buffer): Promise<void> {
    let request: EcrRequest;
    try {
      const msg = decodeMessage(payload);
      if (msg.kind !== 'request') throw new EcrMessageError('kind', 'a cash register sends requests only');
      request = msg;
    } catch (e) {
      const err = e instanceof EcrMessageError ? e : new EcrMessageError('', String(e));
      const body = { code: err.wireCode, message: err.message };
      // Without an id the refusal cannot be correlated: it goes out as an error event.
      const reply =
        err.id !== undefined
          ? ({ v: 1, kind: 'response', id: err.id, op: err.op ?? '', ok: false, error: body } as const)
          : ({ v: 1, kind: 'event', event: 'error', error: body } as const);
      await link.send(encodeMessage(reply));
      return;
    }
    let response: EcrResponse;
    const refuse = (code: string, message: string): EcrResponse => ({
      v: 1,
      kind: 'response',
      id: request.id,
      op: request.op,
      ok: false,
      error: { code, message },
    });
    if (isTestOp(request.op) && this.options.testMode === false) {
      response = refuse(ECR_ERROR_CODES.NOT_TEST_MODE, `${request.op} needs a terminal in test mode`);
    } else if (request.op === 'trace') {
      // Link-level: which cash register gets the trace is the link's business, not the terminal's.
      if (request.apdu) this.traced.add(link);
      else this.traced.delete(link);
      response = { v: 1, kind: 'response', id: request.id, op: request.op, ok: true, result: {} };
    } else {
      try {
        const result = await this.options.handler(request);
        response = { v: 1, kind: 'response', id: request.id, op: request.op, ok: true, result };
      } catch (e) {
        response =
          e instanceof EcrRemoteError
            ? refuse(e.remoteCode, e.detail)
            : refuse(ECR_ERROR_CODES.INTERNAL, e instanceof Error ? e.message : String(e));
      }
    }
    if (!link.closed) await link.send(encodeMessage(response));
  }
}
