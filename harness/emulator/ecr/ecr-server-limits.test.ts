import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { EcrClient } from './ecr-client.js';
import { EcrLink } from './ecr-link.js';
import type { EcrEvent } from './ecr-messages.js';
import { EcrServer, type EcrLinkEvent } from './ecr-server.js';
import { EcrLinkClosedError } from './errors.js';
import { encodeFrame } from './frame-codec.js';
import { createMemoryChannelPair } from './memory-channel.js';
import { startPtyPair } from './pty-pair.js';
import { TcpChannel } from './tcp-channel.js';
import { LINK_DEFAULTS } from './wire-codes.js';

/** Waits (bounded) until `done()` holds; the assertion that follows says what was expected. */
async function until(done: () => boolean, boundMs = 10_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

const beep = { event: 'indicator', beep: 1 } as const;

/** A TCP client that connects and then never reads, sends or acknowledges anything. */
function silentClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.pause();
      resolve(s);
    });
    s.on('error', reject);
  });
}

describe('ECR server limits (a cash register that stops answering, too many, idle)', function () {
  this.timeout(20_000);
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('holds at most maxQueuedSends frames for a peer that never ACKs, then refuses more', async () => {
    const [near] = createMemoryChannelPair();
    // The far end is never read: nothing ever ACKs.
    const link = new EcrLink(near, { ackTimeoutMs: 60_000, maxQueuedSends: 16 });
    link.start(() => undefined);
    cleanup.push(() => link.close());
    const sends = Array.from({ length: 1000 }, (_, i) => link.send(Buffer.from(`{"n":${i}}`)));
    assert.equal(link.queuedSends, 16, 'the outstanding frame and 15 waiting, no more');
    const settled = await Promise.allSettled(sends.slice(16));
    assert.ok(
      settled.every(
        (r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'E_ECR_SEND_QUEUE_FULL',
      ),
      'every send past the queue is refused at once',
    );
    assert.equal(link.closed, false, 'a client-side link (default) stays open');
    for (const p of sends.slice(0, 16)) p.catch(() => undefined);
  });

  it('closes a link whose peer never ACKs once its retries are spent, with an event saying why', async () => {
    const events: EcrLinkEvent[] = [];
    const server = new EcrServer({
      handler: async () => ({}),
      ackTimeoutMs: 30,
      maxRetransmissions: 1,
      onLinkEvent: (e) => events.push(e),
    });
    cleanup.push(() => server.close());
    const [near] = createMemoryChannelPair();
    const link = server.attach(near);
    assert.equal(await server.pushEvent(beep), 0);
    await until(() => link.closed);
    assert.equal(link.closed, true, 'the terminal gave up on the silent peer');
    assert.equal(server.connections, 0);
    const closed = events.find((e) => e.type === 'closed');
    assert.equal(closed?.type === 'closed' && closed.error?.code, 'E_ECR_LINK_TIMEOUT');
    assert.match(
      (closed?.type === 'closed' && closed.error?.message) || '',
      /no ACK for frame 0 after 2 attempt/,
    );
  });

  it('keeps a serial port open when a send to it fails (the cash register on the cable stays reachable)', async () => {
    const pty = await startPtyPair();
    cleanup.push(() => pty.close());
    const events: EcrLinkEvent[] = [];
    const server = new EcrServer({
      handler: async () => ({}),
      ackTimeoutMs: 30,
      maxRetransmissions: 1,
      onLinkEvent: (e) => events.push(e),
    });
    cleanup.push(() => server.close());
    const link = await server.openSerial(pty.a);
    assert.equal(await server.pushEvent(beep), 0, 'nobody on the other end');
    assert.equal(link.closed, false);
    assert.equal(server.connections, 1);
    const client = await EcrClient.openSerial(pty.b);
    cleanup.push(() => client.close());
    assert.equal(await server.pushEvent(beep), 1, 'a cash register plugged in later gets events');
    assert.deepEqual(
      events.map((e) => e.type),
      ['open'],
    );
  });

  it('drops silent TCP clients (queue full) while an honest one keeps getting every event', async () => {
    const events: EcrLinkEvent[] = [];
    const server = new EcrServer({
      handler: async () => ({}),
      maxConnections: 20,
      onLinkEvent: (e) => events.push(e),
    });
    cleanup.push(() => server.close());
    const { port } = await server.listenTcp({ host: '127.0.0.1', port: 0 });
    const silent = await Promise.all(Array.from({ length: 10 }, () => silentClient(port)));
    cleanup.push(() => silent.forEach((s) => s.destroy()));
    const honest = await EcrClient.connectTcp('127.0.0.1', port);
    cleanup.push(() => honest.close());
    let got = 0;
    honest.on('event', () => got++);
    await until(() => server.connections === 11);
    // Bursts of 100 events, each taken by the honest client before the next: the silent ones fill up.
    const pushes = 2000;
    for (let sent = 0; sent < pushes;) {
      for (let i = 0; i < 100; i++, sent++) void server.pushEvent(beep);
      await until(() => got === sent);
    }
    assert.equal(got, pushes, 'the honest cash register got every event');
    assert.equal(server.connections, 1, 'only the honest cash register is still attached');
    const dropped = events.filter((e) => e.type === 'closed');
    assert.equal(dropped.length, 10);
    for (const e of dropped)
      assert.equal(e.type === 'closed' && e.error?.code, 'E_ECR_SEND_QUEUE_FULL', JSON.stringify(e));
    assert.ok(LINK_DEFAULTS.maxQueuedSends < pushes);
  });

  it('refuses one TCP connection over the limit with an error event a client reports', async () => {
    const events: EcrLinkEvent[] = [];
    const server = new EcrServer({
      handler: async () => ({}),
      maxConnections: 2,
      onLinkEvent: (e) => events.push(e),
    });
    cleanup.push(() => server.close());
    const { port } = await server.listenTcp({ host: '127.0.0.1', port: 0 });
    const first = await EcrClient.connectTcp('127.0.0.1', port);
    const second = await EcrClient.connectTcp('127.0.0.1', port);
    cleanup.push(
      () => first.close(),
      () => second.close(),
    );
    await until(() => server.connections === 2);
    const third = await EcrClient.connectTcp('127.0.0.1', port);
    cleanup.push(() => third.close());
    const seen: EcrEvent[] = [];
    third.on('event', (e) => seen.push(e));
    await until(() => third.link.closed);
    await assert.rejects(
      third.request({ op: 'status' }),
      (e: unknown) =>
        e instanceof EcrLinkClosedError &&
        /TOO_MANY_CONNECTIONS: .*serves at most 2 ECR connection/.test(e.message),
    );
    assert.deepEqual(
      seen.map((e) => e.event === 'error' && e.error.code),
      ['TOO_MANY_CONNECTIONS'],
    );
    assert.equal(server.connections, 2);
    assert.deepEqual(
      events.filter((e) => e.type === 'refused').map((e) => e.type === 'refused' && e.error.code),
      ['E_ECR_CONNECTION_LIMIT'],
    );
    await first.close();
    await until(() => server.connections === 1);
    const fourth = await EcrClient.connectTcp('127.0.0.1', port);
    cleanup.push(() => fourth.close());
    await fourth.request({ op: 'status' }, { timeoutMs: 5000 });
  });

  it('closes a TCP link that sent nothing for the idle timeout, with an event', async () => {
    const events: EcrLinkEvent[] = [];
    const server = new EcrServer({
      handler: async () => ({}),
      idleTimeoutMs: 200,
      onLinkEvent: (e) => events.push(e),
    });
    cleanup.push(() => server.close());
    const { port } = await server.listenTcp({ host: '127.0.0.1', port: 0 });
    const idle = await silentClient(port);
    cleanup.push(() => void idle.destroy());
    await until(() => events.some((e) => e.type === 'closed'));
    const closed = events.find((e) => e.type === 'closed');
    assert.equal(closed?.type === 'closed' && closed.error?.code, 'E_ECR_LINK_IDLE');
    assert.equal(server.connections, 0);
  });
});

describe('TCP channel: a peer that sends but never reads', () => {
  it('closes the link with E_ECR_PEER_NOT_READING once its unsent bytes pass the limit', async () => {
    // A socket whose peer never reads: nothing written ever leaves it (one layer under test, a stub).
    const socket = Object.assign(new EventEmitter(), {
      remoteAddress: '127.0.0.1',
      remotePort: 1,
      destroyed: false,
      writableLength: 0,
      setNoDelay: () => undefined,
      write(data: Buffer) {
        this.writableLength += data.length;
        return false;
      },
      destroy() {
        this.destroyed = true;
      },
      end() {
        this.destroyed = true;
      },
    });
    const link = new EcrLink(new TcpChannel(socket as unknown as Socket, { maxUnsentBytes: 100 }), {
      closeOnSendFailure: true,
    });
    let cause: unknown;
    link.start(
      () => undefined,
      (c) => (cause = c),
    );
    // 40 frames from the peer, each ACKed with 3 bytes that stay unsent.
    for (let seq = 0; seq < 40; seq++) socket.emit('data', encodeFrame(seq, Buffer.from('{}')));
    await until(() => link.closed);
    assert.equal(link.closed, true);
    assert.equal((cause as { code?: string }).code, 'E_ECR_PEER_NOT_READING');
    assert.ok(socket.destroyed);
    assert.ok(socket.writableLength <= 100, `${socket.writableLength} bytes held`);
  });
});
