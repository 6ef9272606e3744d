import assert from 'node:assert/strict';
import { EcrLink, type EcrLinkOptions, type EcrTraceRecord } from './ecr-link.js';
import { EcrLinkClosedError, EcrLinkTimeoutError, EcrRetransmissionsExhaustedError } from './errors.js';
import { encodeFrame } from './frame-codec.js';
import { createMemoryChannelPair, type MemoryChannel } from './memory-channel.js';
import { WIRE } from './wire-codes.js';

// Short enough to keep the suite fast, long enough that a loaded machine does not retransmit spuriously.
const FAST: EcrLinkOptions = { ackTimeoutMs: 150, maxRetransmissions: 2, interByteTimeoutMs: 60 };

interface Pair {
  a: EcrLink;
  b: EcrLink;
  wireA: MemoryChannel;
  wireB: MemoryChannel;
  gotA: string[];
  gotB: string[];
}

function pair(options: EcrLinkOptions = FAST): Pair {
  const [wireA, wireB] = createMemoryChannelPair();
  const a = new EcrLink(wireA, options);
  const b = new EcrLink(wireB, options);
  const gotA: string[] = [];
  const gotB: string[] = [];
  a.start((p) => gotA.push(p.toString()));
  b.start((p) => gotB.push(p.toString()));
  return { a, b, wireA, wireB, gotA, gotB };
}

const isFrame = (c: Buffer) => c[0] === WIRE.STX;
const isAck = (c: Buffer) => c[0] === WIRE.ACK;
const tick = () => new Promise((r) => setImmediate(r));

describe('ECR link state machine (in-memory duplex)', () => {
  const open: Pair[] = [];
  const make = (o?: EcrLinkOptions) => {
    const p = pair(o);
    open.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of open.splice(0)) await Promise.all([p.a.close(), p.b.close()]);
  });

  it('delivers a payload once and resolves send on the ACK', async () => {
    const { a, b, gotB, wireB } = make();
    await a.send(Buffer.from('{"n":1}'));
    assert.deepEqual(gotB, ['{"n":1}']);
    assert.deepEqual([...wireB.written[0]!], [WIRE.ACK, 0, 0xff]);
    assert.equal(a.stats.framesSent, 1);
    assert.equal(b.stats.framesReceived, 1);
    assert.equal(a.stats.retransmissions, 0);
  });

  it('sends queued payloads one at a time, in order, with increasing sequence numbers', async () => {
    const { a, gotB, wireA } = make();
    await Promise.all([1, 2, 3, 4].map((n) => a.send(Buffer.from(`{"n":${n}}`))));
    assert.deepEqual(gotB, ['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']);
    assert.deepEqual(
      wireA.written.filter(isFrame).map((f) => f[3]),
      [0, 1, 2, 3],
    );
  });

  it('answers a corrupted frame with NAK and the sender retransmits it', async () => {
    const { a, b, gotB, wireA, wireB } = make();
    wireA.tamper((chunk, i) => {
      if (i !== 0) return chunk;
      const bad = Buffer.from(chunk);
      bad[6] = (bad[6] as number) ^ 0x01; // a bit flipped inside the payload
      return bad;
    });
    await a.send(Buffer.from('{"n":1}'));
    assert.deepEqual(gotB, ['{"n":1}']);
    assert.equal(b.stats.badFrames, 1);
    assert.equal(b.stats.naksSent, 1);
    assert.equal(wireB.written[0]![0], WIRE.NAK);
    assert.equal(a.stats.naksReceived, 1);
    assert.equal(a.stats.retransmissions, 1);
    assert.equal(wireA.written.filter(isFrame).length, 2);
  });

  it('retransmits after a lost ACK and the receiver drops the duplicate (delivered once)', async () => {
    const { a, b, gotB, wireB } = make();
    wireB.tamper((chunk, i) => (i === 0 && isAck(chunk) ? null : chunk));
    await a.send(Buffer.from('{"n":1}'));
    assert.deepEqual(gotB, ['{"n":1}']);
    assert.equal(a.stats.retransmissions, 1);
    assert.equal(b.stats.duplicatesDropped, 1);
    assert.equal(wireB.written.filter(isAck).length, 2, 'the duplicate is ACKed again');
  });

  it('gives up with EcrRetransmissionsExhaustedError (broken) when every attempt is NAKed', async () => {
    const { a, gotB, wireA } = make();
    wireA.tamper((chunk) => {
      if (!isFrame(chunk)) return chunk;
      const bad = Buffer.from(chunk);
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff;
      return bad;
    });
    await assert.rejects(a.send(Buffer.from('{"n":1}')), (e: unknown) => {
      assert.ok(e instanceof EcrRetransmissionsExhaustedError);
      assert.equal(e.verdict, 'broken');
      assert.equal(e.attempts, 3);
      assert.equal(e.naks, 3);
      return true;
    });
    assert.deepEqual(gotB, []);
  });

  it('gives up with EcrLinkTimeoutError (broken) when the peer stays silent', async () => {
    const [wireA, wireB] = createMemoryChannelPair();
    const a = new EcrLink(wireA, FAST);
    a.start(() => {});
    const started = Date.now();
    await assert.rejects(a.send(Buffer.from('{}')), (e: unknown) => {
      assert.ok(e instanceof EcrLinkTimeoutError);
      assert.equal(e.code, 'E_ECR_LINK_TIMEOUT');
      assert.equal(e.verdict, 'broken');
      assert.equal(e.attempts, 3);
      return true;
    });
    assert.ok(Date.now() - started >= 3 * 150 - 5, 'waited one ACK timeout per attempt');
    assert.equal(wireA.written.length, 3);
    await a.close();
    await wireB.close();
  });

  it('skips and counts noise the line adds between frames', async () => {
    const { a, b, gotB, wireB } = make();
    wireB.emitData(Buffer.from('\x00\xffhello', 'latin1'));
    await a.send(Buffer.from('{"n":1}'));
    wireB.emitData(Buffer.from([0x7f, 0x80]));
    await a.send(Buffer.from('{"n":2}'));
    assert.deepEqual(gotB, ['{"n":1}', '{"n":2}']);
    assert.equal(b.stats.noiseBytes, 9);
  });

  it('discards a partial frame that stalls longer than the inter-byte timeout', async () => {
    const { b, gotB, wireB } = make();
    wireB.emitData(encodeFrame(9, Buffer.from('{"n":1}')).subarray(0, 6));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(b.stats.stalledFrames, 1);
    assert.equal(b.stats.noiseBytes, 6);
    wireB.emitData(encodeFrame(9, Buffer.from('{"n":2}')));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(gotB, ['{"n":2}']);
  });

  it('rejects an outstanding send with EcrLinkClosedError when the peer closes', async () => {
    const [wireA, wireB] = createMemoryChannelPair();
    const a = new EcrLink(wireA, { ackTimeoutMs: 5000 });
    let closed = 0;
    a.start(
      () => {},
      () => closed++,
    );
    const sending = a.send(Buffer.from('{}'));
    await tick();
    await wireB.close();
    await assert.rejects(sending, EcrLinkClosedError);
    await assert.rejects(a.send(Buffer.from('{}')), { code: 'E_ECR_LINK_CLOSED', verdict: 'broken' });
    assert.equal(closed, 1);
    await a.close();
  });

  it('traces every frame and token, with PANs masked in the payload text', async () => {
    const trace: EcrTraceRecord[] = [];
    const [wireA, wireB] = createMemoryChannelPair();
    const a = new EcrLink(wireA, { ...FAST, onTrace: (r) => trace.push(r) });
    const b = new EcrLink(wireB, FAST);
    a.start(() => {});
    b.start(() => {});
    await a.send(Buffer.from('{"receipt":"CARD 6222021234567890123"}'));
    await Promise.all([a.close(), b.close()]);
    assert.deepEqual(
      trace.map((t) => `${t.dir} ${t.type} ${t.seq}`),
      ['tx frame 0', 'rx ack 0'],
    );
    assert.equal(trace[0]!.text, '{"receipt":"CARD 622202*********0123"}');
    assert.equal(trace[0]!.link, 'memory:a');
  });

  it('rejects an unsendable payload without using up a sequence number, and survives a throwing consumer', async () => {
    const [wireA, wireB] = createMemoryChannelPair();
    const a = new EcrLink(wireA, FAST);
    const b = new EcrLink(wireB, FAST);
    const got: string[] = [];
    a.start(() => {});
    b.start((p) => {
      got.push(p.toString());
      if (got.length === 1) throw new Error('consumer bug');
    });
    await assert.rejects(a.send(Buffer.from('{"a":\t1}')), { reason: 'payload' });
    await a.send(Buffer.from('{"n":1}'));
    await a.send(Buffer.from('{"n":2}'));
    assert.deepEqual(got, ['{"n":1}', '{"n":2}']);
    assert.deepEqual(
      wireA.written.map((f) => f[3]),
      [0, 1],
    );
    await Promise.all([a.close(), b.close()]);
  });
});
