/**
 * The ecr-tcp and ecr-serial drivers against the real emulator: an in-process terminal (createTerminal)
 * with the host simulator on 127.0.0.1, served by an EcrServer through the emulator's ECR adapter, over
 * TCP (port 0) and over a socat pty pair. Sign-in, a chip purchase with PIN, observations on the
 * "timeline", and the lab faults (connection refused, port missing, port busy) as broken. Then the same
 * over a pty pair with `payhil emulator` as its own process.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import type { Driver, Observation } from '../../harness/capabilities/index.js';
import { EcrDriver, EcrDriverError, EcrDriverRefusedError } from '../../harness/drivers/ecr/index.js';
import { EcrSerialDriver } from '../../harness/drivers/ecr-serial/index.js';
import { EcrTcpDriver, parseEcrTcpAddress } from '../../harness/drivers/ecr-tcp/index.js';
import { EcrServer, startPtyPair, type PtyPair } from '../../harness/emulator/ecr/index.js';
import { EcrTerminalAdapter, forwardEcrEvents } from '../../harness/emulator/ecr-terminal-adapter.js';
import { createTerminal, TerminalEvents, type EmulatedTerminal } from '../../harness/emulator/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process.test-helper.js';

const FULL_PAN = '6222021000000000017'; // cup-debit fixture (test card)
const PIN = '123456'; // cup-debit fixture's test PIN

/** Observations of a driver, with a bounded wait for one that matches. */
class Seen {
  readonly list: Observation[] = [];
  constructor(d: EcrDriver) {
    d.observe((o) => this.list.push(o));
  }
  async waitFor(pred: (o: Observation) => boolean, ms = 10000): Promise<Observation> {
    const end = Date.now() + ms;
    for (;;) {
      const o = this.list.find(pred);
      if (o) return o;
      if (Date.now() > end)
        throw new Error(`no matching observation in ${ms} ms; saw ${this.list.map((x) => x.kind).join(' ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  results(): Record<string, unknown>[] {
    return this.list.filter((o) => o.kind === 'result').map((o) => o.data.result as Record<string, unknown>);
  }
}

async function purchaseWithPin(d: EcrDriver, seen: Seen, amount: number): Promise<Record<string, unknown>> {
  const before = seen.results().length;
  await d.terminal.start('purchase', { amount });
  await d.cards.prepare({ mine: 'cup-debit' });
  await d.cards.insert('mine');
  await d.keypad.enterPin(PIN);
  await seen.waitFor(() => seen.results().length > before);
  await d.terminal.idle(10000);
  await d.cards.remove();
  return seen.results()[before] as Record<string, unknown>;
}

describe('e2e: ecr-tcp and ecr-serial drivers against the emulator', function () {
  this.timeout(60000);
  let host: HostHandle;
  let terminal: EmulatedTerminal;
  let server: EcrServer;
  let unforward: () => void;
  let tcp: { host: string; port: number };
  let pty: PtyPair;

  before(async () => {
    host = await startHost({ dialect: 'cup' });
    const events = new TerminalEvents();
    const make = () => createTerminal({ profile: 'cup-pos-ci', host: host.address, events });
    terminal = await make();
    const adapter = new EcrTerminalAdapter({
      terminal: () => terminal,
      powerCycle: async () => {
        await terminal.close();
        terminal = await make();
      },
    });
    server = new EcrServer({ handler: adapter.handler, testMode: true });
    unforward = forwardEcrEvents(events, (e) => server.pushEvent(e));
    tcp = await server.listenTcp({ host: '127.0.0.1', port: 0 });
    pty = await startPtyPair();
    await server.openSerial(pty.a);
  });
  after(async () => {
    unforward?.();
    await server?.close();
    await pty?.close();
    await terminal?.close();
    await host?.close();
  });

  it('ecr-tcp: sign-in and a chip purchase with PIN; outcome, display and receipt on the timeline, masked', async () => {
    const d = new EcrTcpDriver(tcp, { previousTimeoutMs: 500 });
    const seen = new Seen(d);
    try {
      await d.activate();
      assert.equal(d.inTestMode, true);
      await d.terminal.start('signIn');
      await d.terminal.idle(10000);
      assert.equal(seen.results()[0]?.outcome, 'approved');
      assert.equal((await d.terminal.status()).signedIn, true);

      const r = await purchaseWithPin(d, seen, 1234);
      assert.equal(r.outcome, 'approved');
      assert.equal(r.responseCode, '00');
      assert.equal(r.transaction, 'purchase');
      assert.equal(r.messageKey, 'approved');
      assert.match(String(r.reference), /^\d{12}$/);
      assert.equal(r.maskedPan, '622202*********0017');
      const displays = seen.list
        .filter((o) => o.kind === 'display')
        .map((o) => (o.data.lines as string[]).join(' | '));
      assert.ok(
        displays.some((t) => /INSERT/i.test(t)),
        `display asked for the card: ${displays.join(' / ')}`,
      );
      assert.ok(seen.list.some((o) => o.kind === 'state' && o.data.state === 'cardholderVerification'));
      assert.ok(seen.list.some((o) => o.kind === 'receipt'));
      assert.equal(JSON.stringify(seen.list).includes(FULL_PAN), false, 'no PAN in clear on the timeline');
      assert.equal(JSON.stringify(seen.list).includes(`"${PIN}"`), false);
      // The host saw the purchase with a PIN block.
      const req = host.journal.entries((e) => e.direction === 'in' && e.mti === '0200');
      assert.equal(req.length, 1);

      // A second transaction while one runs is refused by the terminal: broken, with the wire code.
      await d.terminal.start('purchase', { amount: 1 });
      await assert.rejects(
        d.terminal.start('balance'),
        (e: unknown) =>
          e instanceof EcrDriverRefusedError && e.remoteCode === 'BUSY' && e.verdict === 'broken',
      );
    } finally {
      await d.endScenario();
      await d.deactivate();
    }
    await assert.rejects(
      d.display.text(),
      (e: unknown) => e instanceof EcrDriverError && e.code === 'E_DRIVER_INACTIVE',
    );
  });

  it('ecr-serial over a socat pty pair: a purchase, void of the last one', async () => {
    const d = new EcrSerialDriver({ path: pty.b, baudRate: 115200 });
    const seen = new Seen(d);
    try {
      await d.activate();
      if (!(await d.terminal.status()).signedIn) {
        await d.terminal.start('signIn');
        await d.terminal.idle(10000);
      }
      const r = await purchaseWithPin(d, seen, 500);
      assert.equal(r.outcome, 'approved');
      const before = seen.results().length;
      await d.terminal.start('void', { of: 'last' });
      await d.cards.insert('mine');
      await d.keypad.enterPin(PIN);
      await seen.waitFor(() => seen.results().length > before, 15000);
      const v = seen.results()[before] as Record<string, unknown>;
      assert.equal(v.transaction, 'void');
      const voids = host.journal.entries(
        (e) => e.direction === 'in' && e.mti === '0200' && e.fields?.[3] === '200000',
      );
      assert.equal(voids.length, 1, 'the void reached the host with processing code 200000');
      assert.ok(seen.list.some((o) => o.kind === 'display'));
    } finally {
      await d.endScenario();
      await d.deactivate();
    }
  });

  it('lab faults are broken: connection refused, no such port, port busy', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const refused = new EcrTcpDriver({ host: '127.0.0.1', port: closed, connectTimeoutMs: 2000 });
    await assert.rejects(refused.activate(), (e: unknown) => {
      assert.ok(e instanceof EcrDriverError);
      assert.equal(e.verdict, 'broken');
      assert.match(e.message, new RegExp(`ecr-tcp 127.0.0.1:${closed}: activate: .*`));
      assert.equal(e.causeCode, 'E_ECR_CONNECT');
      return true;
    });
    const missing = new EcrSerialDriver({ path: '/dev/payhil-no-such-port' });
    await assert.rejects(
      missing.activate(),
      (e: unknown) => e instanceof EcrDriverError && e.verdict === 'broken' && /no-such-port/.test(e.message),
    );
    // pty.a is held (locked) by the emulator's EcrServer.
    const busy = new EcrSerialDriver({ path: pty.a });
    await assert.rejects(
      busy.activate(),
      (e: unknown) =>
        e instanceof EcrDriverError &&
        e.verdict === 'broken' &&
        /cannot be opened|busy|lock/i.test(e.message),
    );
  });
});

describe('e2e: ecr-serial driver against `payhil emulator` as its own process (socat pty)', function () {
  this.timeout(60000);
  let host: HostHandle;
  let pty: PtyPair;
  let emulator: EmulatorProcess | undefined;

  before(async () => {
    host = await startHost({ dialect: 'cup' });
    pty = await startPtyPair();
    emulator = await startEmulatorProcess([
      '--profile',
      'cup-pos-ci',
      '--host',
      `${host.address.host}:${host.address.port}`,
      '--ecr',
      `serial:${pty.a}`,
      '--sign-in',
    ]);
  });
  after(async () => {
    await emulator?.stop();
    await pty?.close();
    await host?.close();
  });

  it('a chip purchase with PIN; a power cycle per scenario signs the terminal out', async () => {
    const d = new EcrSerialDriver({ path: pty.b }, { powerCycleEachScenario: true });
    const asDriver: Driver = d; // the bench's Driver shape, checked by the compiler
    const seen = new Seen(d);
    try {
      await asDriver.activate();
      assert.equal((await d.terminal.status()).signedIn, true);
      const r = await purchaseWithPin(d, seen, 2500);
      assert.equal(r.outcome, 'approved');
      assert.equal(r.amount, 2500);
      await d.endScenario();
      await d.beginScenario();
      assert.equal((await d.terminal.status()).signedIn, false);
    } finally {
      await d.deactivate();
    }
  });
});

describe('hardware: a real terminal on an ECR link (PAYHIL_ECR_SERIAL=PATH[@BAUD] or PAYHIL_ECR_TCP=HOST:PORT)', function () {
  this.timeout(30000);

  it('reads status and display of the real terminal', async function () {
    const serial = process.env.PAYHIL_ECR_SERIAL;
    const tcpSpec = process.env.PAYHIL_ECR_TCP;
    if (!serial && !tcpSpec) this.skip(); // pending: needs a terminal named by PAYHIL_ECR_SERIAL or PAYHIL_ECR_TCP
    let d: EcrDriver;
    if (serial) {
      const [path, baud] = serial.split('@');
      d = new EcrSerialDriver({ path: path as string, ...(baud ? { baudRate: Number(baud) } : {}) });
    } else {
      const a = parseEcrTcpAddress(tcpSpec as string);
      assert.ok(a, `PAYHIL_ECR_TCP must be HOST:PORT, got ${tcpSpec}`);
      d = new EcrTcpDriver(a);
    }
    try {
      await d.activate();
      const s = await d.terminal.status();
      assert.equal(typeof s.state, 'string');
      assert.equal(typeof (await d.display.text()), 'string');
    } finally {
      await d.deactivate();
    }
  });
});
