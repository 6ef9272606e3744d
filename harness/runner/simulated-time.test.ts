import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { SimulatedClock } from '../common/simulated-clock.js';
import type { LoadedStep, Scenario } from '../scenario/index.js';
import { runScenario } from './scenario-run.js';
import { createMockBench } from '../testing/index.js';

const at = { file: 'scenarios/x/y.yaml', line: 1, col: 1 };

function step(action: string, args: unknown = null): LoadedStep {
  return { action: action as LoadedStep['action'], args, at };
}

function scenario(steps: LoadedStep[], extra: Partial<Scenario> = {}): Scenario {
  return {
    id: 'x/simulated',
    baseId: 'x/simulated',
    title: 'simulated time',
    tags: [],
    severity: 'normal',
    requires: [],
    bench: {},
    cards: {},
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

/** A mock bench on a simulated clock whose terminal shows `text` `afterMs` after a purchase starts. */
async function slowTerminal(afterMs: number, text: string) {
  const clock = new SimulatedClock({ startAt: Date.UTC(2026, 0, 1) });
  const m = createMockBench(undefined, { clock });
  m.onCall = (c) => {
    if (c.capability === 'terminal' && c.method === 'start') clock.setTimeout(() => m.show(text), afterMs);
  };
  await m.bench.activate();
  return { clock, m };
}

describe('the runner on simulated time', function () {
  // Simulated seconds cost no wall time: these runs wait 29–31 s of the bench's clock each, and mocha's
  // budget below is a sanity bound, not a timed assertion.
  this.timeout(10000);

  it('a within: 30s expectation that holds after 29 s of simulated time passes', async () => {
    const { clock, m } = await slowTerminal(29000, 'APPROVED');
    const run = await runScenario(
      scenario(
        [step('purchase', { amount: '1.00' }), step('expect', { display: '/APPROVED/', within: '30s' })],
        { timeoutMs: 60000 },
      ),
      m.bench,
    );
    assert.equal(run.status, 'passed', run.message);
    const shown = run.timeline.entries('display').find((e) => /APPROVED/.test(String(e.data.lines)));
    assert.ok(shown, 'the display change is on the timeline');
    assert.equal(shown.t, 29000, 'stamped at 29 s of simulated time after the start');
    assert.equal(run.stop - run.start, 29000, 'the run took 29 simulated seconds');
    assert.ok(clock.stats().jumps >= 1);
  });

  it('the same expectation fails when the display changes after 31 s, having waited its 30 s', async () => {
    const { m } = await slowTerminal(31000, 'APPROVED');
    const run = await runScenario(
      scenario(
        [step('purchase', { amount: '1.00' }), step('expect', { display: '/APPROVED/', within: '30s' })],
        { timeoutMs: 60000 },
      ),
      m.bench,
    );
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /waited 30000 ms/);
    assert.equal(run.stop - run.start, 30000, 'it gave up at its deadline, in simulated time');
  });

  it('a wait nothing can end is broken with "nothing left to happen", before the scenario budget', async () => {
    const { clock, m } = await slowTerminal(1000, 'INSERT CARD');
    m.operatorSilent = true;
    const run = await runScenario(
      scenario([step('purchase', { amount: '1.00' }), step('operator', { prompt: 'open the ATM' })], {
        timeoutMs: 120000,
      }),
      m.bench,
    );
    assert.equal(run.status, 'broken');
    assert.equal(run.errorCode, 'E_NOTHING_LEFT');
    assert.match(run.message ?? '', /nothing left to happen while step 'operator/);
    // The terminal's own timer (1 s) still ran; the 120 s budget was never reached.
    assert.equal(run.stop - run.start, 1000);
    assert.equal(clock.stats().stalls, 1);
  });

  it('a none window runs to its end in simulated time and sees what lands in it', async () => {
    const { m } = await slowTerminal(9000, 'DECLINED');
    const run = await runScenario(
      scenario(
        [
          step('purchase', { amount: '1.00' }),
          step('expect', { none: { display: '/DECLINED/' }, within: '10s' }),
        ],
        { timeoutMs: 60000 },
      ),
      m.bench,
    );
    assert.equal(run.status, 'failed');
    assert.match(run.message ?? '', /DECLINED/);
    assert.equal(run.stop - run.start, 9000);
  });
});
