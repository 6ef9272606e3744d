import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Bench } from '../bench/index.js';
import type { LoadedStep, Scenario } from '../scenario/index.js';
import { runScenarios, type RunReporter } from './run-scenarios.js';
import type { ScenarioRun } from './scenario-run.js';
import { createMockBench } from '../testing/index.js';

const at = { file: 'scenarios/x/y.yaml', line: 1, col: 1 };

function scenario(id: string, steps: LoadedStep[], extra: Partial<Scenario> = {}): Scenario {
  return {
    id,
    baseId: id,
    title: id,
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
    file: at.file,
    captures: [],
    ...extra,
  };
}

const expectDisplay: LoadedStep = { action: 'expect', args: { display: 'READY', within: 30 }, at };
const press: LoadedStep = { action: 'press', args: { key: '1' }, at };

function collector(): RunReporter & { ends: ScenarioRun[]; events: string[] } {
  const ends: ScenarioRun[] = [];
  const events: string[] = [];
  return {
    ends,
    events,
    runStart: () => void events.push('start'),
    scenarioEnd: (r) => void ends.push(r),
    runEnd: () => void events.push('end'),
  };
}

describe('runScenarios (programmatic mocha)', () => {
  it('one mocha test per scenario; retries until it passes; the final run is reported once', async () => {
    const m = createMockBench();
    let tries = 0;
    m.onCall = (c) => {
      if (c.method === 'press' && ++tries === 2) m.show('READY');
    };
    const c = collector();
    const summary = await runScenarios(
      [scenario('x/flaky', [press, expectDisplay], { retries: 2 }), scenario('y/ok', [press])],
      { bench: m.bench, reporters: [c] },
    );
    assert.deepEqual(c.events, ['start', 'end']);
    assert.deepEqual(
      c.ends.map((r) => [r.scenario.id, r.status, r.attempt]),
      [
        ['x/flaky', 'passed', 2],
        ['y/ok', 'passed', 1],
      ],
    );
    assert.deepEqual(summary.counts, { passed: 2, failed: 0, broken: 0, skipped: 0 });
    assert.equal(m.bench.active, false, 'the bench is deactivated after the run');
  });

  it('bail stops after the first scenario that does not pass', async () => {
    const m = createMockBench();
    const summary = await runScenarios([scenario('a/fails', [expectDisplay]), scenario('a/never', [press])], {
      bench: m.bench,
      bail: true,
    });
    assert.deepEqual(
      summary.runs.map((r) => [r.scenario.id, r.status]),
      [['a/fails', 'failed']],
    );
  });

  it('a bench that cannot start makes every scenario broken', async () => {
    const bench = new Bench({
      name: 'down',
      offers: [],
      capabilities: {},
      drivers: [
        {
          name: 'host',
          activate: () => Promise.reject(new Error('port busy')),
          deactivate: async () => undefined,
        },
      ],
    });
    const summary = await runScenarios([scenario('a/1', [press]), scenario('a/2', [press])], { bench });
    assert.deepEqual(summary.counts, { passed: 0, failed: 0, broken: 2, skipped: 0 });
    assert.match(summary.runs[0]?.message ?? '', /could not start: port busy/);
  });

  it('leaves no process listener behind, and side-by-side runs do not trip MaxListenersExceededWarning', async () => {
    const events = ['uncaughtException', 'unhandledRejection'] as const;
    const counts = (): number[] => events.map((e) => process.listenerCount(e));
    const max = process.getMaxListeners();
    const before = counts();
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      // Sequential runs: each one's mocha Runner removes its listeners at the end.
      for (let i = 0; i < 12; i++)
        await runScenarios([scenario(`s/${i}`, [press])], { bench: createMockBench().bench });
      assert.deepEqual(counts(), before, 'no listener left by sequential runs');
      // Twelve runs at once (as the defect proof does): each holds its listeners while it runs.
      let peak = 0;
      const wait: LoadedStep = { action: 'expect', args: { display: 'NEVER', within: '50ms' }, at };
      const runs = Array.from({ length: 12 }, (_, i) => {
        const m = createMockBench();
        m.onCall = () => void (peak = Math.max(peak, process.listenerCount('unhandledRejection')));
        return runScenarios([scenario(`p/${i}`, [press, wait])], { bench: m.bench });
      });
      await Promise.all(runs);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      assert.ok(peak >= before[1]! + 12, `12 runs held their listeners at once (peak ${peak})`);
      assert.deepEqual(counts(), before, 'no listener left by side-by-side runs');
      assert.equal(process.getMaxListeners(), max, 'the listener budget is back where it was');
      assert.deepEqual(
        warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a scenario waits for the reporters of the run four before it (a slow disk holds the run back, not memory)', async () => {
    const m = createMockBench();
    const started: string[] = [];
    const release: (() => void)[] = [];
    const slow: RunReporter = {
      scenarioStart: (s) => void started.push(s.id),
      scenarioEnd: () => new Promise<void>((resolve) => release.push(resolve)),
    };
    const ids = Array.from({ length: 7 }, (_, i) => `x/s${i + 1}`);
    const done = runScenarios(
      ids.map((id) => scenario(id, [press])),
      { bench: m.bench, reporters: [slow] },
    );
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    await settle();
    assert.deepEqual(started, ids.slice(0, 4), 'the fifth waits for the first one to be written');
    release[0]?.();
    await settle();
    assert.deepEqual(started, ids.slice(0, 5));
    for (let i = 1; i < 7; i++) {
      release[i]?.();
      await settle();
    }
    const summary = await done;
    assert.equal(summary.counts.passed, 7);
  });
});
