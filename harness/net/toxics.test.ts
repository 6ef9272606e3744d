import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { startProxy, type Proxy } from './proxy.js';
import { slicePieces } from './slicer-toxic.js';
import { flipBits } from './corrupt-toxic.js';
import { seededRandom } from '../common/seeded-random.js';
import { connectClient, sleep, startEchoServer, startServer, timed, type TestServer } from './test-kit.js';

// Each toxic's effect measured through a real proxy on 127.0.0.1, against Toxiproxy's semantics.
// Tolerances are generous: the machine is shared and loaded; the tests measure, they do not race.
describe('net/toxics', function () {
  this.timeout(20_000);
  let echo: TestServer;
  let proxy: Proxy;

  before(async () => {
    echo = await startEchoServer();
  });
  after(() => echo.close());
  beforeEach(async () => {
    proxy = await startProxy({ upstream: `127.0.0.1:${echo.port}`, seed: 7 });
  });
  afterEach(() => proxy.close());

  async function roundTrip(bytes = 64): Promise<number> {
    const c = await connectClient(proxy.address().port);
    const { ms } = await timed(async () => {
      c.socket.write(Buffer.alloc(bytes, 0x41));
      await c.waitFor(bytes);
    });
    c.socket.destroy();
    return ms;
  }

  it('passes bytes both ways unchanged and passes a half-close on', async () => {
    const c = await connectClient(proxy.address().port);
    const data = randomBytes(200_000);
    c.socket.end(data);
    const got = await c.waitFor(data.length);
    assert.ok(got.equals(data));
    assert.equal((await c.closed).how, 'end');
  });

  it('latency delays each direction by about `latency` ms', async () => {
    const base = Math.min(await roundTrip(), await roundTrip(), await roundTrip());
    await proxy.addToxic({ type: 'latency', attributes: { latency: 200 } });
    const slow = await roundTrip();
    assert.ok(slow >= 195, `round trip ${slow} ms through a 200 ms latency`);
    assert.ok(slow - base < 200 + 600, `added ${slow - base} ms, expected about 200`);
    await proxy.addToxic({ type: 'latency', stream: 'upstream', attributes: { latency: 100 } });
    const both = await roundTrip();
    assert.ok(both >= 295, `round trip ${both} ms through 200 + 100 ms of latency`);
  });

  it('latency jitter stays within latency ± jitter', async () => {
    await proxy.addToxic({ type: 'latency', attributes: { latency: 150, jitter: 100 } }); // 50–250 ms
    const samples: number[] = [];
    for (let i = 0; i < 8; i++) samples.push(await roundTrip());
    for (const s of samples) assert.ok(s >= 45 && s < 250 + 600, `sample ${s} ms outside 50–250 (+ slack)`);
    assert.ok(Math.max(...samples) - Math.min(...samples) > 10, `no jitter seen: ${samples.join(', ')}`);
  });

  it('bandwidth limits throughput to rate KB/s', async () => {
    await proxy.addToxic({ type: 'bandwidth', attributes: { rate: 100 } }); // 100,000 bytes/s downstream
    const c = await connectClient(proxy.address().port);
    const { ms } = await timed(async () => {
      c.socket.write(Buffer.alloc(50_000, 1));
      await c.waitFor(50_000);
    });
    c.socket.destroy();
    // 50,000 bytes at 100 KB/s = 500 ms.
    assert.ok(ms >= 450, `took ${ms} ms, expected >= 450`);
    assert.ok(ms < 2000, `took ${ms} ms, expected about 500`);
  });

  it('timeout 0 holds all data until removed, then delivers every byte in order', async () => {
    await proxy.addToxic({ name: 'hold', type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    const c = await connectClient(proxy.address().port);
    const data = randomBytes(300_000);
    c.socket.write(data);
    await sleep(300);
    assert.equal(c.received().length, 0);
    await proxy.removeToxic('hold');
    const got = await c.waitFor(data.length);
    assert.ok(got.equals(data));
    c.socket.destroy();
  });

  it('timeout N closes the connection after N ms without passing data', async () => {
    await proxy.addToxic({ type: 'timeout', attributes: { timeout: 300 } });
    const c = await connectClient(proxy.address().port);
    const t0 = performance.now();
    c.socket.write('hello');
    const closed = await c.closed;
    assert.equal(c.received().length, 0);
    assert.ok(closed.at - t0 >= 250, `closed after ${closed.at - t0} ms`);
  });

  it('reset_peer resets the connection: the client sees ECONNRESET', async () => {
    await proxy.addToxic({ type: 'reset_peer', stream: 'upstream', attributes: { timeout: 100 } });
    const c = await connectClient(proxy.address().port);
    c.socket.write('hello');
    const closed = await c.closed;
    assert.equal(closed.how, 'error');
    assert.equal(closed.code, 'ECONNRESET');
  });

  it('limit_data passes exactly `bytes` bytes, then closes', async () => {
    await proxy.addToxic({ type: 'limit_data', attributes: { bytes: 1000 } });
    const c = await connectClient(proxy.address().port);
    c.socket.write(Buffer.alloc(5000, 2));
    await c.closed;
    assert.equal(c.received().length, 1000);
  });

  it('slow_close delays the close by `delay` ms while data passes at once', async () => {
    const server = await startServer((s) => s.end('bye'));
    const p = await startProxy({ upstream: `127.0.0.1:${server.port}` });
    try {
      await p.addToxic({ type: 'slow_close', attributes: { delay: 400 } });
      const t0 = performance.now();
      const c = await connectClient(p.address().port);
      await c.waitFor(3);
      const dataAt = performance.now() - t0;
      const closed = await c.closed;
      assert.ok(dataAt < 380, `data took ${dataAt} ms`);
      assert.ok(closed.at - t0 >= 380, `closed after ${closed.at - t0} ms, expected >= 400`);
    } finally {
      await p.close();
      await server.close();
    }
  });

  it('slicer cuts data into small pieces the far end still reassembles', async () => {
    const chunks: number[] = [];
    const server = await startServer((s) => s.on('data', (d) => (chunks.push(d.length), s.write(d))));
    const p = await startProxy({ upstream: `127.0.0.1:${server.port}` });
    try {
      await p.addToxic({
        type: 'slicer',
        stream: 'upstream',
        attributes: { average_size: 10, size_variation: 4, delay: 2000 },
      });
      const c = await connectClient(p.address().port);
      const data = randomBytes(400);
      c.socket.write(data);
      assert.ok((await c.waitFor(400)).equals(data));
      assert.ok(chunks.length >= 15, `server saw ${chunks.length} reads`);
      // Pieces are 6–14 bytes; two may land in one read when the receiver is slow.
      const median = [...chunks].sort((a, b) => a - b)[Math.floor(chunks.length / 2)] as number;
      assert.ok(median <= 14, `median read ${median} bytes`);
      c.socket.destroy();
    } finally {
      await p.close();
      await server.close();
    }
  });

  it('corrupt with probability 1 inverts every bit', async () => {
    await proxy.addToxic({ type: 'corrupt', attributes: { probability: 1 } });
    const c = await connectClient(proxy.address().port);
    c.socket.write(Buffer.from([0x00, 0xff, 0x0f]));
    assert.deepEqual([...(await c.waitFor(3))], [0xff, 0x00, 0xf0]);
    c.socket.destroy();
  });

  it('toxicity 0 leaves connections untouched', async () => {
    await proxy.addToxic({ type: 'latency', toxicity: 0, attributes: { latency: 1000 } });
    assert.ok((await roundTrip()) < 500);
  });

  it('down refuses connections while present and closes open ones', async () => {
    const open = await connectClient(proxy.address().port);
    await proxy.addToxic({ name: 'cut', type: 'down' });
    await open.closed;
    const err = await new Promise<string>((resolve) => {
      const s = connect(proxy.address().port, '127.0.0.1');
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
      s.on('connect', () => (s.destroy(), resolve('connected')));
    });
    assert.equal(err, 'ECONNREFUSED');
    await proxy.removeToxic('cut');
    assert.ok((await roundTrip()) < 1000);
    await proxy.setEnabled(false);
    assert.equal(proxy.listening, false);
    await proxy.setEnabled(true);
    assert.ok((await roundTrip()) < 1000);
  });

  it('removing a latency toxic mid-stream drops no byte', async () => {
    await proxy.addToxic({ name: 'slow', type: 'latency', stream: 'upstream', attributes: { latency: 300 } });
    const c = await connectClient(proxy.address().port);
    const parts = Array.from({ length: 40 }, () => randomBytes(5000));
    for (const [i, part] of parts.entries()) {
      c.socket.write(part);
      if (i === 20) await proxy.removeToxic('slow');
      await sleep(5);
    }
    const all = Buffer.concat(parts);
    const got = await c.waitFor(all.length);
    assert.equal(
      createHash('sha256').update(got).digest('hex'),
      createHash('sha256').update(all).digest('hex'),
    );
    c.socket.destroy();
  });

  it('back-pressure: a host that stops reading slows the terminal down instead of filling the proxy', async () => {
    let hostSocket: import('node:net').Socket | undefined;
    const server = await startServer((s) => {
      hostSocket = s;
      s.pause();
    });
    const p = await startProxy({ upstream: `127.0.0.1:${server.port}`, spyRaw: true });
    try {
      const c = await connectClient(p.address().port);
      const block = Buffer.alloc(1024 * 1024, 7);
      for (let i = 0; i < 64; i++) c.socket.write(block); // 64 MiB offered, nobody reads at the far end
      await sleep(800);
      const readByProxy = p.journal.entries().reduce((n, e) => n + (e.kind === 'bytes' ? e.length : 0), 0);
      assert.ok(readByProxy < 32 * 1024 * 1024, `the proxy read ${readByProxy} bytes`);
      assert.ok(c.socket.writableLength > 16 * 1024 * 1024, 'the terminal side is held back');
      hostSocket?.resume();
      c.socket.destroy();
    } finally {
      await p.close();
      await server.close();
    }
  });

  it('closes the terminal connection and journals it when the host refuses', async () => {
    const gone = await startServer(() => undefined);
    const port = gone.port;
    await gone.close();
    const p = await startProxy({ upstream: `127.0.0.1:${port}` });
    try {
      const c = await connectClient(p.address().port);
      await c.closed;
      const close = p.journal.entries().find((e) => e.kind === 'close');
      assert.ok(close?.kind === 'close' && close.reason === 'upstream-error', JSON.stringify(close));
    } finally {
      await p.close();
    }
  });

  it('accepts an empty toxic name as "no name" (toxiproxy-cli sends one)', async () => {
    const t = await proxy.addToxic({ name: '', type: 'slow_close', stream: 'upstream' });
    assert.equal(t.name, 'slow_close_upstream');
    assert.deepEqual(t.attributes, { delay: 0 });
  });

  it('updating a toxic changes its attributes on open connections', async () => {
    await proxy.addToxic({ name: 'l', type: 'latency', attributes: { latency: 400 } });
    const updated = await proxy.updateToxic('l', { attributes: { latency: 10 } });
    assert.deepEqual(updated.attributes, { latency: 10, jitter: 0 });
    assert.ok((await roundTrip()) < 300);
  });

  it('journals raw bytes (spyRaw, spyRawUnmasked), toxics and connections without a dialect', async () => {
    const raw = await startProxy({ upstream: `127.0.0.1:${echo.port}`, spyRaw: true, spyRawUnmasked: true });
    try {
      await raw.addToxic({ type: 'latency', attributes: { latency: 1 } });
      const c = await connectClient(raw.address().port);
      c.socket.write('4321987654321098 hello');
      await c.waitFor(22);
      c.socket.destroy();
      await sleep(50);
      const entries = raw.journal.entries();
      assert.deepEqual(
        [...new Set(entries.map((e) => e.kind))],
        ['proxy', 'toxic', 'connect', 'bytes', 'close'],
      );
      const bytes = entries.find((e) => e.kind === 'bytes');
      assert.ok(
        bytes?.kind === 'bytes' &&
          bytes.length === 22 &&
          bytes.hex.startsWith('343332313938') &&
          bytes.hex.includes('2A2A'),
      );
    } finally {
      await raw.close();
    }
  });

  it('a raw chunk shows its length only unless spyRawUnmasked: no track, PIN or key bytes in the journal', async () => {
    // Track 2 (PAN, separator, expiry 3012, service code 220, discretionary data) then an encrypted
    // PIN block: bytes only a dialect could locate.
    const chunk = Buffer.concat([
      Buffer.from('35376222021234567890123=30122201234567', 'latin1'),
      Buffer.from('52F1E2D3C4B5A69788', 'hex'),
    ]);
    const run = async (unmasked: boolean): Promise<string> => {
      const p = await startProxy({
        upstream: `127.0.0.1:${echo.port}`,
        spyRaw: true,
        spyRawUnmasked: unmasked,
      });
      try {
        const c = await connectClient(p.address().port);
        c.socket.write(chunk);
        await c.waitFor(chunk.length);
        c.socket.destroy();
        const bytes = p.journal.entries().filter((e) => e.kind === 'bytes');
        assert.deepEqual(
          bytes.map((e) => e.kind === 'bytes' && [e.dir, e.length]),
          [
            ['upstream', chunk.length],
            ['downstream', chunk.length],
          ],
        );
        return JSON.stringify(p.journal.entries());
      } finally {
        await p.close();
      }
    };
    const tail = Buffer.from('=30122201234567', 'latin1').toString('hex').toUpperCase();
    const pinBlock = 'F1E2D3C4B5A69788';
    const masked = await run(false);
    assert.doesNotMatch(masked, new RegExp(`${tail.slice(0, 10)}|${pinBlock.slice(0, 8)}|3331323334`));
    assert.match(masked, /content withheld/);
    const clear = await run(true);
    assert.ok(clear.includes(pinBlock), 'spyRawUnmasked shows the bytes');
  });
});

describe('net/toxic helpers', () => {
  it('slicePieces covers the chunk with pieces of average ± variation', () => {
    const rnd = seededRandom(1);
    for (const size of [1, 7, 100, 1000, 4096]) {
      const pieces = slicePieces(size, 16, 6, rnd);
      assert.equal(
        pieces.reduce((a, b) => a + b, 0),
        size,
      );
      for (const p of pieces) assert.ok(p >= 1 && p <= 22, `piece ${p}`);
    }
    assert.deepEqual(slicePieces(8, 1, 0, rnd), [1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('flipBits flips about probability × bits, deterministically with a seed', () => {
    const data = Buffer.alloc(10_000);
    const a = flipBits(data, 0.01, seededRandom(3));
    const b = flipBits(data, 0.01, seededRandom(3));
    assert.ok(a.data.equals(b.data));
    assert.ok(a.flips > 600 && a.flips < 1000, `${a.flips} flips of 80,000 bits`);
    let set = 0;
    for (const x of a.data) for (let i = 0; i < 8; i++) set += (x >> i) & 1;
    assert.equal(set, a.flips);
    assert.equal(data.readUInt32BE(0), 0, 'input left untouched');
  });
});
