import { strict as assert } from 'node:assert';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Observation } from '../../capabilities/index.js';
import { startPtyPair, type PtyPair } from '../../emulator/ecr/index.js';
import { card, startRig, type Rig } from '../../emulator/emulator-test-kit.test-helper.js';
import { ZvtServer } from '../../emulator/zvt/index.js';
import { ZvtApduParser, ack, encodeApdu, type Apdu } from '../../zvt/index.js';
import { ZvtDriverError, ZvtSerialDriver, ZvtTcpDriver } from './index.js';

/** Resolves with the first observation `pred` accepts (bounded: rejects after `ms`). */
function waitFor(obs: Observation[], pred: (o: Observation) => boolean, ms = 10000): Promise<Observation> {
  return new Promise((resolve, reject) => {
    const until = Date.now() + ms;
    const tick = (): void => {
      const o = obs.find(pred);
      if (o) return resolve(o);
      if (Date.now() > until)
        return reject(new Error(`not observed within ${ms} ms: ${JSON.stringify(obs.map((x) => x.kind))}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const displays = (o: Observation): string =>
  o.kind === 'display' ? (o.data.lines as string[]).join(' ') : '';
const resultOf = (o: Observation): Record<string, unknown> | undefined =>
  o.kind === 'result' ? (o.data.result as Record<string, unknown>) : undefined;

/** A raw cash register on TCP: sends APDUs and collects what the terminal answers. */
async function rawClient(port: number): Promise<{ socket: Socket; next(ms?: number): Promise<Apdu> }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise((r) => socket.once('connect', r));
  const parser = new ZvtApduParser();
  const got: Apdu[] = [];
  socket.on('data', (d) => got.push(...parser.push(d)));
  return {
    socket,
    next: async (ms = 5000) => {
      const until = Date.now() + ms;
      while (!got.length) {
        if (Date.now() > until) throw new Error('no APDU from the terminal');
        await new Promise((r) => setTimeout(r, 5));
      }
      return got.shift() as Apdu;
    },
  };
}

describe('zvt driver against the emulator over ZVT', function () {
  this.timeout(30000);
  let rig: Rig;
  let server: ZvtServer;
  let port: number;

  before(async () => {
    rig = await startRig({ signIn: false });
    server = new ZvtServer({ terminal: () => rig.terminal, events: rig.terminal.events });
    port = (await server.listenTcp({ host: '127.0.0.1', port: 0 })).port;
  });
  after(async () => {
    await server.close();
    await rig.close();
  });

  it('registers, signs in (Initialisation), pays (Authorization) with display, receipt and a masked result', async () => {
    const d = new ZvtTcpDriver({ host: '127.0.0.1', port });
    const obs: Observation[] = [];
    d.observe((o) => obs.push(o));
    await d.activate();
    try {
      await d.terminal.start('signIn');
      const signIn = resultOf(await waitFor(obs, (o) => resultOf(o)?.transaction === 'signIn'));
      assert.equal(signIn?.outcome, 'approved');

      await d.terminal.start('purchase', { amount: 1250 });
      await waitFor(obs, (o) => /INSERT/.test(displays(o)));
      await rig.terminal.cardSlot.insert(card('cup-debit'));
      await waitFor(obs, (o) => /PIN/.test(displays(o)));
      await rig.terminal.keypad.enterPin('123456');
      const r = resultOf(await waitFor(obs, (o) => resultOf(o)?.transaction === 'purchase'));
      assert.equal(r?.outcome, 'approved', JSON.stringify(r));
      assert.equal(r?.amount, 1250);
      assert.equal(r?.responseCode, '00');
      assert.match(String(r?.maskedPan), /^\d{6}\*+\d{4}$/);
      assert.match(String(r?.reference), /^\w{12}$/);
      assert.match(String(r?.receiptNumber), /^\d{4}$/);
      assert.ok(
        obs.some((o) => o.kind === 'receipt' && /12\.50/.test(String(o.data.text))),
        'a receipt with the amount',
      );
      await rig.terminal.cardSlot.remove();
      await d.terminal.idle(5000);

      // Reversal of the last payment by its receipt number (BMP 87).
      await d.terminal.start('void', { of: 'last' });
      const v = resultOf(await waitFor(obs, (o) => resultOf(o)?.transaction === 'void', 15000));
      assert.ok(v?.outcome, JSON.stringify(v));
      const status = await d.terminal.status();
      assert.equal(status.zvtLink, 'open');
    } finally {
      await d.deactivate();
    }
  });

  it('answers an unknown command 84 83 00 and a truncated BMP 84 9A 00, and keeps serving', async () => {
    const c = await rawClient(port);
    try {
      c.socket.write(encodeApdu(0x06, 0xfe));
      assert.deepEqual([...Buffer.from([(await c.next()).cls])], [0x84]);
      c.socket.write(Buffer.from('06010404001000', 'hex'));
      const n = await c.next();
      assert.deepEqual([n.cls, n.ins], [0x84, 0x9a]);
      c.socket.write(encodeApdu(0x06, 0x70));
      const a = await c.next();
      assert.deepEqual([a.cls, a.ins], [0x80, 0x00]);
      const done = await c.next();
      assert.deepEqual([done.cls, done.ins], [0x06, 0x0f]);
      c.socket.write(ack());
    } finally {
      c.socket.destroy();
    }
  });
});

describe('zvt driver: a terminal that stops answering', function () {
  this.timeout(10000);
  let silent: Server;
  let port: number;
  before(async () => {
    // ACKs the Registration (and a Diagnosis) and completes it, ACKs an Authorization, then says nothing more.
    silent = createServer((s) => {
      const p = new ZvtApduParser();
      s.on('data', (d) => {
        for (const a of p.push(d)) {
          if (a.cls === 0x06 && (a.ins === 0x00 || a.ins === 0x70))
            s.write(Buffer.concat([ack(), encodeApdu(0x06, 0x0f)]));
          else if (a.cls === 0x06 && a.ins === 0x01) s.write(ack());
        }
      });
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as AddressInfo).port;
  });
  after(() => silent.close());

  it('mid-payment: the driver reports a broken fault after its bound, never hangs', async () => {
    const faults: ZvtDriverError[] = [];
    const d = new ZvtTcpDriver(
      { host: '127.0.0.1', port },
      { silenceTimeoutMs: 200, onFault: (e) => faults.push(e) },
    );
    await d.activate();
    await d.terminal.start('purchase', { amount: 100 });
    await d.terminal.idle(5000);
    assert.equal(faults.length, 1);
    assert.equal(faults[0]?.verdict, 'broken');
    assert.equal(faults[0]?.code, 'E_DRIVER_ZVT_SILENT');
    assert.match(
      String(faults[0]?.message),
      /no answer within 200 ms while waiting for the terminal's next message during purchase/,
    );
    // Recovery: the next command opens the link anew.
    await d.beginScenario();
    assert.equal((await d.terminal.status()).zvtLink, 'open');
    await d.deactivate();
  });

  it('a Status Information with a truncated BMP is refused 84 9A 00 and reported broken, naming the BMP', async () => {
    let nakSeen: number | undefined;
    const garbled = createServer((s) => {
      const p = new ZvtApduParser();
      s.on('data', (d) => {
        for (const a of p.push(d)) {
          if (a.cls === 0x06 && a.ins === 0x00) s.write(Buffer.concat([ack(), encodeApdu(0x06, 0x0f)]));
          // BMP 04 (amount) needs 6 bytes; 2 follow.
          else if (a.cls === 0x06 && a.ins === 0x01)
            s.write(Buffer.concat([ack(), encodeApdu(0x04, 0x0f, Buffer.from('2700040010', 'hex'))]));
          else if (a.cls === 0x84) nakSeen = a.ins;
        }
      });
    });
    await new Promise<void>((r) => garbled.listen(0, '127.0.0.1', r));
    const faults: ZvtDriverError[] = [];
    const d = new ZvtTcpDriver(
      { host: '127.0.0.1', port: (garbled.address() as AddressInfo).port },
      { onFault: (e) => faults.push(e) },
    );
    try {
      await d.activate();
      await d.terminal.start('purchase', { amount: 100 });
      await d.terminal.idle(5000);
      assert.equal(faults.length, 1);
      assert.equal(faults[0]?.verdict, 'broken');
      assert.match(String(faults[0]?.message), /BMP 04 \(amount\): value of 6 bytes truncated to 2/);
      const until = Date.now() + 2000;
      while (nakSeen === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(nakSeen, 0x9a, 'the driver answered 84 9A 00');
    } finally {
      await d.deactivate();
      garbled.close();
    }
  });

  it('a terminal that does not ACK a command makes start reject (broken), bounded', async () => {
    const d = new ZvtTcpDriver({ host: '127.0.0.1', port }, { ackTimeoutMs: 150 });
    await d.activate();
    await assert.rejects(
      d.terminal.start('settle'),
      (e: unknown) =>
        e instanceof ZvtDriverError && e.verdict === 'broken' && /ACK of settle/.test(e.message),
    );
    await d.deactivate();
  });
});

describe('zvt over a serial line (socat pty pair)', function () {
  this.timeout(30000);
  let pty: PtyPair;
  let rig: Rig;
  let server: ZvtServer;
  before(async () => {
    pty = await startPtyPair();
    rig = await startRig({ signIn: false });
    server = new ZvtServer({ terminal: () => rig.terminal, events: rig.terminal.events });
    await server.openSerial(pty.a, { baudRate: 115200 });
  });
  after(async () => {
    await server.close();
    await rig.close();
    await pty.close();
  });

  it('registers and signs in over DLE STX … DLE ETX CRC frames', async () => {
    const d = new ZvtSerialDriver({ path: pty.b, baudRate: 115200 });
    const obs: Observation[] = [];
    d.observe((o) => obs.push(o));
    await d.activate();
    try {
      await d.terminal.start('signIn');
      const r = resultOf(await waitFor(obs, (o) => resultOf(o)?.transaction === 'signIn'));
      assert.equal(r?.outcome, 'approved');
    } finally {
      await d.deactivate();
    }
  });
});
