import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'mocha';
import type { CardPresenter } from '../../capabilities/index.js';
import { MuxDriver } from './mux-driver.js';
import { MuxSimulator, type MuxSimulatorOptions } from './mux-simulator.js';

/** The card side of the simulator, recorded instead of presented on vpcd. */
function fakePresenter(log: string[]): Pick<MuxSimulatorOptions, 'presenter'>['presenter'] {
  const cards: CardPresenter = {
    prepare: async (m) =>
      void log.push(
        `prepare ${Object.entries(m)
          .map(([a, c]) => `${a}=${String(c)}`)
          .join(' ')}`,
      ),
    insert: async (c) => void log.push(`insert ${c}`),
    tap: async (c, h) => void log.push(`tap ${c}${h !== undefined ? ` ${h}` : ''}`),
    swipe: async () => undefined,
    remove: async () => void log.push('remove'),
    state: async () => ({}),
  };
  return { cards, activate: async () => undefined, deactivate: async () => undefined };
}

/** A raw TCP peer that answers each line with `answer(line)` (undefined: silence). */
async function rawPeer(answer: (line: string, s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    let buf = '';
    s.on('data', (b) => {
      buf += b.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        answer(line, s);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

describe('MuxDriver over TCP', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  });

  async function simulated(opts: Partial<MuxSimulatorOptions> = {}) {
    const log: string[] = [];
    const sim = new MuxSimulator({
      slots: { 1: 'cup-debit', 3: 'ec-debit' },
      presenter: fakePresenter(log),
      ...opts,
    });
    await sim.start();
    const port = await sim.listenTcp('127.0.0.1', 0);
    closers.push(() => sim.close());
    const d = new MuxDriver({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 400 });
    closers.push(() => d.deactivate());
    return { sim, d, log };
  }

  it('selects, reports slots and status, deselects', async () => {
    const { d, log } = await simulated();
    await d.activate();
    assert.deepEqual(await d.mux.status(), { selected: undefined, slots: 16 });
    assert.equal(await d.mux.slotCard(1), 'cup-debit');
    assert.equal(await d.mux.slotCard(2), undefined);
    await d.mux.select(3, 'contactless', 80);
    assert.deepEqual(await d.mux.status(), { selected: 3, slots: 16 });
    await d.mux.select(1);
    await d.mux.deselect();
    // This simulated mux has no monitor port: the refusal names the command.
    await assert.rejects(
      d.mux.monitor?.(1) ?? Promise.resolve(),
      /MONITOR 1: the multiplexer refused: ERR BADCMD this multiplexer has no monitor port/,
    );
    assert.deepEqual(log, [
      'prepare slot1=cup-debit slot3=ec-debit',
      'remove',
      'tap slot3 80',
      'remove',
      'insert slot1',
      'remove',
    ]);
  });

  it('a refusal is a broken E_MUX_REFUSED carrying the mux code; a jam says so', async () => {
    const { d } = await simulated({ jam: true });
    await d.activate();
    await assert.rejects(
      d.mux.select(2),
      (e: Error & { code: string; verdict: string; causeCode: string }) => {
        assert.equal(e.code, 'E_MUX_REFUSED');
        assert.equal(e.verdict, 'broken');
        assert.equal(e.causeCode, 'JAM');
        assert.match(e.message, /ERR JAM switch arm stuck/);
        return true;
      },
    );
  });

  it('a silent mux fails activation with a timeout that says what to check', async () => {
    const { d } = await simulated({ silent: true });
    await assert.rejects(d.activate(), (e: Error & { code: string; verdict: string }) => {
      assert.equal(e.code, 'E_MUX_TIMEOUT');
      assert.equal(e.verdict, 'broken');
      assert.match(e.message, /no answer within 400 ms: check the multiplexer is powered and connected/);
      return true;
    });
    assert.equal(d.active, false);
  });

  it('skips noise, overlong lines and late answers of other verbs, then takes its own answer', async () => {
    const { server, port } = await rawPeer((line, s) => {
      if (line === 'STATUS') s.write('OK STATUS - 4\n');
      if (line === 'SELECT 2') {
        s.write('hello there\n');
        s.write(Buffer.from([0x00, 0xff, 0x0a]));
        s.write('X'.repeat(5000) + '\n');
        s.write('OK DESELECT\n'); // the late answer of an earlier command
        s.write('OK SEL');
        setTimeout(() => s.write('ECT 2\r\n'), 20);
      }
    });
    closers.push(() => new Promise((r) => server.close(r)));
    const d = new MuxDriver({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 1000 });
    closers.push(() => d.deactivate());
    await d.activate();
    await d.mux.select(2);
    assert.deepEqual(await d.mux.status(), { selected: undefined, slots: 4 });
  });

  it('answers that break the protocol are E_MUX_GARBAGE; a closed link is E_MUX_CLOSED', async () => {
    const { server, port } = await rawPeer((line, s) => {
      if (line === 'STATUS') s.write('OK STATUS x y\n');
      if (line === 'SLOT 1') s.destroy();
    });
    closers.push(() => new Promise((r) => server.close(r)));
    const d = new MuxDriver({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 1000 });
    await assert.rejects(d.activate(), { code: 'E_MUX_GARBAGE' });
    const { server: s2, port: p2 } = await rawPeer((line, s) => {
      if (line === 'STATUS') s.write('OK STATUS 1 8\n');
      if (line === 'SLOT 1') s.destroy();
    });
    closers.push(() => new Promise((r) => s2.close(r)));
    const d2 = new MuxDriver({ kind: 'tcp', host: '127.0.0.1', port: p2 }, { timeoutMs: 1000 });
    await d2.activate();
    await assert.rejects(d2.mux.slotCard(1), { code: 'E_MUX_CLOSED' });
    await assert.rejects(d2.mux.slotCard(1), { code: 'E_MUX_INACTIVE' });
  });

  it('nothing listening: E_MUX_PORT naming the address to check; no serial port: E_MUX_PORT', async () => {
    const { server, port } = await rawPeer(() => undefined);
    await new Promise((r) => server.close(r));
    await assert.rejects(
      new MuxDriver({ kind: 'tcp', host: '127.0.0.1', port }).activate(),
      /ECONNREFUSED.*card\.address/,
    );
    await assert.rejects(
      new MuxDriver({ kind: 'serial', path: '/dev/payhil-no-such-mux' }).activate(),
      (e: Error & { code: string }) => {
        assert.equal(e.code, 'E_MUX_PORT');
        assert.match(e.message, /no serial port at \/dev\/payhil-no-such-mux/);
        return true;
      },
    );
  });

  it('the simulator keeps serving after garbage and unknown commands', async () => {
    const { sim } = await simulated();
    const answers: string[] = [];
    for (const cmd of ['BOGUS', 'SELECT', 'SELECT 99', 'SELECT 2', 'SELECT 1 XX', 'SLOT 3', 'MONITOR 1'])
      answers.push(await sim.command(cmd));
    assert.deepEqual(
      answers.map((a) => a.split(' ').slice(0, 2).join(' ')),
      ['ERR BADCMD', 'ERR BADSLOT', 'ERR BADSLOT', 'ERR BADSLOT', 'ERR BADCMD', 'OK SLOT', 'ERR BADCMD'],
    );
  });
});
