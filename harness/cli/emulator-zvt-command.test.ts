import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { SerialPort } from 'serialport';
import { startPtyPair } from '../emulator/ecr/index.js';
import { startHost, type HostHandle } from '../host/index.js';
import { ZvtApduParser, encodeSerialFrame, registration, type Apdu } from '../zvt/index.js';
import { memoryIo } from './command.js';
import { runEmulator } from './emulator-command.js';
import { UsageError } from './usage-error.js';

describe('payhil emulator --zvt (command)', function () {
  this.timeout(15000);
  let host: HostHandle;
  before(async () => {
    host = await startHost({ dialect: 'cup' });
  });
  after(async () => host.close());
  const never = new Promise<void>(() => undefined);
  const base = (): string[] => [
    '--profile',
    'cup-pos-ci',
    '--host',
    `${host.address.host}:${host.address.port}`,
  ];

  for (const [args, message] of [
    [['--zvt', 'usb:x'], /--zvt must be serial:PATH or tcp:HOST:PORT, got 'usb:x'/],
    [['--zvt', 'tcp:nowhere'], /--zvt tcp: must be HOST:PORT/],
    [['--zvt-password', '12ab56'], /--zvt-password must be 6 digits, got '12ab56'/],
    [['--zvt-max-clients', '0'], /--zvt-max-clients must be a whole number of at least 1, got '0'/],
    [['--zvt-idle-timeout', '1.5'], /--zvt-idle-timeout must be a whole number of at least 0, got '1.5'/],
  ] as const) {
    it(`usage error: ${args.join(' ')}`, async () => {
      await assert.rejects(runEmulator([...base(), ...args], memoryIo(), never), (e: unknown) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, message);
        return true;
      });
    });
  }

  async function started(args: string[]) {
    const io = memoryIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const run = runEmulator([...base(), ...args], io, stopped);
    const waitFor = async (pattern: RegExp): Promise<string> => {
      const until = Date.now() + 10000;
      while (!pattern.test(io.stdout.join('\n')) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      return io.stdout.join('\n');
    };
    await waitFor(/ready$/m);
    return { io, waitFor, stop: async () => (stop(), await run) };
  }

  it('--zvt-max-clients 1 --zvt-idle-timeout 1: a second cash register is refused, a silent one closed after 1 s', async () => {
    const e = await started([
      '--zvt',
      'tcp:127.0.0.1:0',
      '--zvt-max-clients',
      '1',
      '--zvt-idle-timeout',
      '1',
    ]);
    try {
      const port = Number(/ZVT listening on tcp 127\.0\.0\.1:(\d+)/.exec(e.io.stdout.join('\n'))?.[1]);
      const first = connect({ host: '127.0.0.1', port });
      first.on('error', () => undefined);
      await e.waitFor(/ZVT tcp:\S+ open/);
      const second = connect({ host: '127.0.0.1', port });
      second.on('error', () => undefined);
      assert.match(await e.waitFor(/refused/), /ZVT tcp:\S+ refused: 1 cash registers served already/);
      assert.match(await e.waitFor(/idle/), /ZVT tcp:\S+ closed: idle: nothing received for 1000 ms/);
      first.destroy();
      second.destroy();
    } finally {
      await e.stop();
    }
  });

  it('--zvt tcp: answers the spec Registration with 80 00 00 and Completion 06 0F', async () => {
    const e = await started(['--zvt', 'tcp:127.0.0.1:0']);
    const port = Number(/ZVT listening on tcp 127\.0\.0\.1:(\d+)/.exec(e.io.stdout.join('\n'))?.[1]);
    assert.ok(port > 0);
    const socket = connect({ host: '127.0.0.1', port });
    const parser = new ZvtApduParser();
    const got: Apdu[] = [];
    socket.on('data', (d) => got.push(...parser.push(d)));
    socket.write(Buffer.from('06 00 06 12 34 56 BA 09 78'.replace(/ /g, ''), 'hex'));
    const until = Date.now() + 5000;
    while (got.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      got.map((a) => `${a.cls.toString(16)} ${a.ins.toString(16)}`),
      ['80 0', '6 f'],
    );
    socket.destroy();
    assert.equal(await e.stop(), 0);
  });

  it('--zvt serial: a frame with a wrong CRC is answered NAK and printed; a good one ACKed and answered', async () => {
    const pty = await startPtyPair();
    const e = await started(['--zvt', `serial:${pty.a}`, '--baud', '115200']);
    const port = new SerialPort({ path: pty.b, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((err) => (err ? rej(err) : res())));
    const received: Buffer[] = [];
    port.on('data', (d: Buffer) => received.push(d));
    try {
      const frame = encodeSerialFrame(registration('123456', 0xba, '0978'));
      const bad = Buffer.from(frame);
      bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0x5a;
      port.write(bad);
      const out = await e.waitFor(/bad-input/);
      assert.match(
        out,
        /ZVT serial:\S+ bad-input: ZVT serial frame: CRC 0x[0-9a-f]{4} does not match 0x[0-9a-f]{4}/,
      );
      port.write(frame);
      const until = Date.now() + 5000;
      // NAK for the bad frame, ACK for the good one, then the terminal's framed 80 00 00.
      while (Buffer.concat(received).length < 2 + 9 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 10));
      const all = Buffer.concat(received);
      assert.equal(all[0], 0x15, all.toString('hex'));
      assert.equal(all[1], 0x06, all.toString('hex'));
      assert.ok(all.subarray(2).toString('hex').startsWith('1002800000100'), all.toString('hex'));
    } finally {
      await new Promise<void>((r) => port.close(() => r()));
      await e.stop();
      await pty.close();
    }
  });
});
