import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { ZvtApduParser, ack, diagnosis, type Apdu } from '../../zvt/index.js';
import { startRig, type Rig } from '../emulator-test-kit.test-helper.js';
import { ZvtServer, ZVT_SERVER_DEFAULTS } from './zvt-server.js';

type LinkEvent = { type: string; link: string; detail?: string };

/** A cash register on TCP: its socket, whether it was closed, and the APDUs it got. */
async function cashRegister(port: number): Promise<{ socket: Socket; closed: () => boolean; got: Apdu[] }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let closed = false;
  const got: Apdu[] = [];
  const parser = new ZvtApduParser();
  socket.on('data', (d) => got.push(...parser.push(d)));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return { socket, closed: () => closed, got };
}

/** Waits (bounded) until `done()` holds; the assertion that follows says what was expected. */
async function until(done: () => boolean, boundMs = 10_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('ZVT server limits (too many cash registers, silent ones)', function () {
  this.timeout(20_000);
  let rig: Rig;
  const cleanup: (() => Promise<unknown> | void)[] = [];
  before(async () => {
    rig = await startRig({ signIn: false });
  });
  after(async () => rig.close());
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function server(options: { maxConnections?: number; idleTimeoutMs?: number }) {
    const events: LinkEvent[] = [];
    const s = new ZvtServer({
      terminal: () => rig.terminal,
      events: rig.terminal.events,
      ...options,
      onLinkEvent: (e) => events.push(e),
    });
    cleanup.push(() => s.close());
    const { port } = await s.listenTcp({ host: '127.0.0.1', port: 0 });
    return { port, events };
  }

  it('defaults: 4 cash registers, 15 minutes idle', () => {
    assert.deepEqual({ ...ZVT_SERVER_DEFAULTS }, { maxConnections: 4, idleTimeoutMs: 900_000 });
  });

  it('closes a TCP cash register that sent nothing for the idle timeout, with an event saying so', async () => {
    const { port, events } = await server({ idleTimeoutMs: 200 });
    const silent = await cashRegister(port);
    cleanup.push(() => void silent.socket.destroy());
    await until(silent.closed);
    assert.equal(silent.closed(), true, 'the silent cash register was disconnected');
    const e = events.find((x) => x.type === 'closed' && /idle/.test(x.detail ?? ''));
    assert.match(e?.detail ?? '', /idle: nothing received for 200 ms/);
  });

  it('a cash register that talks is not idle: its Diagnosis is answered after more than the idle time', async () => {
    const { port } = await server({ idleTimeoutMs: 300 });
    const c = await cashRegister(port);
    cleanup.push(() => void c.socket.destroy());
    // Something every 100 ms (a stray ACK the terminal ignores), for 600 ms: twice the idle time.
    for (let i = 0; i < 6; i++) {
      c.socket.write(ack());
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(c.closed(), false);
    c.socket.write(diagnosis());
    await until(() => c.got.some((a) => a.cls === 0x80 && a.ins === 0x00));
    assert.ok(
      c.got.some((a) => a.cls === 0x80),
      'the Diagnosis was ACKed',
    );
  });

  it('disconnects the cash register over maxConnections at once (refused event); the others keep being served', async () => {
    const { port, events } = await server({ maxConnections: 2, idleTimeoutMs: 0 });
    const a = await cashRegister(port);
    const b = await cashRegister(port);
    cleanup.push(
      () => void a.socket.destroy(),
      () => void b.socket.destroy(),
    );
    await until(() => events.filter((e) => e.type === 'open').length === 2);
    const c = await cashRegister(port);
    cleanup.push(() => void c.socket.destroy());
    await until(c.closed);
    assert.equal(c.closed(), true, 'the third was disconnected');
    assert.match(events.find((e) => e.type === 'refused')?.detail ?? '', /2 cash registers served already/);
    b.socket.write(diagnosis());
    await until(() => b.got.some((x) => x.cls === 0x80 && x.ins === 0x00));
    assert.ok(
      b.got.some((x) => x.cls === 0x80 && x.ins === 0x00),
      'the second still served',
    );
    assert.equal(a.closed(), false);
  });
});
