import { strict as assert } from 'node:assert';
import { createServer, type Server, type Socket } from 'node:net';
import { VpcdError } from './errors.js';
import { createVirtualCard } from './virtual-card.js';
import { serveCardOnVpcd, vpcdFrame, VpcdFrameParser } from './vpcd-bridge.js';

/** A stand-in for vpcd: accepts one card connection and exchanges frames with it. */
class FakeVpcd {
  server: Server = createServer();
  socket: Socket | undefined;
  private parser = new VpcdFrameParser();
  private queue: Buffer[] = [];
  private waiting: ((b: Buffer) => void) | undefined;
  connected!: Promise<void>;
  closed!: Promise<void>;

  async listen(): Promise<number> {
    this.connected = new Promise((resolveConnected) => {
      this.closed = new Promise((resolveClosed) => {
        this.server.on('connection', (s) => {
          this.socket = s;
          s.on('data', (c) => {
            for (const f of this.parser.push(c)) {
              if (this.waiting) {
                const w = this.waiting;
                this.waiting = undefined;
                w(f);
              } else this.queue.push(f);
            }
          });
          s.on('close', () => resolveClosed());
          resolveConnected();
        });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return (this.server.address() as { port: number }).port;
  }

  /** Sends a frame and waits for the answer (with a bound). */
  async ask(payload: Buffer): Promise<Buffer> {
    this.socket?.write(vpcdFrame(payload));
    return this.next();
  }

  send(payload: Buffer): void {
    this.socket?.write(vpcdFrame(payload));
  }

  next(): Promise<Buffer> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no frame within 2 s')), 2000);
      this.waiting = (b) => {
        clearTimeout(t);
        resolve(b);
      };
    });
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

describe('cards/vpcd-bridge', () => {
  let vpcd: FakeVpcd;
  beforeEach(() => {
    vpcd = new FakeVpcd();
  });
  afterEach(() => vpcd.close());

  it('splits length frames at every split point', () => {
    const frames = Buffer.concat([
      vpcdFrame(Buffer.from([0x04])),
      vpcdFrame(Buffer.from('00A4040000', 'hex')),
      vpcdFrame(Buffer.alloc(0)),
    ]);
    for (let cut = 0; cut <= frames.length; cut++) {
      const p = new VpcdFrameParser();
      const got = [...p.push(frames.subarray(0, cut)), ...p.push(frames.subarray(cut))];
      assert.deepEqual(
        got.map((b) => b.toString('hex')),
        ['04', '00a4040000', ''],
        `split at ${cut}`,
      );
    }
  });

  it('answers ATR requests, power controls and APDUs, and removes the card on close()', async () => {
    const port = await vpcd.listen();
    const card = createVirtualCard('cup-debit');
    const handle = await serveCardOnVpcd(card, { port });
    await vpcd.connected;
    assert.equal((await vpcd.ask(Buffer.from([0x04]))).toString('hex'), card.atr('contact').toString('hex'));
    vpcd.send(Buffer.from([0x01]));
    const r = await vpcd.ask(Buffer.from('00A404000E315041592E5359532E444446303100', 'hex'));
    assert.equal(r.toString('hex'), '611e');
    assert.equal(card.poweredVia, 'contact');
    vpcd.send(Buffer.from([0x00]));
    assert.equal((await vpcd.ask(Buffer.from([0x04]))).length, 12);
    assert.equal(card.poweredVia, undefined);
    await handle.close();
    await vpcd.closed;
    assert.equal(handle.apduCount, 1);
  });

  it('removes the card after removeAfterMs, and when vpcd goes away', async () => {
    const port = await vpcd.listen();
    const handle = await serveCardOnVpcd(createVirtualCard('phone-wallet'), { port, removeAfterMs: 50 });
    await handle.removed;
    await vpcd.closed;
    const vpcd2 = new FakeVpcd();
    const port2 = await vpcd2.listen();
    const h2 = await serveCardOnVpcd(createVirtualCard('cup-debit'), { port: port2 });
    await vpcd2.connected;
    await vpcd2.close();
    await h2.removed;
  });

  it('presents a contactless-only card on the contactless interface; a mute chip has no valid ATR', async () => {
    const port = await vpcd.listen();
    const wallet = createVirtualCard('phone-wallet');
    const handle = await serveCardOnVpcd(wallet, { port });
    await vpcd.connected;
    vpcd.send(Buffer.from([0x01]));
    assert.equal((await vpcd.ask(Buffer.from([0x04]))).subarray(0, 4).toString('hex'), '3b888001');
    assert.equal(wallet.poweredVia, 'contactless');
    await handle.close();

    const v2 = new FakeVpcd();
    const p2 = await v2.listen();
    const h2 = await serveCardOnVpcd(createVirtualCard('damaged-chip'), { port: p2 });
    await v2.connected;
    v2.send(Buffer.from([0x01]));
    assert.equal((await v2.ask(Buffer.from([0x04]))).toString('hex'), '3b');
    await h2.close();
    await v2.close();
  });

  it('a card leaving the field (holdMs) disconnects from vpcd', async () => {
    const port = await vpcd.listen();
    const card = createVirtualCard('ec-debit');
    card.injectFault({ kind: 'leave-field', holdMs: 30 });
    const handle = await serveCardOnVpcd(card, { port, via: 'contactless' });
    await handle.removed;
  });

  it('says what to start when nothing listens', async () => {
    const port = await vpcd.listen();
    await vpcd.close();
    await assert.rejects(
      serveCardOnVpcd(createVirtualCard('cup-debit'), { port }),
      (e: unknown) =>
        e instanceof VpcdError &&
        e.verdict === 'broken' &&
        /vsmartcard-vpcd/.test(e.message) &&
        /pcscd/.test(e.message),
    );
    vpcd = new FakeVpcd();
  });
});
