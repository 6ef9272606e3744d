import assert from 'node:assert/strict';
import type { Bench } from '../bench/index.js';
import { BenchHealthError, LabError } from './errors.js';
import { checkBench } from './health-check.js';

/** A bench stand-in for the health check alone: activation and the terminal's status are given. */
function fakeBench(o: { activate?: () => Promise<void>; status: () => Promise<unknown> }): Bench {
  return {
    name: 'fake',
    active: false,
    activate: o.activate ?? (async () => undefined),
    deactivate: async () => undefined,
    beginScenario: async () => undefined,
    endScenario: async () => undefined,
    has: (name: string) => name === 'terminal',
    get: () => ({ status: o.status }),
  } as unknown as Bench;
}

describe('lab/errors: typed errors of the bench health check', () => {
  it('a terminal that gives no status fails the check with E_LAB_HEALTH_NO_STATUS', async () => {
    const h = await checkBench(fakeBench({ status: async () => null }));
    assert.equal(h.healthy, false);
    assert.equal(h.reason, 'the terminal gave no status');
    assert.equal(h.code, 'E_LAB_HEALTH_NO_STATUS');
  });

  it('a part that does not answer within its bound fails the check with E_LAB_HEALTH_TIMEOUT', async () => {
    const h = await checkBench(
      fakeBench({ activate: () => new Promise<void>(() => undefined), status: async () => ({}) }),
      { timeoutMs: 30 },
    );
    assert.equal(h.healthy, false);
    assert.equal(h.reason, "bench 'fake' did not answer within 30 ms");
    assert.equal(h.code, 'E_LAB_HEALTH_TIMEOUT');
  });

  it('a bench whose terminal answers a status is healthy, with no code', async () => {
    const h = await checkBench(fakeBench({ status: async () => ({ state: 'idle' }) }));
    assert.equal(h.healthy, true);
    assert.equal(h.code, undefined);
  });

  it('BenchHealthError is a broken LabError with the part and the bound', () => {
    const e = new BenchHealthError(
      'E_LAB_HEALTH_TIMEOUT',
      'the terminal',
      'the terminal did not answer within 5 ms',
      5,
    );
    assert.ok(e instanceof LabError);
    assert.deepEqual(
      [e.code, e.verdict, e.part, e.timeoutMs],
      ['E_LAB_HEALTH_TIMEOUT', 'broken', 'the terminal', 5],
    );
  });
});
