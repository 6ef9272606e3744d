/**
 * Test helpers for the proxy (used by harness/net tests and test/e2e/proxy-*.test.ts): TCP servers on
 * 127.0.0.1 port 0 and clients that collect what they receive. Not part of the public API.
 */
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TestServer {
  readonly port: number;
  readonly server: Server;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A server on 127.0.0.1:0 whose connections go to `onConnection` (half-open allowed). */
export async function startServer(onConnection: (s: Socket) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    server,
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes everything back; ends when the client ends. */
export function startEchoServer(): Promise<TestServer> {
  return startServer((s) => {
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
  });
}

/** A client socket with everything it receives collected. */
export interface TestClient {
  readonly socket: Socket;
  readonly chunks: Buffer[];
  received(): Buffer;
  /** Resolves when at least `n` bytes have arrived (rejects on close before that or after `ms`). */
  waitFor(n: number, ms?: number): Promise<Buffer>;
  /** Resolves when the peer has closed: `end` (FIN) or the error code (ECONNRESET…). */
  closed: Promise<{ how: 'end' | 'error'; code?: string; at: number }>;
}

export async function connectClient(port: number, host = '127.0.0.1'): Promise<TestClient> {
  const socket = connect({ port, host, allowHalfOpen: true });
  socket.setNoDelay(true);
  const chunks: Buffer[] = [];
  let total = 0;
  const waiters: { n: number; resolve: (b: Buffer) => void }[] = [];
  const received = (): Buffer => Buffer.concat(chunks);
  socket.on('data', (d: Buffer) => {
    chunks.push(d);
    total += d.length;
    for (const w of [...waiters]) {
      if (total >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(received());
      }
    }
  });
  const closed = new Promise<{ how: 'end' | 'error'; code?: string; at: number }>((resolve) => {
    socket.once('end', () => resolve({ how: 'end', at: performance.now() }));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      resolve({ how: 'error', code: e.code ?? e.message, at: performance.now() }),
    );
    socket.once('close', () => resolve({ how: 'end', at: performance.now() }));
  });
  await once(socket, 'connect');
  return {
    socket,
    chunks,
    received,
    closed,
    waitFor: (n, ms = 10_000) =>
      new Promise<Buffer>((resolve, reject) => {
        if (total >= n) return resolve(received());
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${n} bytes (got ${total})`)),
          ms,
        );
        closed.then((c) => {
          if (total < n) {
            clearTimeout(timer);
            reject(new Error(`connection closed (${c.how} ${c.code ?? ''}) after ${total} of ${n} bytes`));
          }
        });
        waiters.push({
          n,
          resolve: (b) => {
            clearTimeout(timer);
            resolve(b);
          },
        });
      }),
  };
}

/** Milliseconds to run `fn`. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
