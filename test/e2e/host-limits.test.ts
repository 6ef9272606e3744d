/**
 * Robustness of the host's TCP server: frame size, connection count and idle limits, each with a log
 * line, and every other terminal kept being served.
 */
import { strict as assert } from 'node:assert';
import { connect, type Socket } from 'node:net';
import { fromHex } from '../../harness/crypto/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { applyMac } from '../../harness/pos-protocol/index.js';
import { encodeFrame } from '../../harness/iso8583/index.js';
import {
  TEST_PANS,
  TEST_TERMINAL,
  TEST_TMK,
  testHostConfig,
  TestTerminal,
} from '../../harness/testing/index.js';

function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.on('error', reject);
  });
}

describe('host e2e: limits and bad input', function () {
  let host: HostHandle;
  const lines: string[] = [];
  const sockets: Socket[] = [];
  let good: TestTerminal;

  before(async () => {
    host = await startHost({
      dialect: 'cup',
      config: testHostConfig({ limits: { maxFrameBytes: 512, maxConnections: 4, idleTimeoutMs: 400 } }),
      log: (l) => lines.push(l),
    });
  });
  beforeEach(async () => {
    good = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
    });
    await good.signIn();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await good.close();
  });
  after(() => host.close());

  const stillServes = async () => {
    const { answer } = await good.transact('purchase', {
      card: { pan: TEST_PANS.credit, track2: `${TEST_PANS.credit}=3012220` },
      amount: 1,
    });
    assert.equal(answer.fields[39], '00');
  };

  it('closes a connection that announces a frame over the size limit, with a log line', async () => {
    const s = await rawSocket(host.address.port);
    sockets.push(s);
    s.write(Buffer.from([0x10, 0x00, 0x60]));
    assert.equal(await closedWithin(s, 2000), true);
    assert.ok(
      lines.some((l) => /exceeds the maximum/.test(l) && /limit 512 bytes/.test(l)),
      lines.join('\n'),
    );
    await stillServes();
  });

  it('closes a connection whose frame has no readable MTI (no answer can be built)', async () => {
    const s = await rawSocket(host.address.port);
    sockets.push(s);
    s.write(fromHex('0004' + 'FFFFFFFF'));
    assert.equal(await closedWithin(s, 2000), true);
    assert.ok(lines.some((l) => /malformed frame, no answer possible/.test(l)));
    await stillServes();
  });

  it('at the connection limit serves a newcomer by closing the oldest connection that never sent a frame', async () => {
    const silent: Socket[] = [];
    for (let i = 0; i < 3; i++) silent.push(await rawSocket(host.address.port));
    sockets.push(...silent);
    const over = await rawSocket(host.address.port);
    sockets.push(over);
    assert.equal(await closedWithin(silent[0]!, 2000), true, 'the oldest silent connection made room');
    assert.deepEqual([silent[1]!.destroyed, silent[2]!.destroyed, over.destroyed], [false, false, false]);
    assert.ok(
      lines.some((l) =>
        /connection limit \(4\) reached: closed connection \d+ .*no complete frame yet/.test(l),
      ),
      lines.join('\n'),
    );
    // The signed-in terminal (it completed frames) was not the one closed.
    await stillServes();
  });

  it('closes an idle connection with a log line', async () => {
    const s = await rawSocket(host.address.port);
    sockets.push(s);
    assert.equal(await closedWithin(s, 3000), true);
    assert.ok(lines.some((l) => /idle for 400 ms: closed/.test(l)));
  });

  it('answers the requests of one connection in order when they arrive one byte at a time', async () => {
    const a = applyMac(
      good.dialect,
      good.build('purchase', { card: { pan: TEST_PANS.credit }, amount: 2 }),
      good.keys!.mak,
    );
    const b = applyMac(
      good.dialect,
      good.build('purchase', { card: { pan: TEST_PANS.credit }, amount: 3 }),
      good.keys!.mak,
    );
    const bytes = Buffer.concat([encodeFrame(good.dialect, a), encodeFrame(good.dialect, b)]);
    const answers = [good.nextAnswer(), good.nextAnswer()];
    for (const byte of bytes) good.writeRaw(Buffer.from([byte]));
    const [ra, rb] = await Promise.all(answers);
    assert.deepEqual(
      [ra?.fields[11], rb?.fields[11], ra?.fields[39], rb?.fields[39]],
      [a.fields[11], b.fields[11], '00', '00'],
    );
  });

  it('hangs up on a message that is not a request (an answer MTI)', async () => {
    const s = await rawSocket(host.address.port);
    sockets.push(s);
    s.write(encodeFrame(good.dialect, { mti: '0210', fields: { 11: '000001', 39: '00' } }));
    assert.equal(await closedWithin(s, 2000), true);
    assert.ok(lines.some((l) => /not a request: closed/.test(l)));
  });
});

for (const dialect of ['iso87-ascii', 'iso87-binary']) {
  describe(`host e2e: ${dialect} dialect (no TPDU)`, () => {
    let host: HostHandle;
    let t: TestTerminal;
    before(async () => {
      host = await startHost({ dialect, config: testHostConfig() });
      t = await TestTerminal.connect({
        dialect,
        host: '127.0.0.1',
        port: host.address.port,
        ...TEST_TERMINAL,
        tmk: TEST_TMK,
      });
    });
    after(async () => {
      await t.close();
      await host.close();
    });
    it('signs in, authorises with MAC and PIN, and reverses', async () => {
      assert.equal((await t.signIn()).fields[39], '00');
      const { request, answer } = await t.transact('purchase', {
        card: { pan: TEST_PANS.debit },
        amount: 250,
        pin: '123456',
      });
      assert.deepEqual([answer.mti, answer.fields[39], answer.macOk], ['0210', '00', true]);
      assert.equal(host.accounts.get(TEST_PANS.debit)?.balance, 100000 - 250);
      assert.equal((await t.reverse(request)).fields[39], '00');
      assert.equal(host.accounts.get(TEST_PANS.debit)?.balance, 100000);
    });
  });
}
