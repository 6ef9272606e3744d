/**
 * The emulator's nexo endpoint (docs/nexo.md), as a terminal of the Adyen Terminal API local integration
 * offers it: the sale system POSTs one `SaleToPOIRequest` to `/nexo` and gets the `SaleToPOIResponse` in
 * the HTTP answer (an AbortRequest gets an empty 200). Plain HTTP, or HTTPS with a configured certificate.
 *
 * payhil's extension for what the terminal says on its own (DisplayRequest, PrintRequest,
 * EventNotification): `GET /nexo/notifications?after=SEQ&wait=MS` answers
 * `{"next": SEQ, "lost": N, "messages": [{"SaleToPOIRequest": …}, …]}` as soon as there is a message after
 * SEQ, or after `wait` ms (at most 25 s) with none.
 *
 * A message that is not valid nexo (not JSON, unknown MessageCategory, a field missing) is answered 400 with
 * an EventNotification `Reject` whose EventDetails names the message and field. Hygiene as the web UI's:
 * `Host` must be an IP address, localhost or an allowed name; an `Origin`, when sent, must be the
 * endpoint's own; bodies are limited to 64 KiB; at most 16 connections.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createLogger } from '../../common/logger.js';
import { encodeNexo, NexoMessageError, nexoRequest, parseNexo, type NexoMessage } from '../../nexo/index.js';
import { NexoBodyTooLargeError, NexoEndpointError, NexoForbiddenHostError } from './errors.js';
import type { NexoPoi } from './nexo-poi.js';
import { hostOriginRefusal, readBodyWithin } from '../http-request-guard.js';
import { listenOn } from '../listen-on.js';

const log = createLogger('payhil:emulator:nexo-server');

const MAX_BODY = 64 * 1024;
const MAX_CONNECTIONS = 16;
/** Longest a notifications poll is held (ms). */
export const NEXO_POLL_MAX_MS = 25_000;

export interface NexoServerOptions {
  poi: NexoPoi;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Host names answered to besides IP addresses and localhost. */
  allowedHosts?: readonly string[];
  /** HTTPS with this certificate and key (PEM); plain HTTP without. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface NexoServerHandle {
  /** e.g. `http://127.0.0.1:4100/nexo`. */
  readonly url: string;
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

/** Starts the nexo endpoint; resolves once it listens. */
export async function startNexoServer(options: NexoServerOptions): Promise<NexoServerHandle> {
  const { poi } = options;
  const allowed = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  const scheme = options.tls ? 'https' : 'http';
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((e: unknown) => {
      if (e instanceof NexoEndpointError)
        return answer(res, e.status, { error: { code: e.code, message: e.message } });
      log('request failed: %s', (e as Error).message);
      answer(res, 500, { error: { code: 'E_NEXO_INTERNAL', message: (e as Error).message } });
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createHttpServer(onRequest);
  server.maxConnections = MAX_CONNECTIONS;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = hostOriginRefusal(req, allowed, scheme);
    if (refused) throw new NexoForbiddenHostError(refused.header, refused.value);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/nexo') {
      if (req.method !== 'POST')
        throw new NexoEndpointError('E_NEXO_METHOD', 405, `${req.method} not allowed on /nexo`);
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json')
        throw new NexoEndpointError('E_NEXO_MEDIA_TYPE', 415, 'send application/json');
      const text = await readBodyWithin(req, MAX_BODY, () => new NexoBodyTooLargeError(MAX_BODY));
      let m: NexoMessage;
      try {
        m = parseNexo(text);
      } catch (e) {
        if (!(e instanceof NexoMessageError)) throw e;
        return answerRaw(res, 400, encodeNexo(reject(poi.poiId, e)));
      }
      const response = await poi.handle(m);
      return answerRaw(res, 200, response ? encodeNexo(response) : '');
    }
    if (url.pathname === '/nexo/notifications') {
      if (req.method !== 'GET')
        throw new NexoEndpointError('E_NEXO_METHOD', 405, `${req.method} not allowed`);
      const after = whole(url.searchParams.get('after'), 0);
      const wait = Math.min(whole(url.searchParams.get('wait'), 0), NEXO_POLL_MAX_MS);
      let gone = false;
      res.once('close', () => (gone = true));
      const { entries, lost } = await poi.notifications(after, wait);
      if (gone) return;
      const next = entries.length
        ? (entries[entries.length - 1]?.seq ?? after)
        : Math.max(after, poi.nextSeq - 1);
      return answerRaw(
        res,
        200,
        `{"next":${next},"lost":${lost},"messages":[${entries.map((e) => encodeNexo(e.message)).join(',')}]}`,
      );
    }
    throw new NexoEndpointError('E_NEXO_NOT_FOUND', 404, `no ${url.pathname.slice(0, 60)} here (POST /nexo)`);
  }

  const a = await listenOn(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    url: `${scheme}://${a.urlHost}:${a.port}/nexo`,
    address: { host: a.host, port: a.port },
    close: async () => {
      poi.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The EventNotification Reject for a message that is not valid nexo. */
function reject(poiId: string, e: NexoMessageError): NexoMessage {
  return nexoRequest(
    'Event',
    { SaleID: 'unknown', POIID: poiId, ServiceID: 'reject' },
    {
      TimeStamp: new Date().toISOString(),
      EventToNotify: 'Reject',
      EventDetails: new URLSearchParams({ code: e.code, message: e.message, field: e.field }).toString(),
    },
  );
}

function whole(v: string | null, fallback: number): number {
  return v !== null && /^\d{1,12}$/.test(v) ? Number(v) : fallback;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  answerRaw(res, status, JSON.stringify(body));
}

function answerRaw(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
