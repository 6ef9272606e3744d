/**
 * One sale system's HTTP client of a nexo POI: POST a message to `/nexo` and read the answer, and poll
 * payhil's `/nexo/notifications` extension. Every call is bounded by its timeout.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { encodeNexo, parseNexo, type NexoMessage } from '../../nexo/index.js';

/** Largest answer read (bytes). */
const MAX_ANSWER = 1024 * 1024;

export interface NexoClientOptions {
  /** The POI's endpoint, e.g. `http://127.0.0.1:4100/nexo` or `https://10.0.0.7:8443/nexo`. */
  url: string;
  /** PEM of the CA (or self-signed certificate) an HTTPS terminal's certificate is checked against. */
  ca?: string | Buffer;
}

/** What went wrong with one HTTP exchange. */
/** Socket errors of a connection that never opened: the request did not reach the terminal. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** A kept-alive connection found closed when the request was written on it. */
const STALE = new Set(['ECONNRESET', 'EPIPE']);

/** The request went out on a kept-alive connection the peer had closed: it never reached the terminal. */
class StaleSocketError extends Error {}

export class NexoHttpError extends Error {
  constructor(
    message: string,
    /**
     * `timeout` (no answer in time), `unreachable` (connection refused, no route: the request never left),
     * `network` (reset, closed mid-exchange), `status` (an HTTP error answer), `format`.
     */
    readonly kind: 'timeout' | 'unreachable' | 'network' | 'status' | 'format',
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
  }
}

export class NexoClient {
  constructor(private readonly options: NexoClientOptions) {}

  get url(): string {
    return this.options.url;
  }

  /** Sends `m`; resolves with the answer (undefined for an empty answer, e.g. to an AbortRequest). */
  async send(m: NexoMessage, timeoutMs: number): Promise<NexoMessage | undefined> {
    const r = await this.exchange('POST', this.options.url, encodeNexo(m), timeoutMs);
    if (r.status !== 200) throw new NexoHttpError(`HTTP ${r.status}`, 'status', r.status, r.body);
    if (r.body === '') return undefined;
    try {
      return parseNexo(r.body);
    } catch (e) {
      throw new NexoHttpError(`the answer is not a nexo message: ${(e as Error).message}`, 'format');
    }
  }

  /** payhil's notifications poll: messages after `after`, waiting up to `waitMs` on the POI. */
  async poll(
    after: number,
    waitMs: number,
  ): Promise<{ next: number; lost: number; messages: NexoMessage[] }> {
    const r = await this.exchange(
      'GET',
      `${this.options.url}/notifications?after=${after}&wait=${waitMs}`,
      undefined,
      waitMs + 5000,
    );
    if (r.status !== 200) throw new NexoHttpError(`HTTP ${r.status}`, 'status', r.status, r.body);
    let v: { next?: unknown; lost?: unknown; messages?: unknown };
    try {
      v = JSON.parse(r.body) as typeof v;
    } catch (e) {
      throw new NexoHttpError(`notifications: not JSON: ${(e as Error).message}`, 'format');
    }
    if (typeof v.next !== 'number' || !Array.isArray(v.messages))
      throw new NexoHttpError('notifications: no next/messages', 'format');
    const messages = v.messages.map((m) => parseNexo(JSON.stringify(m)));
    return { next: v.next, lost: typeof v.lost === 'number' ? v.lost : 0, messages };
  }

  /**
   * One HTTP exchange. A request written on a kept-alive connection the terminal had closed meanwhile
   * (`reusedSocket`, reset before any answer) never reached it: it is sent once more on a fresh
   * connection (the pattern of Node's http documentation), so a terminal that went away is told apart
   * from a lost answer (`unreachable`, not `network`).
   */
  private async exchange(
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; body: string }> {
    try {
      return await this.exchangeOnce(method, url, body, timeoutMs);
    } catch (e) {
      if (e instanceof StaleSocketError) return this.exchangeOnce(method, url, body, timeoutMs);
      throw e;
    }
  }

  private exchangeOnce(
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
    timeoutMs: number,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const make = u.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (err: Error | undefined, v?: { status: number; body: string }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(v as { status: number; body: string });
      };
      const req = make(
        u,
        {
          method,
          headers:
            body !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
              : {},
          ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_ANSWER)
              finish(new NexoHttpError(`answer larger than ${MAX_ANSWER} bytes`, 'format'));
            else chunks.push(c);
          });
          res.on('end', () =>
            finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', (e) => finish(new NexoHttpError(e.message, 'network')));
        },
      );
      const timer = setTimeout(
        () => finish(new NexoHttpError(`no answer within ${timeoutMs} ms`, 'timeout')),
        timeoutMs,
      );
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', (e: NodeJS.ErrnoException) =>
        finish(
          req.reusedSocket && !answered && STALE.has(e.code ?? '')
            ? new StaleSocketError(e.message)
            : new NexoHttpError(e.message, UNREACHABLE.has(e.code ?? '') ? 'unreachable' : 'network'),
        ),
      );
      req.end(body);
    });
  }
}
