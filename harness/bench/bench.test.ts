import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Bench } from './bench.js';
import { InactiveDriverError, type Driver } from '../capabilities/index.js';
import { CapabilityMissingError } from './errors.js';
import { applyAccountSetup, toHostRule } from './host-setup.js';
import type { HostConfig } from '../host/index.js';
import { createMockBench } from '../testing/index.js';

function driver(name: string, log: string[], fail = false): Driver {
  return {
    name,
    activate: async () => {
      if (fail) throw new Error(`${name} is gone`);
      log.push(`+${name}`);
    },
    deactivate: async () => void log.push(`-${name}`),
  };
}

describe('Bench', () => {
  it('refuses capabilities it lacks (broken) and any call while inactive', async () => {
    const m = createMockBench();
    assert.throws(() => m.bench.get('keypad'), InactiveDriverError);
    await m.bench.activate();
    assert.ok(m.bench.get('keypad'));
    const bare = new Bench({ name: 'bare', offers: [], drivers: [], capabilities: {} });
    await bare.activate();
    assert.throws(
      () => bare.get('operator'),
      (e: unknown) =>
        e instanceof CapabilityMissingError && e.verdict === 'broken' && /no operator/.test(e.message),
    );
  });

  it('activates drivers in order, deactivates in reverse, and rolls back a failed activation', async () => {
    const log: string[] = [];
    const b = new Bench({
      name: 'b',
      offers: [],
      drivers: [driver('a', log), driver('b', log)],
      capabilities: {},
    });
    await b.activate();
    await b.deactivate();
    assert.deepEqual(log, ['+a', '+b', '-b', '-a']);
    const log2: string[] = [];
    const bad = new Bench({
      name: 'c',
      offers: [],
      drivers: [driver('a', log2), driver('b', log2, true)],
      capabilities: {},
    });
    await assert.rejects(bad.activate(), /b is gone/);
    assert.deepEqual(log2, ['+a', '-a']);
    assert.equal(bad.active, false);
  });

  it('names the capability words a scenario needs and the bench lacks', () => {
    const b = new Bench({ name: 'b', offers: ['chip', 'host'], drivers: [], capabilities: {} });
    assert.deepEqual(b.missing(['chip', 'contactless', 'host', 'robot']), ['contactless', 'robot']);
  });
});

describe('host setup', () => {
  const base: HostConfig = {
    terminals: [],
    accounts: [{ card: 'cup-debit', balance: 1000000, limits: { single: 500000 } }],
  };

  it('turns scenario accounts (major units) into simulator accounts (minor units) without touching the base', () => {
    const c = applyAccountSetup(base, {
      accounts: {
        'cup-debit': { balance: '10.00', limits: { daily: 15 }, status: 'frozen', pinTriesLeft: 3 },
        'ec-debit': { balance: 1 },
      },
      cardOverrides: { 'cup-debit': { pin: '654321', unrelated: 1 } },
    });
    assert.deepEqual(c.accounts[0], {
      card: 'cup-debit',
      balance: 1000,
      limits: { single: 500000, daily: 1500 },
      status: 'frozen',
      pinTriesLeft: 3,
      pin: '654321',
    });
    assert.deepEqual(c.accounts[1], { card: 'ec-debit', balance: 100 });
    assert.equal(base.accounts[0]?.balance, 1000000);
  });

  it('converts rule durations and counts', () => {
    assert.deepEqual(
      toHostRule({
        mti: '0200',
        match: { '4': { gte: 500000 } },
        times: '1',
        respond: { delay: '1.5s', fields: { '39': '59' } },
      }),
      {
        mti: '0200',
        match: { '4': { gte: 500000 } },
        times: 1,
        respond: { delayMs: 1500, fields: { '39': '59' } },
      },
    );
  });
});
