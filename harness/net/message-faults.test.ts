import { strict as assert } from 'node:assert';
import type { Socket } from 'node:net';
import { loadDialect } from '../iso8583/dialect-loader.js';
import { FrameParser } from '../iso8583/frame-parser.js';
import { decodeFrame, encodeFrame, type DecodedFrame, type IsoMessage } from '../iso8583/message-codec.js';
import { startProxy, type Proxy } from './proxy.js';
import { connectClient, sleep, startServer, type TestClient, type TestServer } from './test-kit.js';

const cup = loadDialect('cup');
const PAN = '6222021234567890123';

function purchase(stan: number): IsoMessage {
  return {
    mti: '0200',
    fields: {
      2: PAN,
      3: '000000',
      4: '000000001000',
      11: String(stan).padStart(6, '0'),
      22: '051',
      35: '6222021234567890123D30122011234567890',
      41: 'TERM0001',
      42: '123456789012345',
      49: '156',
      52: '0412AC89ABCDEF67',
      // 5A (PAN) and 9F27 inside field 55.
      55: '5A0A6222021234567890123F9F270180',
    },
  };
}

/** A host that decodes every frame it receives and answers 0200 → 0210, 0800 → 0810 (field 39 = 00). */
async function startHost(): Promise<TestServer & { got: DecodedFrame[]; rawBytes: () => number }> {
  const got: DecodedFrame[] = [];
  let raw = 0;
  const server = await startServer((s: Socket) => {
    const parser = new FrameParser(cup);
    s.on('data', (d: Buffer) => {
      raw += d.length;
      let frames: Buffer[];
      try {
        frames = parser.push(d);
      } catch {
        return;
      }
      for (const f of frames) {
        let m: DecodedFrame;
        try {
          m = decodeFrame(cup, f);
        } catch {
          continue;
        }
        got.push(m);
        const mti = m.mti.slice(0, 2) + String(Number(m.mti[2]) + 1) + m.mti[3];
        s.write(encodeFrame(cup, { mti, fields: { 11: m.fields[11] ?? '000000', 39: '00' } }));
      }
    });
    s.on('end', () => s.end());
  });
  return Object.assign(server, { got, rawBytes: () => raw });
}

/** Frames the terminal received, decoded. */
function terminalFrames(c: TestClient): DecodedFrame[] {
  const p = new FrameParser(cup);
  return p.push(c.received()).map((f) => decodeFrame(cup, f));
}

describe('net/message faults and spy', function () {
  this.timeout(20_000);
  let host: Awaited<ReturnType<typeof startHost>>;
  let proxy: Proxy;

  beforeEach(async () => {
    host = await startHost();
    proxy = await startProxy({ upstream: `127.0.0.1:${host.port}`, dialect: cup });
  });
  afterEach(async () => {
    await proxy.close();
    await host.close();
  });

  async function exchange(c: TestClient, msg: IsoMessage, expectAnswer = true): Promise<void> {
    const before = terminalFrames(c).length;
    c.socket.write(encodeFrame(cup, msg));
    if (!expectAnswer) return;
    for (let i = 0; i < 200 && terminalFrames(c).length === before; i++) await sleep(10);
    assert.ok(terminalFrames(c).length > before, 'no answer');
  }

  it('journals every frame both ways, decoded, with PAN masked and PIN/track/TLV PAN hidden', async () => {
    const c = await connectClient(proxy.address().port);
    await exchange(c, purchase(1));
    c.socket.destroy();
    const frames = proxy.journal.frames();
    assert.deepEqual(
      frames.map((f) => [f.dir, f.mti]),
      [
        ['upstream', '0200'],
        ['downstream', '0210'],
      ],
    );
    const req = frames[0] as (typeof frames)[number];
    assert.equal(req.fields['2'], '622202*********0123');
    assert.match(req.fields['35'] as string, /redacted/);
    assert.match(req.fields['52'] as string, /redacted/);
    assert.equal(req.fields['55'], '5A0A622202*********0123F9F270180');
    assert.equal(req.tpdu, '6000030000');
    const text = JSON.stringify(proxy.journal.entries());
    assert.ok(
      !text.includes(PAN) && !text.includes('0412AC89ABCDEF67'),
      'clear PAN or PIN block in the journal',
    );
    assert.equal(host.got[0]?.fields[2], PAN, 'the host still gets the real message');
  });

  it('frames sliced into 1–5 byte pieces both ways still decode at the host, the terminal and the spy', async () => {
    await proxy.addToxic({
      type: 'slicer',
      stream: 'upstream',
      attributes: { average_size: 3, size_variation: 2, delay: 0 },
    });
    await proxy.addToxic({
      type: 'slicer',
      stream: 'downstream',
      attributes: { average_size: 3, size_variation: 2, delay: 0 },
    });
    const c = await connectClient(proxy.address().port);
    for (let i = 1; i <= 5; i++) await exchange(c, purchase(i));
    assert.deepEqual(
      host.got.map((m) => m.fields[11]),
      ['000001', '000002', '000003', '000004', '000005'],
    );
    assert.equal(terminalFrames(c).length, 5);
    assert.equal(proxy.journal.frames().length, 10);
    c.socket.destroy();
  });

  it('records undecodable bytes as such and still forwards them', async () => {
    const c = await connectClient(proxy.address().port);
    c.socket.write(Buffer.from([0x00, 0x04, 0xde, 0xad, 0xbe, 0xef])); // a frame whose body is not ISO 8583
    await sleep(50);
    c.socket.write(Buffer.from([0xff, 0xff, 1, 2, 3])); // a length over the limit: framing is lost
    await sleep(50);
    c.socket.write(Buffer.from('more bytes'));
    for (let i = 0; i < 100 && host.rawBytes() < 21; i++) await sleep(10);
    assert.equal(host.rawBytes(), 21);
    const bytes = proxy.journal.entries().filter((e) => e.kind === 'bytes');
    assert.ok(bytes.length >= 3, JSON.stringify(bytes));
    assert.ok(
      bytes.some((e) => e.kind === 'bytes' && e.hex === '0004DEADBEEF' && e.reason.startsWith('decode')),
    );
    assert.ok(bytes.some((e) => e.kind === 'bytes' && e.reason.startsWith('framing')));
    c.socket.destroy();
  });

  it('journals an undecodable frame with only its length, TPDU and header, and lost framing by length only', async () => {
    const c = await connectClient(proxy.address().port);
    // A whole 0200 with track 2 (field 35) whose last byte is cut off, the length prefix fixed to match:
    // framed, but it does not decode. Its track data (expiry 3012, service code 201) must not show.
    const full = encodeFrame(cup, purchase(1));
    const cut = Buffer.from(full.subarray(0, full.length - 1));
    cut.writeUInt16BE(cut.length - 2, 0);
    c.socket.write(cut);
    await sleep(50);
    c.socket.write(Buffer.from([0xff, 0xff, 1, 2, 3])); // framing lost
    await sleep(50);
    c.socket.write(Buffer.from('6222021234567890123=30122011'));
    for (let i = 0; i < 100 && proxy.journal.entries().filter((e) => e.kind === 'bytes').length < 3; i++)
      await sleep(10);
    const bytes = proxy.journal.entries().filter((e) => e.kind === 'bytes');
    const frame = bytes.find((e) => e.kind === 'bytes' && e.reason.startsWith('decode'));
    assert.ok(frame && frame.kind === 'bytes', JSON.stringify(bytes));
    assert.equal(frame.hex.slice(0, 26), cut.subarray(0, 13).toString('hex').toUpperCase(), 'header shown');
    assert.match(frame.hex.slice(26), /^0+$/, 'the body is withheld');
    for (const e of bytes) {
      assert.ok(e.kind === 'bytes');
      assert.ok(!e.hex.includes('301220') && !e.hex.includes('1234567890'), JSON.stringify(e));
    }
    const lost = bytes.filter((e) => e.kind === 'bytes' && !e.reason.startsWith('decode'));
    assert.ok(lost.length > 0 && lost.every((e) => e.kind === 'bytes' && e.hex === '' && e.length > 0));
    c.socket.destroy();
  });

  it('drop: the 2nd matching message is not forwarded (one-shot)', async () => {
    proxy.addFault({ name: 'lose', action: 'drop', match: { mti: '0200' }, nth: 2 });
    const c = await connectClient(proxy.address().port);
    await exchange(c, purchase(1));
    await exchange(c, purchase(2), false);
    await sleep(200);
    await exchange(c, purchase(3));
    await exchange(c, purchase(4));
    assert.deepEqual(
      host.got.map((m) => m.fields[11]),
      ['000001', '000003', '000004'],
    );
    const f = proxy.faults.get('lose');
    assert.equal(f.fired, 1);
    assert.equal(f.spent, true);
    assert.equal(proxy.journal.frames().find((e) => e.fault)?.fields['11'], '000002');
    c.socket.destroy();
  });

  it('standing drop acts on the Nth and every later match', async () => {
    proxy.addFault({ action: 'drop', match: { mti: '0200', '4': { gte: 5000 } }, nth: 2, standing: true });
    const c = await connectClient(proxy.address().port);
    const big = (stan: number): IsoMessage => ({
      ...purchase(stan),
      fields: { ...purchase(stan).fields, 4: '000000005000' },
    });
    await exchange(c, big(1));
    await exchange(c, big(2), false);
    await exchange(c, big(3), false);
    await exchange(c, purchase(4));
    assert.deepEqual(
      host.got.map((m) => m.fields[11]),
      ['000001', '000004'],
    );
    c.socket.destroy();
  });

  it('delay holds a matching response for `delay` ms', async () => {
    proxy.addFault({ action: 'delay', match: { mti: '0210' }, delay: 300 });
    const c = await connectClient(proxy.address().port);
    const t0 = performance.now();
    await exchange(c, purchase(1));
    assert.ok(performance.now() - t0 >= 290, `answered after ${performance.now() - t0} ms`);
    c.socket.destroy();
  });

  it('duplicate sends a matching message twice', async () => {
    proxy.addFault({ action: 'duplicate', stream: 'upstream', match: { mti: '0200' } });
    const c = await connectClient(proxy.address().port);
    await exchange(c, purchase(7));
    for (let i = 0; i < 100 && host.got.length < 2; i++) await sleep(10);
    assert.deepEqual(
      host.got.map((m) => m.fields[11]),
      ['000007', '000007'],
    );
    c.socket.destroy();
  });

  it('corruptField rewrites a field (given value, or altered) and re-encodes the frame', async () => {
    proxy.addFault({ action: 'corruptField', match: { mti: '0200' }, field: '4', value: '000000999999' });
    proxy.addFault({ action: 'corruptField', match: { mti: '0210' }, field: '39' });
    const c = await connectClient(proxy.address().port);
    await exchange(c, purchase(1));
    assert.equal(host.got[0]?.fields[4], '000000999999');
    assert.equal(terminalFrames(c)[0]?.fields[39], '01');
    c.socket.destroy();
  });

  it('cutAfter: the host gets the request, the terminal never hears the answer', async () => {
    proxy.addFault({ action: 'cutAfter', match: { mti: '0200' } });
    const c = await connectClient(proxy.address().port);
    c.socket.write(encodeFrame(cup, purchase(9)));
    await c.closed;
    for (let i = 0; i < 100 && host.got.length < 1; i++) await sleep(10);
    assert.equal(host.got[0]?.fields[11], '000009');
    assert.equal(c.received().length, 0);
    for (let i = 0; i < 100 && !proxy.journal.entries().some((e) => e.kind === 'close'); i++) await sleep(10);
    assert.ok(proxy.journal.entries().some((e) => e.kind === 'close' && e.conn === 1 && e.reason === 'cut'));
  });

  it('cutAfter with bytes: the terminal gets only the first bytes of the answer, then the close', async () => {
    proxy.addFault({ action: 'cutAfter', match: { mti: '0210' }, bytes: 20, stream: 'downstream' });
    const c = await connectClient(proxy.address().port);
    c.socket.write(encodeFrame(cup, purchase(7)));
    await c.closed;
    assert.equal(host.got[0]?.fields[11], '000007');
    assert.equal(c.received().length, 20);
    assert.equal(terminalFrames(c).length, 0);
  });

  it('switching faults on and off mid-frame neither duplicates nor drops bytes', async () => {
    const c = await connectClient(proxy.address().port);
    const f1 = encodeFrame(cup, purchase(1));
    c.socket.write(f1.subarray(0, 10));
    await sleep(50);
    proxy.addFault({ name: 'x', action: 'drop', match: { mti: '0800' } });
    c.socket.write(f1.subarray(10));
    for (let i = 0; i < 100 && host.got.length < 1; i++) await sleep(10);
    const f2 = encodeFrame(cup, purchase(2));
    c.socket.write(f2.subarray(0, 10));
    await sleep(50);
    proxy.removeFault('x');
    await sleep(50);
    c.socket.write(f2.subarray(10));
    for (let i = 0; i < 100 && host.got.length < 2; i++) await sleep(10);
    assert.deepEqual(
      host.got.map((m) => m.fields[11]),
      ['000001', '000002'],
    );
    assert.equal(host.rawBytes(), f1.length + f2.length);
    c.socket.destroy();
  });

  it('refuses a fault with a bad path or matcher, naming the field', () => {
    assert.throws(() => proxy.addFault({ action: 'corruptField', field: '999' }), { field: 'field' });
    assert.throws(() => proxy.addFault({ action: 'drop', match: { '39': { nope: 1 } } }), {
      field: 'match.39',
    });
    assert.throws(() => proxy.addFault({ action: 'delay' }), { field: 'delay' });
    assert.throws(() => proxy.addFault({ action: 'explode' }), { field: 'action' });
  });
});
