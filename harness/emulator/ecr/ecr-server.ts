import { createServer, type AddressInfo, type Server } from 'node:net';
import { createLogger } from '../../common/logger.js';
import type { ByteChannel } from './byte-channel.js';
import { EcrLink, type EcrLinkOptions } from './ecr-link.js';
import {
  ECR_ERROR_CODES,
  isTestOp,
  type EcrEventBody,
  type EcrRequest,
  type EcrResponse,
  type EcrResult,
} from './ecr-messages.js';
import { EcrMessageError, EcrRemoteError } from './errors.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { SerialChannel, type SerialChannelOptions } from './serial-channel.js';
import { TcpChannel } from './tcp-channel.js';

const log = createLogger('payhil:ecr');

/**
 * What the terminal does with a request. Resolve with the result for the op; throw `EcrRemoteError`
 * with a wire code (BUSY, NO_TRANSACTION, NOT_SUPPORTED…) to refuse. Any other error is answered
 * INTERNAL. Calls may overlap: a purchase is still pending when its key presses and card events arrive.
 */
export type EcrHandler = (request: EcrRequest) => Promise<EcrResult>;

export interface EcrServerOptions extends EcrLinkOptions {
  readonly handler: EcrHandler;
  /** Accept key, card and powerCycle requests (default true); otherwise they are refused NOT_TEST_MODE. */
  readonly testMode?: boolean;
}

/**
 * The terminal side of the ECR link: answers requests through the handler and pushes events to every
 * attached cash register. One server can serve a serial port, TCP connections and in-memory channels at
 * once. Promise-only.
 */
export class EcrServer {
  private readonly options: EcrServerOptions;
  private readonly links = new Set<EcrLink>();
  private readonly tcpServers = new Set<Server>();
  private isClosed = false;

  constructor(options: EcrServerOptions) {
    this.options = options;
  }

  /** Number of attached links (connected cash registers). */
  get connections(): number {
    return this.links.size;
  }

  /** Serves one channel (an accepted socket, an open serial port, an in-memory end). */
  attach(channel: ByteChannel): EcrLink {
    const link = new EcrLink(channel, this.options);
    this.links.add(link);
    link.start(
      (payload) => this.onPayload(link, payload),
      () => this.links.delete(link),
    );
    return link;
  }

  /** Listens for cash registers on TCP; resolves with the bound address (port 0 picks a free one). */
  async listenTcp(address: { host?: string; port?: number } = {}): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => {
      if (this.isClosed) socket.destroy();
      else this.attach(new TcpChannel(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address.port ?? 0, address.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.tcpServers.add(server);
    const a = server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Serves a serial port. Throws `EcrPortNotFoundError` / `EcrPortBusyError` (broken). */
  async openSerial(path: string, options: SerialChannelOptions = {}): Promise<EcrLink> {
    return this.attach(await SerialChannel.open(path, options));
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
   * Stops listening and closes every link. Handlers still running are not awaited (a purchase may wait
   * for a card forever); their answers are dropped.
   */
  async close(): Promise<void> {
    this.isClosed = true;
    // net.Server#close calls back only once every connection ended: stop accepting, then close links.
    const stopped = [...this.tcpServers].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.tcpServers.clear();
    await Promise.all([...this.links].map((l) => l.close()));
    await Promise.all(stopped);
    this.links.clear();
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
