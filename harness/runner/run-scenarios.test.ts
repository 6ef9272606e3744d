import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Bench, createMockBench } from '../bench/index.js';
import type { LoadedStep, Scenario } from '../scenario/index.js';
import { runScenarios, selectScenarios, type RunReporter } from './run-scenarios.js';
import type { ScenarioRun } from './scenario-run.js';

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

  it('selects by tags (any of, none of) and grep', () => {
    const list = [
      scenario('a/x', [], { tags: ['smoke', 'chip'] }),
      scenario('a/y', [], { tags: ['chip'] }),
      scenario('b/z', [], { tags: ['slow'] }),
    ];
    assert.deepEqual(
      selectScenarios(list, 'chip,!smoke').map((s) => s.id),
      ['a/y'],
    );
    assert.deepEqual(
      selectScenarios(list, undefined, /^b\//).map((s) => s.id),
      ['b/z'],
    );
  });
});
