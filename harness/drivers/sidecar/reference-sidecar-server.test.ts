import { strict as assert } from 'node:assert';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'mocha';
import { SidecarDriver } from './sidecar-driver.js';
import { listenReferenceSidecar } from './reference-sidecar-server.js';

/** A driver's end of the line: what it read, line by line, and whether the sidecar closed it. */
interface Client {
  socket: Socket;
  /** The next JSON line read (rejects when the connection ends first). */
  next(): Promise<Record<string, unknown>>;
  ended: Promise<void>;
}

/** Every connection of the file, both ends: destroyed at the end, whatever a failed test left open. */
const clients: Socket[] = [];

function client(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    clients.push(socket);
    const lines: Record<string, unknown>[] = [];
    const waiters: { resolve: (o: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
    let ended = false;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const o = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
        buffer = buffer.slice(nl + 1);
        const w = waiters.shift();
        if (w) w.resolve(o);
        else lines.push(o);
      }
    });
    const endedP = new Promise<void>((r) =>
      socket.once('close', () => {
        ended = true;
        for (const w of waiters.splice(0)) w.reject(new Error('closed by the sidecar'));
        r();
      }),
    );
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        ended: endedP,
        next: () => {
          const o = lines.shift();
          if (o) return Promise.resolve(o);
          if (ended) return Promise.reject(new Error('closed by the sidecar'));
          return new Promise((res, rej) => waiters.push({ resolve: res, reject: rej }));
        },
      }),
    );
  });
}

const hello = (c: Client, id: number): void =>
  void c.socket.write(`${JSON.stringify({ id, method: 'hello' })}\n`);

describe('reference sidecar on TCP: one driver at a time', function () {
  this.timeout(10_000);
  let server: Server;
  let port: number;
  // The ECR link it would drive: a port that refuses (hello is answered with an error: an answer).
  let refused: number;

  before(async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    refused = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    server = await listenReferenceSidecar(
      { host: '127.0.0.1', port: 0 },
      { ecr: { host: '127.0.0.1', port: refused }, handoverMs: 400 },
    );
    port = (server.address() as AddressInfo).port;
    server.on('connection', (s: Socket) => clients.push(s));
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a driver that connects before the last one is seen gone is served once it is (a reconnect)', async () => {
    const first = await client(port);
    hello(first, 1);
    assert.equal((await first.next()).id, 1);
    // The old code refused the second at once: "one driver at a time; closed".
    const second = await client(port);
    hello(second, 1);
    await new Promise((r) => setTimeout(r, 100));
    first.socket.end();
    const answer = await second.next();
    assert.equal(answer.id, 1, `the hello answered: ${JSON.stringify(answer)}`);
    second.socket.end();
    await second.ended;
  });

  it('a driver still served keeps the sidecar: the newcomer is told and closed after the bound; a third is told at once', async () => {
    const first = await client(port);
    hello(first, 1);
    await first.next();
    const second = await client(port);
    const third = await client(port);
    const told = await third.next();
    assert.match(JSON.stringify(told), /one driver at a time/);
    await third.ended;
    const t0 = Date.now();
    assert.match(JSON.stringify(await second.next()), /one driver at a time/);
    await second.ended;
    assert.ok(Date.now() - t0 >= 250, 'the second waited for the first to go');
    // The first is still served.
    hello(first, 2);
    assert.equal((await first.next()).id, 2);
    first.socket.end();
    await first.ended;
  });

  it('a sidecar driver turned down while another driver is served says why', async () => {
    const first = await client(port);
    hello(first, 1);
    await first.next();
    const d = new SidecarDriver({ host: '127.0.0.1', port }, { requestTimeoutMs: 3000 });
    // The old message: "… channel closed … (waiting for hello (id 1))", no word of why.
    await assert.rejects(d.activate(), (e: Error) => {
      assert.match(e.message, /closed the link before its hello, saying: one driver at a time/);
      return true;
    });
    await d.deactivate();
    first.socket.end();
    await first.ended;
  });
});
