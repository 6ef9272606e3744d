import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../common/logger.js';
import { isPayhilError } from '../common/payhil-error.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { ProxyInputError, ProxyListenError } from './errors.js';
import type { ProxyCollection } from './proxy-collection.js';
import type { Proxy } from './proxy.js';

const log = createLogger('payhil:net:api');

/** The Toxiproxy API version this server speaks (reported by GET /version). */
export const TOXIPROXY_API_VERSION = '2.12.0';
const MAX_BODY = 1024 * 1024;

/** A running control API. */
export interface ControlApi {
  /** `http://HOST:PORT` */
  readonly url: string;
  readonly address: HostPort;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage, optional = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large (limit 1 MiB)', '(body)');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') {
    if (optional) return {};
    throw new HttpError(400, 'bad request body: empty', '(body)');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `bad request body: ${(e as Error).message}`, '(body)');
  }
}

function proxyView(p: Proxy): unknown {
  return p.toJSON();
}

/**
 * HTTP control API compatible with Toxiproxy's (so toxiproxy-node-client and toxiproxy-cli drive it):
 * `GET/POST /proxies`, `POST /populate`, `GET/POST/PATCH/DELETE /proxies/{name}`,
 * `GET/POST /proxies/{name}/toxics`, `GET/POST/PATCH/DELETE /proxies/{name}/toxics/{toxic}`,
 * `POST /reset`, `GET /version`. payhil's own: `GET/POST /payhil/proxies/{name}/faults`,
 * `GET/DELETE /payhil/proxies/{name}/faults/{fault}`, `GET /payhil/proxies/{name}/journal?after=SEQ`.
 * Errors are JSON `{error, status, field?}`; requests from browsers (User-Agent `Mozilla/…`) are refused
 * with 403, as Toxiproxy does, so a web page cannot drive the lab.
 */
export async function startControlApi(
  collection: ProxyCollection,
  listen: string | HostPort = '127.0.0.1:8474',
): Promise<ControlApi> {
  const at = typeof listen === 'string' ? parseHostPort(listen, 'api') : listen;
  const server: Server = createServer((req, res) => {
    handle(collection, req, res).catch((e: unknown) => {
      const { status, body } = errorBody(e);
      if (status >= 500) log('API %s %s failed: %s', req.method, req.url, (e as Error).message);
      if (!res.headersSent) send(res, status, body);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;
  try {
    server.listen(at.port, at.host);
    await once(server, 'listening');
  } catch (e) {
    throw new ProxyListenError(formatHostPort(at), e);
  }
  const a = server.address() as AddressInfo;
  const address = { host: at.host, port: a.port };
  return {
    url: `http://${formatHostPort(address)}`,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function errorBody(e: unknown): { status: number; body: { error: string; status: number; field?: string } } {
  if (e instanceof HttpError)
    return {
      status: e.status,
      body: { error: e.message, status: e.status, ...(e.field ? { field: e.field } : {}) },
    };
  if (e instanceof ProxyInputError) {
    return {
      status: e.status,
      body: { error: e.message, status: e.status, ...(e.field ? { field: e.field } : {}) },
    };
  }
  if (e instanceof ProxyListenError)
    return { status: 409, body: { error: e.message, status: 409, field: 'listen' } };
  if (isPayhilError(e) && e.verdict === 'usage')
    return { status: 400, body: { error: e.message, status: 400 } };
  return { status: 500, body: { error: (e as Error)?.message ?? String(e), status: 500 } };
}

async function handle(c: ProxyCollection, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/'))
    throw new HttpError(403, 'User agent not allowed');
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        throw new HttpError(400, 'malformed path: bad percent-encoding', '(path)');
      }
    });
  const method = req.method ?? 'GET';
  const route = (m: string[], handlers: Record<string, () => Promise<void>>): Promise<void> => {
    const h = handlers[method] ?? (method === 'PATCH' ? handlers.POST : undefined);
    if (!h) throw new HttpError(405, `method ${method} not allowed on /${m.join('/')}`);
    return h();
  };

  const [a, b, cc, d, e] = parts;
  if (parts.length === 1 && a === 'version') {
    return route(parts, {
      GET: async () => send(res, 200, { version: TOXIPROXY_API_VERSION, server: 'payhil' }),
    });
  }
  if (parts.length === 1 && a === 'reset') {
    return route(parts, { POST: async () => (await c.reset(), send(res, 204)) });
  }
  if (parts.length === 1 && a === 'populate') {
    return route(parts, {
      POST: async () => {
        const proxies = await c.populate(await readJson(req));
        send(res, 201, { proxies: proxies.map(proxyView) });
      },
    });
  }
  if (a === 'proxies') {
    if (parts.length === 1) {
      return route(parts, {
        GET: async () => send(res, 200, Object.fromEntries(c.list().map((p) => [p.name, proxyView(p)]))),
        POST: async () => send(res, 201, proxyView(await c.create(await readJson(req)))),
      });
    }
    const proxy = (): Proxy => c.get(b as string);
    if (parts.length === 2) {
      return route(parts, {
        GET: async () => send(res, 200, proxyView(proxy())),
        POST: async () => {
          const p = proxy();
          const body = (await readJson(req)) as Record<string, unknown>;
          if (typeof body !== 'object' || body === null || Array.isArray(body))
            throw new ProxyInputError('proxy update must be a JSON object', { field: '(body)' });
          for (const k of ['listen', 'upstream'] as const) {
            if (body[k] !== undefined && typeof body[k] !== 'string')
              throw new ProxyInputError(`${k} must be HOST:PORT`, { field: k });
          }
          await p.update(body as { listen?: string; upstream?: string; enabled?: boolean });
          send(res, 200, proxyView(p));
        },
        DELETE: async () => (await c.remove(b as string), send(res, 204)),
      });
    }
    if (cc === 'toxics' && parts.length === 3) {
      return route(parts, {
        GET: async () => send(res, 200, proxy().listToxics()),
        POST: async () =>
          send(res, 200, await proxy().addToxic((await readJson(req)) as Record<string, unknown>)),
      });
    }
    if (cc === 'toxics' && parts.length === 4) {
      return route(parts, {
        GET: async () => send(res, 200, proxy().getToxic(d as string)),
        POST: async () =>
          send(
            res,
            200,
            await proxy().updateToxic(d as string, (await readJson(req)) as Record<string, unknown>),
          ),
        DELETE: async () => (await proxy().removeToxic(d as string), send(res, 204)),
      });
    }
  }
  if (a === 'payhil' && b === 'proxies' && parts.length >= 4) {
    const proxy = c.get(cc as string);
    if (d === 'faults' && parts.length === 4) {
      return route(parts, {
        GET: async () => send(res, 200, proxy.faults.list()),
        POST: async () => {
          send(res, 200, proxy.addFault((await readJson(req)) as Record<string, unknown>));
        },
      });
    }
    if (d === 'faults' && parts.length === 5) {
      return route(parts, {
        GET: async () => send(res, 200, proxy.faults.get(e as string)),
        DELETE: async () => {
          proxy.removeFault(e as string);
          send(res, 204);
        },
      });
    }
    if (d === 'journal' && parts.length === 4) {
      return route(parts, {
        GET: async () => {
          const after = Number(url.searchParams.get('after') ?? '0');
          if (!Number.isInteger(after) || after < 0)
            throw new ProxyInputError('after must be a sequence number', { field: 'after' });
          send(res, 200, proxy.journal.entries(after));
        },
      });
    }
  }
  throw new HttpError(404, `no such endpoint: ${method} ${url.pathname}`);
}
