import assert from 'node:assert/strict';
import {
  ZvtLink,
  ZvtLinkError,
  encodeSerialFrame,
  ack,
  authorization,
  type ZvtChannel,
  type ZvtError,
} from './index.js';

/** One end of an in-memory duplex (the mock peer of a transport); `mute` drops what this end writes. */
class PipeEnd implements ZvtChannel {
  readonly written: Buffer[] = [];
  peer: PipeEnd | undefined;
  mute = false;
  private readonly queue: Buffer[] = [];
  private waiter: ((b: Buffer | null) => void) | undefined;
  closed = false;
  constructor(readonly description: string) {}
  async write(data: Buffer): Promise<void> {
    this.written.push(Buffer.from(data));
    if (!this.mute) setImmediate(() => this.peer?.deliver(Buffer.from(data)));
  }
  deliver(b: Buffer): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(b);
    else this.queue.push(b);
  }
  read(): Promise<Buffer | null> {
    const b = this.queue.shift();
    if (b) return Promise.resolve(b);
    if (this.closed) return Promise.resolve(null);
    return new Promise((r) => (this.waiter = r));
  }
  async close(): Promise<void> {
    this.closed = true;
    this.waiter?.(null);
    if (this.peer && !this.peer.closed) await this.peer.close();
  }
}

function pair(): [PipeEnd, PipeEnd] {
  const a = new PipeEnd('memory:a');
  const b = new PipeEnd('memory:b');
  a.peer = b;
  b.peer = a;
  return [a, b];
}

describe('ZVT link', () => {
  it('serial: an APDU goes framed, is ACKed by the peer link and arrives whole', async () => {
    const [a, b] = pair();
    const ecr = new ZvtLink(a, { transport: 'serial' });
    const pt = new ZvtLink(b, { transport: 'serial' });
    await ecr.send(authorization(1000));
    const got = await pt.receive(1000);
    assert.deepEqual([got.cls, got.ins, got.data.length], [0x06, 0x01, 7]);
    assert.deepEqual(b.written[0], Buffer.from([0x06]), 'the terminal side answered the frame with ACK');
    await ecr.close();
  });

  it('serial: a frame with a wrong CRC is answered NAK and reported; the sender repeats it', async () => {
    const [a, b] = pair();
    const bad: ZvtError[] = [];
    const pt = new ZvtLink(b, { transport: 'serial', onBadInput: (e) => bad.push(e) });
    const frame = encodeSerialFrame(ack());
    frame[frame.length - 2] = (frame[frame.length - 2] as number) ^ 0x01;
    await a.write(frame);
    await a.write(encodeSerialFrame(ack()));
    const got = await pt.receive(1000);
    assert.equal(got.cls, 0x80);
    assert.equal(bad[0]?.code, 'E_ZVT_CRC');
    assert.deepEqual(
      b.written.map((w) => w.toString('hex')),
      ['15', '06'],
      'NAK then ACK',
    );
    await pt.close();
  });

  it('serial: a peer that never ACKs makes send fail after its repeats, with a clear error', async () => {
    const [a, b] = pair();
    b.mute = true;
    const ecr = new ZvtLink(a, { transport: 'serial', ackTimeoutMs: 30, maxSends: 3 });
    await assert.rejects(
      ecr.send(authorization(1000)),
      (e: unknown) =>
        e instanceof ZvtLinkError &&
        e.code === 'E_ZVT_NO_ACK' &&
        /not acknowledged after 3 sends/.test(e.message),
    );
    assert.equal(a.written.length, 3);
    await ecr.close();
  });

  it('tcp: a silent peer makes receive fail within its bound; a closed one fails at once', async () => {
    const [a, b] = pair();
    const ecr = new ZvtLink(a, { transport: 'tcp' });
    await assert.rejects(
      ecr.receive(30, 'the completion'),
      /no answer within 30 ms while waiting for the completion/,
    );
    const pending = ecr.receive(5000, 'the completion');
    await b.close();
    await assert.rejects(pending, (e: unknown) => e instanceof ZvtLinkError && e.code === 'E_ZVT_CLOSED');
  });
});
