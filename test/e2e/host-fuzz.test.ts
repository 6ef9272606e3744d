/**
 * Fuzz: 50,000 random and mutated frames against the running host. For every frame the host answers
 * or closes that connection (never hangs, never crashes), and afterwards it still serves a well-formed
 * purchase — on a connection that was open all along and on a new one.
 */
import { strict as assert } from 'node:assert';
import { connect, type Socket } from 'node:net';
import { FrameParser, encodeFrame, type Dialect, type IsoMessage } from '../../harness/iso8583/index.js';
import {
  applyMac,
  buildBatchUpload,
  buildNetworkManagement,
  buildReversal,
  buildSettlement,
  buildSignIn,
} from '../../harness/pos-protocol/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { seededRandom as prng } from '../../harness/common/seeded-random.js';
import {
  buildIccData,
  TEST_IMK_AC,
  TEST_PANS,
  TEST_PIN,
  TEST_TERMINAL,
  TEST_TERMINAL_2,
  TEST_TMK,
  TEST_TMK_2,
  testHostConfig,
  TestTerminal,
} from '../../harness/testing/index.js';

const TOTAL = 50000;
/** Frames with a broken length prefix, each on its own connection that the client then ends. */
const STREAM_CASES = 500;
const LANES = 16;

/** A connection that reports, per frame sent, whether an answer came or the connection closed. */
class FuzzLane {
  private parser: FrameParser;
  private waiting: ((r: 'answer' | 'closed') => void) | undefined;
  closed = false;
  constructor(
    readonly socket: Socket,
    dialect: Dialect,
  ) {
    this.parser = new FrameParser(dialect, { maxFrameBytes: 65535 });
    socket.on('data', (d: Buffer) => {
      let frames: Buffer[] = [];
      try {
        frames = this.parser.push(d);
      } catch {
        socket.destroy();
      }
      for (let i = 0; i < frames.length; i++) this.settle('answer');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.settle('closed');
    });
  }
  static open(port: number, dialect: Dialect): Promise<FuzzLane> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new FuzzLane(s, dialect)));
      s.once('error', reject);
    });
  }
  private settle(r: 'answer' | 'closed'): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(r);
  }
  send(frame: Buffer, timeoutMs = 5000): Promise<'answer' | 'closed' | 'timeout'> {
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve('timeout');
      }, timeoutMs);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.socket.write(frame);
    });
  }
}

describe('host e2e: fuzz (50,000 random and mutated frames)', function () {
  this.timeout(180000);
  let host: HostHandle;
  let bystander: TestTerminal;
  let fuzzer: TestTerminal;
  const seed = Number(process.env.PAYHIL_FUZZ_SEED ?? Date.now() % 1000000);

  before(async () => {
    host = await startHost({
      dialect: 'cup',
      config: testHostConfig({
        journalSize: 2000,
        limits: { maxConnections: 200, maxFrameBytes: 2048, idleTimeoutMs: 30000 },
      }),
    });
    bystander = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
    });
    await bystander.signIn();
    // The fuzz frames come from the second terminal, so its (mutated) sign-ins do not rotate the bystander's keys.
    fuzzer = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL_2,
      tmk: TEST_TMK_2,
    });
    await fuzzer.signIn();
  });
  after(async () => {
    await fuzzer.close();
    await bystander.close();
    await host.close();
  });

  it(`answers or closes for every frame and keeps serving (seed ${seed})`, async () => {
    const rnd = prng(seed);
    const d = fuzzer.dialect;
    const int = (n: number) => Math.floor(rnd() * n);
    const id = fuzzer.id;
    const mk = (m: IsoMessage) => encodeFrame(d, applyMac(d, m, fuzzer.keys!.mak));
    const purchase = fuzzer.build('purchase', {
      card: {
        pan: TEST_PANS.credit,
        expiry: '3012',
        psn: '01',
        iccData: buildIccData({ imkAc: TEST_IMK_AC, pan: TEST_PANS.credit, psn: '01', atc: 7, amount: 100 }),
      },
      amount: 100,
      pin: TEST_PIN,
    });
    const seeds = [
      encodeFrame(d, buildSignIn(id, '000001')),
      mk(purchase),
      mk(buildReversal(purchase)),
      mk(
        fuzzer.build('balance', {
          card: { pan: TEST_PANS.credit, track2: `${TEST_PANS.credit}=3012` },
          pin: TEST_PIN,
        }),
      ),
      mk(
        buildSettlement(id, '000009', fuzzer.batch, {
          debitAmount: 1,
          debitCount: 1,
          creditAmount: 0,
          creditCount: 0,
        }),
      ),
      mk(buildBatchUpload(id, fuzzer.batch, { stan: '000010', pan: TEST_PANS.credit, amount: 5 })),
      encodeFrame(d, buildNetworkManagement(id, '000011', fuzzer.batch)),
    ];
    const lengthed = (body: Buffer): Buffer => {
      const b = body.subarray(0, 2000);
      const out = Buffer.alloc(b.length + 2);
      out.writeUInt16BE(b.length, 0);
      b.copy(out, 2);
      return out;
    };
    const mutate = (): Buffer => {
      const base = seeds[int(seeds.length)] as Buffer;
      const body = Buffer.from(base.subarray(2));
      switch (int(7)) {
        case 0: {
          for (let k = 1 + int(4); k > 0; k--) {
            const i = int(body.length);
            body[i] = (body[i] as number) ^ (1 << int(8));
          }
          return lengthed(body);
        }
        case 1: {
          for (let k = 1 + int(8); k > 0; k--) body[int(body.length)] = int(256);
          return lengthed(body);
        }
        case 2:
          return lengthed(body.subarray(0, 1 + int(body.length - 1)));
        case 3: {
          const at = int(body.length);
          const extra = Buffer.from(Array.from({ length: 1 + int(40) }, () => int(256)));
          return lengthed(Buffer.concat([body.subarray(0, at), extra, body.subarray(at)]));
        }
        case 4: {
          // Mutate only the bitmap: fields appear and disappear.
          for (let k = 1 + int(3); k > 0; k--) body[13 + int(8)] = int(256);
          return lengthed(body);
        }
        case 5:
          return lengthed(Buffer.from(Array.from({ length: 1 + int(300) }, () => int(256))));
        default: {
          // A plausible MTI on random fields.
          body[11] = [0x02, 0x04, 0x08, 0x05, 0x03, 0x01, 0x09][int(7)] as number;
          body[12] = [0x00, 0x10, 0x20, 0x30][int(4)] as number;
          return lengthed(body);
        }
      }
    };

    let answered = 0;
    let closedCount = 0;
    const lanes: FuzzLane[] = [];
    for (let i = 0; i < LANES; i++) lanes.push(await FuzzLane.open(host.address.port, d));
    let sent = 0;
    const frameCount = TOTAL - STREAM_CASES;
    await Promise.all(
      lanes.map(async (_, li) => {
        while (sent < frameCount) {
          sent++;
          let lane = lanes[li] as FuzzLane;
          if (lane.closed) lanes[li] = lane = await FuzzLane.open(host.address.port, d);
          const frame = mutate();
          const r = await lane.send(frame);
          assert.notEqual(r, 'timeout', `no answer and no close for frame ${frame.toString('hex')}`);
          if (r === 'answer') answered++;
          else closedCount++;
        }
      }),
    );
    // Broken length prefixes and raw garbage streams: the host must close once the client ends.
    for (let i = 0; i < STREAM_CASES; i++) {
      const lane = await FuzzLane.open(host.address.port, d);
      const junk = Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256)));
      lane.socket.write(junk);
      lane.socket.end();
      const closed = await new Promise<boolean>((resolve) => {
        if (lane.closed) return resolve(true);
        const timer = setTimeout(() => resolve(false), 5000);
        lane.socket.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      assert.ok(closed, `connection not closed after ${junk.toString('hex')}`);
    }
    for (const l of lanes) l.socket.destroy();
    assert.equal(answered + closedCount, frameCount);
    assert.ok(answered > 1000 && closedCount > 100, `answered ${answered}, closed ${closedCount}`);

    const again = await bystander.transact('purchase', {
      card: { pan: TEST_PANS.credit, track2: `${TEST_PANS.credit}=3012` },
      amount: 100,
      pin: TEST_PIN,
    });
    assert.deepEqual([again.answer.fields[39], again.answer.macOk], ['00', true]);
    const fresh = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...TEST_TERMINAL,
      tmk: TEST_TMK,
    });
    try {
      await fresh.signIn();
      const r = await fresh.transact('purchase', {
        card: { pan: TEST_PANS.credit, track2: `${TEST_PANS.credit}=3012` },
        amount: 100,
        pin: TEST_PIN,
      });
      assert.deepEqual([r.answer.fields[39], r.answer.macOk], ['00', true]);
    } finally {
      await fresh.close();
    }
  });
});
