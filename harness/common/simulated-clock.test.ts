import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { describe, it } from 'mocha';
import { realClock } from './clock.js';
import { SimulatedClock } from './simulated-clock.js';

const START = Date.UTC(2026, 0, 1);
const turns = (n: number): Promise<void> =>
  n <= 0 ? Promise.resolve() : new Promise((r) => setImmediate(() => void turns(n - 1).then(r)));

describe('SimulatedClock', () => {
  it('fires timers in due order (ties in the order set) with now() at their due time', async () => {
    const c = new SimulatedClock({ startAt: START });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      c.setTimeout(() => seen.push(`b@${c.now() - START}`), 2000);
      c.setTimeout(() => seen.push(`a@${c.now() - START}`), 500);
      c.setTimeout(() => seen.push(`c@${c.now() - START}`), 2000);
      c.setTimeout(resolve, 3000);
    });
    await done;
    assert.deepEqual(seen, ['a@500', 'b@2000', 'c@2000']);
    assert.equal(c.now() - START, 3000);
  });

  it('does not fire a cancelled timer; sleep resolves in simulated time and rejects on abort', async () => {
    const c = new SimulatedClock({ startAt: START });
    let fired = false;
    c.setTimeout(() => (fired = true), 100).cancel();
    await c.sleep(250);
    assert.equal(c.now() - START, 250);
    assert.equal(fired, false);
    const ac = new AbortController();
    const slept = c.sleep(10000, ac.signal);
    c.setTimeout(() => ac.abort(new Error('stop')), 50);
    await assert.rejects(slept, /stop/);
    assert.equal(c.now() - START, 300);
  });

  it('holds time while bytes go back and forth on a loopback socket', async () => {
    const c = new SimulatedClock({ startAt: START });
    const server: Server = createServer((s) => s.on('data', (d) => s.write(d)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    let timerFired = false;
    const timer = c.setTimeout(() => (timerFired = true), 1);
    try {
      const sock = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await new Promise<void>((r) => sock.once('connect', r));
      // 200 request/answer round trips, each one a write and a read in flight: time may not move.
      for (let i = 0; i < 200; i++) {
        const echoed = new Promise<void>((r) => sock.once('data', () => r()));
        sock.write(`ping ${i}\n`);
        await echoed;
        assert.equal(timerFired, false, `the 1 ms timer fired during round trip ${i}`);
      }
      sock.destroy();
      assert.equal(c.now(), START);
    } finally {
      timer.cancel();
      server.close();
    }
  });

  it('holds time while a file read is in flight', async () => {
    const c = new SimulatedClock({ startAt: START });
    let timerFired = false;
    const timer = c.setTimeout(() => (timerFired = true), 1);
    for (let i = 0; i < 20; i++) {
      await readFile(new URL(import.meta.url));
      assert.equal(timerFired, false, `the timer fired during read ${i}`);
    }
    timer.cancel();
  });

  it('with only guards left, tells its stall listeners once; without listeners it jumps to the guard', async () => {
    const c = new SimulatedClock({ startAt: START });
    let guardFired = false;
    const guard = c.setTimeout(() => (guardFired = true), 60000, { guard: true });
    const stalled = new Promise<number>((resolve) => {
      const off = c.onStall(() => {
        off();
        resolve(c.now() - START);
      });
    });
    assert.equal(await stalled, 0, 'stalled at once: nothing else can happen');
    assert.equal(guardFired, false);
    await new Promise<void>((r) => c.setTimeout(r, 60000, { guard: true }));
    assert.equal(guardFired, true, 'no listener left: time went to the guard');
    guard.cancel();
    assert.equal(c.stats().stalls, 1);
  });

  it('an unref’d timer alone does not move time; it fires when a ref’d one does', async () => {
    const c = new SimulatedClock({ startAt: START });
    let early = false;
    c.setTimeout(() => (early = true), 100, { unref: true });
    await turns(20);
    assert.equal(early, false);
    assert.equal(c.now(), START);
    await c.sleep(200);
    assert.equal(early, true);
  });
});

describe('realClock', () => {
  it('is real time: now() is Date.now() and it never stalls', async () => {
    const before = Date.now();
    assert.ok(realClock.now() >= before);
    assert.equal(realClock.simulated, false);
    const off = realClock.onStall(() => assert.fail('a real clock does not stall'));
    await realClock.sleep(5);
    off();
  });
});
