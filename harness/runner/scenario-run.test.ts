import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { LoadedStep, Scenario } from '../scenario/index.js';
import { runScenario } from './scenario-run.js';
import { createMockBench } from '../testing/index.js';

const at = { file: 'scenarios/x/y.yaml', line: 1, col: 1 };

function step(action: string, args: unknown = null): LoadedStep {
  return { action: action as LoadedStep['action'], args, at };
}

function scenario(steps: LoadedStep[], extra: Partial<Scenario> = {}): Scenario {
  return {
    id: 'x/y',
    baseId: 'x/y',
    title: 'test',
    tags: [],
    severity: 'normal',
    requires: [],
    bench: {},
    cards: { card: 'cup-debit' },
    host: { rules: [], accounts: {} },
    vars: {},
    params: {},
    retries: 0,
    steps,
    finally: [],
    at,
    file: 'scenarios/x/y.yaml',
    captures: [],
    ...extra,
  };
}

describe('runScenario (mock bench)', () => {
  it('dispatches steps to capabilities and passes when expectations hold', async () => {
    const m = createMockBench();
    m.onCall = (c) => {
      if (c.capability === 'keypad' && c.method === 'enterPin')
        m.exchange(
          { mti: '0200', fields: { 4: '000000001250' } },
          { mti: '0210', fields: { 39: '00', 37: '000000000009' } },
        );
    };
    await m.bench.activate();
    const run = await runScenario(
      scenario([
        step('purchase', { amount: '12.50' }),
        step('insert', { card: 'card' }),
        step('enterPin', { pin: '123456' }),
        step('expect', { host: { request: { mti: '0200', '4': 1250 }, response: { '39': '00' } } }),
        step('capture', { rrn: 'response.37' }),
        step('remove', null),
        step('void', { of: '${rrn}' }),
      ]),
      m.bench,
    );
    assert.equal(run.status, 'passed', run.message);
    const calls = m.calls.map((c) => `${c.capability}.${c.method}`);
    assert.deepEqual(calls.slice(0, 5), [
      'cards.prepare',
      'host.reset',
      'terminal.start',
      'cards.insert',
      'keypad.enterPin',
    ]);
    const v = m.calls.find((c) => c.method === 'start' && c.args[0] === 'void');
    assert.deepEqual(v?.args, ['void', { of: '000000000009' }], 'the captured reference reached the void');
    assert.equal(run.steps.length, 7);
    assert.equal(run.steps[2]?.name, 'enterPin (6 digits)', 'no PIN in the step name');
  });

  it('reports an expectation that does not hold as failed, and still runs finally', async () => {
    const m = createMockBench();
    await m.bench.activate();
    m.onCall = (c) => {
      if (c.method === 'prepare')
        m.exchange({ mti: '0200', fields: {} }, { mti: '0210', fields: { 39: '51' } });
    };
    const run = await runScenario(
      scenario([step('expect', { host: { response: { '39': '00' } }, within: 20 }), step('signIn')], {
        finally: [step('remove')],
      }),
      m.bench,
    );
    assert.equal(run.status, 'failed');
    assert.equal(run.category, 'product');
    assert.match(run.message ?? '', /response\.39: expected = 00, got 51/);
    assert.equal(m.calls.filter((c) => c.method === 'start').length, 0, 'no step after the failure');
    assert.ok(
      m.calls.some((c) => c.capability === 'cards' && c.method === 'remove'),
      'finally ran',
    );
  });

  it('reports a lab fault as broken, not failed', async () => {
    const m = createMockBench();
    await m.bench.activate();
    m.breakNext('cards', 'insert', 'card robot jammed');
    const run = await runScenario(scenario([step('insert', { card: 'card' })]), m.bench);
    assert.equal(run.status, 'broken');
    assert.equal(run.category, 'lab');
    assert.match(run.message ?? '', /card robot jammed/);
    assert.equal(run.steps[0]?.status, 'broken');
  });

  it('skips a scenario whose requirements the bench lacks', async () => {
    const m = createMockBench(['chip']);
    await m.bench.activate();
    const run = await runScenario(scenario([step('signIn')], { requires: ['chip', 'robot'] }), m.bench);
    assert.equal(run.status, 'skipped');
    assert.match(run.message ?? '', /robot/);
    assert.equal(m.calls.length, 0);
  });

  it('clock and mode steps go to the calendar and mode capabilities', async () => {
    const m = createMockBench(['chip', 'host', 'clock', 'maintenance']);
    await m.bench.activate();
    const run = await runScenario(
      scenario(
        [
          step('clock', { set: '2026-12-31T23:59:50+08:00' }),
          step('clock', { advance: '1h' }),
          step('mode', 'maintenance'),
          step('mode', 'normal'),
        ],
        { requires: ['clock', 'maintenance'] },
      ),
      m.bench,
    );
    assert.equal(run.status, 'passed', run.message);
    assert.deepEqual(
      m.calls.filter((c) => c.capability === 'calendar' || c.capability === 'mode'),
      [
        { capability: 'calendar', method: 'set', args: ['2026-12-31T23:59:50+08:00'] },
        { capability: 'calendar', method: 'advance', args: [3_600_000] },
        { capability: 'mode', method: 'set', args: ['maintenance'] },
        { capability: 'mode', method: 'set', args: ['normal'] },
      ],
    );
  });

  it('a clock scenario on a bench that cannot set the clock is skipped with the reason', async () => {
    const m = createMockBench(['chip', 'host']);
    await m.bench.activate();
    const run = await runScenario(
      scenario([step('clock', { advance: '1h' })], { requires: ['host', 'clock'] }),
      m.bench,
    );
    assert.equal(run.status, 'skipped');
    assert.match(run.message ?? '', /clock/);
    assert.equal(m.calls.length, 0);
  });

  it('stops at the scenario timeout (broken, timeout category) and runs finally', async () => {
    const m = createMockBench();
    await m.bench.activate();
    const run = await runScenario(
      scenario([step('wait', { ms: 5000 })], { timeoutMs: 40, finally: [step('network', 'clear')] }),
      m.bench,
    );
    assert.equal(run.status, 'broken');
    assert.equal(run.category, 'timeout');
    assert.ok(run.stop - run.start < 3000);
    assert.ok(m.calls.some((c) => c.capability === 'network' && c.method === 'reset'));
  });

  it('repeats nested steps, reported as child steps', async () => {
    const m = createMockBench();
    await m.bench.activate();
    const inner = [step('press', { key: 'enter' })];
    const run = await runScenario(
      scenario([{ ...step('repeat', { times: 3, steps: [] }), steps: inner }]),
      m.bench,
    );
    assert.equal(run.status, 'passed');
    assert.equal(m.calls.filter((c) => c.method === 'press').length, 3);
    assert.equal(run.steps[0]?.children.length, 3);
  });

  it('maps network faults to the proxy: toxics renamed, durations in ms, message faults with their matcher', async () => {
    const m = createMockBench();
    await m.bench.activate();
    const run = await runScenario(
      scenario([
        step('network', { toxic: 'reset', stream: 'downstream', timeout: '100ms' }),
        step('network', { toxic: 'drop', on: { mti: '0210' }, stream: 'downstream' }),
      ]),
      m.bench,
    );
    assert.equal(run.status, 'passed', run.message);
    const toxic = m.calls.find((c) => c.method === 'addToxic')?.args[0];
    assert.deepEqual(toxic, { type: 'reset_peer', stream: 'downstream', attributes: { timeout: 100 } });
    const fault = m.calls.find((c) => c.method === 'addFault')?.args[0] as Record<string, unknown>;
    assert.equal(fault.action, 'drop');
    assert.deepEqual(fault.match, { mti: '0210' });
  });
  it('a fault a driver reports mid-scenario (a payhil bug) breaks the run with its stack', async () => {
    const m = createMockBench();
    const bug = new TypeError('reading a property of undefined');
    m.onCall = (c) => {
      // The terminal's transaction fails in the background while the scenario waits on the host.
      if (c.capability === 'cards' && c.method === 'insert') setImmediate(() => m.bench.fault(bug));
    };
    await m.bench.activate();
    const run = await runScenario(
      scenario([
        step('purchase', { amount: '12.50' }),
        step('insert', { card: 'card' }),
        step('expect', { host: { request: { mti: '0200' } }, within: '5s' }),
      ]),
      m.bench,
    );
    assert.equal(run.status, 'broken');
    assert.equal(run.category, 'lab');
    assert.equal(run.message, 'internal error: reading a property of undefined');
    assert.equal(run.stack, bug.stack);
    assert.equal(run.steps[2]?.status, 'broken', 'the waiting expectation stops at once');
  });

  it('keeps no stack for a typed lab fault', async () => {
    const m = createMockBench();
    await m.bench.activate();
    m.breakNext('cards', 'insert');
    const run = await runScenario(scenario([step('insert', { card: 'card' })]), m.bench);
    assert.equal(run.status, 'broken');
    assert.equal(run.message, 'cards is gone');
    assert.equal(run.stack, undefined);
  });
});
