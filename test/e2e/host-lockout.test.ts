/**
 * The host under clients that do not play fair: one that sends requests back to back and never reads
 * the answers (backpressure), one that trickles a frame a byte at a time (frame deadline), and a flood
 * of silent and trickling connections past the connection limit while a terminal signs in.
 */
import { strict as assert } from 'node:assert';
import { connect, type Socket } from 'node:net';
import { startHost, type HostHandle, type JournalEntry } from '../../harness/host/index.js';
import { encodeFrame, loadDialect } from '../../harness/iso8583/index.js';
import { buildSignIn } from '../../harness/pos-protocol/index.js';
import { TEST_TERMINAL, TEST_TMK, TestTerminal, testHostConfig } from '../../harness/testing/index.js';

const cup = loadDialect('cup');
const signInFrame = encodeFrame(cup, buildSignIn(TEST_TERMINAL, '000001'));

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every 50 ms, at most `polls` times; true once it held. */
async function eventually(done: () => boolean, polls = 400): Promise<boolean> {
  for (let i = 0; i < polls; i++) {
    if (done()) return true;
    await tick(50);
  }
  return done();
}

describe('host e2e: a client that never reads its answers (backpressure)', function () {
  this.timeout(60000);
  const MAX_UNSENT = 65536;
  /** Sign-ins sent back to back: far more answers than the kernel's socket buffers absorb. */
  const REQUESTS = 200000;
  let host: HostHandle;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    host = await startHost({
      dialect: cup,
      config: testHostConfig({
        journalSize: 100,
        limits: { maxFrameBytes: 4096, maxConnections: 16, idleTimeoutMs: 60000, maxUnsentBytes: MAX_UNSENT },
      }),
      log: () => undefined,
    });
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await host.close();
  });

  /** Connects, never reads, queues REQUESTS sign-ins; resolves once the host paused or answered all. */
  const flood = async (): Promise<{ socket: Socket; answered: () => number }> => {
    const socket = await rawSocket(host.address.port);
    sockets.push(socket);
    socket.pause();
    const before = host.journal.total;
    const perChunk = 1000;
    const chunk = Buffer.concat(Array.from({ length: perChunk }, () => signInFrame));
    for (let i = 0; i < REQUESTS / perChunk; i++) socket.write(chunk);
    // Each sign-in is two journal entries (request in, answer out).
    const answered = (): number => Math.floor((host.journal.total - before) / 2);
    await eventually(() => host.pausedConnections > 0 || answered() >= REQUESTS, 1200);
    return { socket, answered };
  };

  it('stops reading the connection while its unsent answers are over the bound', async () => {
    const { answered } = await flood();
    assert.ok(answered() < REQUESTS, `the host kept reading: ${answered()} of ${REQUESTS} answered`);
    assert.equal(host.pausedConnections, 1, 'the connection is paused');
    const held = host.unsentBytes;
    // The bound plus the answers to one read (at most 64 KiB of requests).
    assert.ok(held <= MAX_UNSENT + 256 * 1024, `unsent answers held: ${held} bytes`);
  });

  it('lets go of the unsent answers when the client leaves, and serves the next terminal', async () => {
    const { socket } = await flood();
    assert.ok(host.unsentBytes > 0 && host.pausedConnections === 1);
    socket.destroy();
    await eventually(() => host.connections === 0);
    assert.deepEqual([host.connections, host.unsentBytes, host.pausedConnections], [0, 0, 0]);
    const t = await TestTerminal.connect({
      dialect: cup,
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
    });
    try {
      assert.equal((await t.signIn()).fields[39], '00');
    } finally {
      await t.close();
    }
  });
  it('stops reading while more than 64 requests wait behind a delayed answer, then serves them all', async () => {
    host.addRule({ mti: '0800', nth: 1, respond: { delayMs: 1000 } });
    const socket = await rawSocket(host.address.port);
    sockets.push(socket);
    let answers = 0;
    const count = (e: JournalEntry): void => void (e.direction === 'out' && answers++);
    host.journal.on('entry', count);
    socket.write(Buffer.concat(Array.from({ length: 200 }, () => signInFrame)));
    assert.equal(await eventually(() => host.pausedConnections === 1), true, 'paused behind the delay');
    assert.equal(await eventually(() => answers === 200), true, `${answers} of 200 answered`);
    assert.equal(host.pausedConnections, 0);
    host.journal.off('entry', count);
  });
});

describe('host e2e: a frame trickled one byte at a time (frame deadline)', function () {
  this.timeout(20000);
  let host: HostHandle;
  const lines: string[] = [];

  before(async () => {
    host = await startHost({
      dialect: cup,
      config: testHostConfig({
        limits: { maxFrameBytes: 4096, maxConnections: 16, idleTimeoutMs: 5000, frameTimeoutMs: 300 },
      }),
      log: (l) => lines.push(l),
    });
  });
  after(() => host.close());

  it('closes a connection whose frame is not complete within frameTimeoutMs, though bytes keep coming', async () => {
    const s = await rawSocket(host.address.port);
    const gone = closed(s);
    let isClosed = false;
    void gone.then(() => (isClosed = true));
    // A sign-in frame, one byte every 100 ms (well inside idleTimeoutMs), never the last byte.
    for (let i = 0; i < signInFrame.length - 1 && !isClosed; i++) {
      s.write(signInFrame.subarray(i, i + 1));
      await tick(100);
    }
    const wasClosed = isClosed;
    s.destroy();
    assert.equal(wasClosed, true, 'the trickling connection kept its slot');
    assert.ok(
      lines.some((l) => /frame not complete within 300 ms: closed/.test(l)),
      lines.join('\n'),
    );
  });
});

describe('host e2e: 1,000 silent and 600 trickling connections, then a terminal signs in', function () {
  this.timeout(60000);
  let host: HostHandle;
  const lines: string[] = [];
  const sockets: Socket[] = [];
  let trickle: NodeJS.Timeout | undefined;

  before(async () => {
    host = await startHost({
      dialect: cup,
      config: testHostConfig({
        limits: { maxFrameBytes: 4096, maxConnections: 512, idleTimeoutMs: 60000 },
      }),
      log: (l) => lines.push(l),
    });
  });
  after(async () => {
    clearInterval(trickle);
    for (const s of sockets.splice(0)) s.destroy();
    await host.close();
  });

  /** Opens `n` connections, `batch` at a time; a connection the host closes is simply left closed. */
  const open = async (n: number, batch = 100): Promise<Socket[]> => {
    const out: Socket[] = [];
    for (let i = 0; i < n; i += batch) {
      const got = await Promise.all(
        Array.from({ length: Math.min(batch, n - i) }, () => rawSocket(host.address.port)),
      );
      for (const s of got) {
        s.on('error', () => undefined);
        out.push(s);
      }
    }
    sockets.push(...out);
    return out;
  };

  it('is answered: the flood cannot hold every slot', async () => {
    await open(1000);
    const slow = await open(600);
    // Each slow connection has begun a sign-in frame and adds one byte now and then, never the last.
    const sentBytes = new Map<Socket, number>();
    const step = (): void => {
      for (const s of slow) {
        const n = sentBytes.get(s) ?? 0;
        if (s.destroyed || n >= signInFrame.length - 1) continue;
        s.write(signInFrame.subarray(n, n + 1));
        sentBytes.set(s, n + 1);
      }
    };
    step();
    step();
    trickle = setInterval(step, 1000);

    const t = await TestTerminal.connect({
      dialect: cup,
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
    });
    try {
      assert.equal((await t.signIn()).fields[39], '00');
    } finally {
      await t.close();
    }
    assert.ok(host.connections <= 512, `${host.connections} connections open`);
    assert.ok(
      lines.some((l) =>
        /connection limit \(512\) reached: closed connection \d+ .*no complete frame yet/.test(l),
      ),
      lines.slice(-5).join('\n'),
    );
  });
});
