/**
 * The emulator's web UI server (node:http, no framework): `GET /` serves the terminal page, `GET /events`
 * streams the terminal live as Server-Sent Events (a `snapshot` first, then one message per event),
 * `GET /api/state` answers the snapshot as JSON, and `POST /api/request` takes an ECR-shaped request body
 * (docs/ecr-protocol.md) for every action: keys, cards (fixtures of the picker, or inline cards that
 * extend one), card state, transactions, cancel, power cycle. Transactions are answered 202 at once;
 * their outcome arrives as a `result` event.
 *
 * Every request must name the UI by an IP address, `localhost` or an allowed host name in `Host`, and
 * an `Origin`, when sent, must be the UI's own: a page that reaches the UI through DNS rebinding (its
 * own name resolving to 127.0.0.1) or from another origin gets 403.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createLogger } from '../../common/logger.js';
import {
  ECR_KEYS,
  ECR_OPS,
  EcrRemoteError,
  MMDD_PATTERN,
  isTransactionOp,
  type EcrRequestBody,
  type TransactionResult,
} from '../ecr/index.js';
import { toTransactionResult, type EcrTerminalAdapter } from '../ecr-terminal-adapter.js';
import type { TerminalEvent, TerminalEvents } from '../terminal-events.js';
import { hostOriginRefusal, readBodyWithin } from '../http-request-guard.js';
import { listenOn } from '../listen-on.js';
import {
  WebUiBadRequestError,
  WebUiBodyTooLargeError,
  WebUiForbiddenHostError,
  WebUiMediaTypeError,
  WebUiRequestError,
} from './errors.js';
import { renderTerminalPage } from './terminal-page.js';

const log = createLogger('payhil:emulator:web');

/** Largest request body accepted (bytes). */
const MAX_BODY = 16 * 1024;
/** SSE keep-alive comment interval (ms). */
const HEARTBEAT_MS = 15000;

export interface WebUiOptions {
  /** What the page acts on (the same mapping as the ECR link). */
  adapter: EcrTerminalAdapter;
  /** The terminal's event sink (kept across power cycles). */
  events: TerminalEvents;
  /** Where to listen; default 127.0.0.1, port 0 (any free port). */
  host?: string;
  port?: number;
  /** Card fixtures offered in the picker, by name (default: all the adapter's catalogue offers). */
  cards?: readonly string[];
  /**
   * Host names the UI answers to besides IP addresses and `localhost` (e.g. the lab name of the machine
   * when it listens on 0.0.0.0). Any other `Host` is refused 403.
   */
  allowedHosts?: readonly string[];
}

export interface WebUiHandle {
  /** The page's URL, e.g. http://127.0.0.1:40123/ */
  readonly url: string;
  readonly address: { host: string; port: number };
  /** Number of pages following the terminal live. */
  readonly clients: number;
  close(): Promise<void>;
}

/** What a page gets on `/events`: the terminal's events, masked, plus the status where it changes. */
type WebEvent = Record<string, unknown> & { type: string };

/** Starts the web UI; resolves once it listens. */
export async function startWebUi(options: WebUiOptions): Promise<WebUiHandle> {
  const { adapter, events } = options;
  const cards = [...(options.cards ?? adapter.catalogue.names())];
  const allowedHosts = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  const page = renderTerminalPage(`payhil · ${adapter.terminal.profile.name}`);
  const streams = new Set<ServerResponse>();
  let lastResult: TransactionResult | undefined;
  for (const e of events.history()) if (e.type === 'result') lastResult = resultOf(e);

  const status = () => ({
    ...adapter.status(),
    cardSlot: {
      occupied: adapter.terminal.cardSlot.occupied,
      retained: adapter.terminal.cardSlot.retained,
    },
  });
  const snapshot = (): WebEvent => {
    const t = adapter.terminal;
    const p = t.profile;
    return {
      type: 'snapshot',
      profile: {
        name: p.name,
        kind: p.kind,
        language: p.language,
        currencyCode: p.kernel.currencyCode,
        currencyExponent: p.kernel.currencyExponent,
        transactions: p.transactions,
      },
      status: status(),
      display: { lines: [...t.display.lines], key: t.display.key },
      receipt: t.lastReceipt('merchant'),
      lastResult: lastResult ?? null,
      cards,
    };
  };
  const broadcast = (e: WebEvent): void => {
    const chunk = `data: ${JSON.stringify(e)}\n\n`;
    for (const s of streams) s.write(chunk);
  };
  const off = events.on((e) => {
    if (e.type === 'result') lastResult = resultOf(e);
    const w = toWebEvent(e, status);
    if (w) broadcast(w);
  });
  const heartbeat = setInterval(() => {
    for (const s of streams) s.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const server: Server = createServer((req, res) => {
    const why = hostOriginRefusal(req, allowedHosts, 'http');
    const refused = why ? new WebUiForbiddenHostError(why.header, why.value) : undefined;
    if (refused) {
      log('refused', refused.message);
      json(res, refused.status, { error: { code: refused.wireCode, message: refused.message } });
      return;
    }
    route(req, res).catch((e: unknown) => {
      log('request failed', (e as Error).message);
      if (!res.headersSent) json(res, 500, { error: { code: 'INTERNAL', message: (e as Error).message } });
      else res.end();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      });
      res.end(page);
      return;
    }
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(`retry: 1000\ndata: ${JSON.stringify(snapshot())}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'GET' && path === '/api/state') return json(res, 200, snapshot());
    if (req.method === 'POST' && path === '/api/request') return onRequest(req, res);
    if (path === '/api/request' || path === '/api/state' || path === '/events' || path === '/')
      return json(res, 405, { error: { code: 'BAD_REQUEST', message: `${req.method} not allowed` } });
    json(res, 404, { error: { code: 'NOT_FOUND', message: `no ${path}` } });
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: EcrRequestBody;
    try {
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new WebUiMediaTypeError();
      body = parseRequest(
        await readBodyWithin(req, MAX_BODY, () => new WebUiBodyTooLargeError(MAX_BODY)),
        cards,
      );
    } catch (e) {
      if (!(e instanceof WebUiRequestError)) throw e;
      return json(res, e.status, { error: { code: e.wireCode, message: e.message } });
    }
    if (isTransactionOp(body.op)) {
      // The outcome comes as a `result` event; a refusal (BUSY…) as an `error` event.
      adapter.handle(body).catch((e: unknown) => {
        const err = e instanceof EcrRemoteError ? e : undefined;
        broadcast({
          type: 'error',
          code: err?.remoteCode ?? 'INTERNAL',
          message: err?.detail ?? (e as Error).message,
        });
      });
      return json(res, 202, { accepted: true });
    }
    try {
      const result = await adapter.handle(body);
      json(res, 200, { ok: true, result });
    } catch (e) {
      const err = e instanceof EcrRemoteError ? e : undefined;
      const code = err?.remoteCode ?? 'INTERNAL';
      json(res, code === 'INTERNAL' ? 500 : code === 'BAD_REQUEST' || code === 'UNKNOWN_OP' ? 400 : 409, {
        error: { code, message: err?.detail ?? (e as Error).message },
      });
    }
  }

  const a = await listenOn(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return {
    url: `http://${a.urlHost}:${a.port}/`,
    address: { host: a.host, port: a.port },
    get clients() {
      return streams.size;
    },
    async close() {
      off();
      clearInterval(heartbeat);
      for (const s of streams) s.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function resultOf(e: TerminalEvent & { type: 'result' }): TransactionResult {
  return toTransactionResult(
    e.result,
    e.result.transaction === 'completion' ? 'preAuth' : e.result.transaction,
  );
}

/** The page's view of a terminal event (undefined = not shown). APDUs and message fields stay out. */
function toWebEvent(e: TerminalEvent, status: () => unknown): WebEvent | undefined {
  switch (e.type) {
    case 'display':
      return { type: 'display', lines: e.lines, key: e.key };
    case 'state':
      return { type: 'state', state: e.state, previous: e.previous, status: status() };
    case 'receipt':
      return { type: 'receipt', text: e.text, copy: e.copy };
    case 'indicator':
      return {
        type: 'indicator',
        ...(e.beep !== undefined ? { beep: e.beep } : {}),
        ...(e.leds ? { leds: e.leds } : {}),
      };
    case 'result':
      return { type: 'result', result: resultOf(e), status: status() };
    case 'card':
      return {
        type: 'card',
        action: e.action,
        card: e.card,
        ...(e.maskedPan ? { maskedPan: e.maskedPan } : {}),
        status: status(),
      };
    case 'message':
      return {
        type: 'message',
        direction: e.direction,
        mti: e.mti,
        ...(e.responseCode ? { responseCode: e.responseCode } : {}),
      };
    case 'reversal':
      return { type: 'reversal', status: e.status, stan: e.stan, reason: e.reason, terminal: status() };
    case 'device':
      return { type: 'device', device: e.device, condition: e.condition, terminal: status() };
    case 'mode':
      return { type: 'mode', mode: e.mode, terminal: status() };
    case 'host-error':
      return { type: 'host-error', reason: e.reason, mti: e.mti, text: e.text };
    default:
      return undefined;
  }
}

/** A request body: a JSON object with a known `op` (members are checked by the terminal). */
function parseRequest(text: string, cards: readonly string[]): EcrRequestBody {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new WebUiBadRequestError('body is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new WebUiBadRequestError('body must be a JSON object');
  const op = (v as { op?: unknown }).op;
  if (typeof op !== 'string' || !(ECR_OPS as readonly string[]).includes(op))
    throw new WebUiBadRequestError(`unknown op ${JSON.stringify(op)}`);
  const b = v as Record<string, unknown>;
  const amountOps = ['purchase', 'preAuth', 'withdraw', 'refund'];
  if (
    amountOps.includes(op) &&
    (typeof b.amount !== 'number' || !Number.isSafeInteger(b.amount) || b.amount <= 0)
  )
    throw new WebUiBadRequestError('amount must be a positive integer (minor units)');
  if ((op === 'void' || op === 'refund') && (typeof b.originalReference !== 'string' || !b.originalReference))
    throw new WebUiBadRequestError('originalReference is required');
  if (
    b.originalDate !== undefined &&
    (op !== 'refund' || typeof b.originalDate !== 'string' || !MMDD_PATTERN.test(b.originalDate))
  )
    throw new WebUiBadRequestError("originalDate is the MMDD of a refund's original");
  if (
    op === 'key' &&
    (!Array.isArray(b.keys) ||
      b.keys.length === 0 ||
      b.keys.length > 64 ||
      b.keys.some((k) => !(ECR_KEYS as readonly unknown[]).includes(k)))
  )
    throw new WebUiBadRequestError(`keys must be 1 to 64 of ${ECR_KEYS.join(' ')}`);
  if (op === 'card') {
    if (!['insert', 'tap', 'swipe', 'remove'].includes(String(b.action)))
      throw new WebUiBadRequestError('action must be insert, tap, swipe or remove');
    if (b.action !== 'remove') checkCard(b, cards, true);
    if (b.holdMs !== undefined && (typeof b.holdMs !== 'number' || b.holdMs < 0))
      throw new WebUiBadRequestError('holdMs must be a number of milliseconds');
  }
  if (op === 'cardState') checkCard(b, cards, false);
  if (op === 'clock') {
    const given = ['set', 'advance', 'reset'].filter((k) => b[k] !== undefined);
    if (
      given.length !== 1 ||
      (b.set !== undefined && (typeof b.set !== 'string' || b.set.length > 40)) ||
      (b.advance !== undefined &&
        (typeof b.advance !== 'number' || !Number.isFinite(b.advance) || b.advance < 0)) ||
      (b.reset !== undefined && b.reset !== true)
    )
      throw new WebUiBadRequestError(
        'clock takes exactly one of set (ISO 8601), advance (ms >= 0), reset: true',
      );
  }
  return v as EcrRequestBody;
}

/** An inline card's name: no path (the emulator must not take it for a file). */
const INLINE_NAME = /^[^/\\]{1,64}$/u;

/**
 * The card of a card or cardState request. Only the offered fixtures, or an inline card that extends one
 * of them: the page must not make the emulator read arbitrary files.
 */
function checkCard(b: Record<string, unknown>, cards: readonly string[], required: boolean): void {
  if (b.fixture !== undefined) {
    const f = b.fixture as { extends?: unknown } | null;
    if (typeof f !== 'object' || f === null || Array.isArray(f))
      throw new WebUiBadRequestError('fixture must be an inline card object');
    if (typeof f.extends !== 'string' || !cards.includes(f.extends))
      throw new WebUiBadRequestError(`an inline card must extend one of ${cards.join(', ')}`);
    if (typeof b.card !== 'string' || !INLINE_NAME.test(b.card))
      throw new WebUiBadRequestError('card must name the inline card (1 to 64 characters, no path)');
  } else if (b.card !== undefined || required) {
    if (typeof b.card !== 'string' || !cards.includes(b.card))
      throw new WebUiBadRequestError(`card must be one of ${cards.join(', ')}`);
  }
  if (
    b.options !== undefined &&
    (typeof b.options !== 'object' || b.options === null || Array.isArray(b.options))
  )
    throw new WebUiBadRequestError('options must be an object');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
