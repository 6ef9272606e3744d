import assert from 'node:assert/strict';
import { ScenarioSelectionError } from './errors.js';
import type { Scenario } from './scenario.js';
import { scenarioSelector, selectScenarios } from './select-scenarios.js';

const at = { file: 'scenarios/a.yaml', line: 1, col: 1 };

function scenario(id: string, tags: string[], title = id): Scenario {
  return {
    id,
    baseId: id,
    title,
    tags,
    severity: 'normal',
    requires: [],
    bench: {},
    cards: {},
    host: { rules: [], accounts: {} },
    vars: {},
    params: {},
    retries: 0,
    steps: [],
    finally: [],
    at,
    file: at.file,
    captures: [],
  };
}

describe('scenario/select-scenarios (payhil run and payhil list)', () => {
  const list = [
    scenario('a/x', ['smoke', 'chip']),
    scenario('a/y', ['chip'], 'Chip only'),
    scenario('b/z', ['slow']),
  ];

  it('keeps any of the plain tags and none of the ! ones', () => {
    assert.deepEqual(
      selectScenarios(list, { tags: 'chip,!smoke' }).map((s) => s.id),
      ['a/y'],
    );
    assert.deepEqual(
      selectScenarios(list, { tags: ' !chip ' }).map((s) => s.id),
      ['b/z'],
    );
    assert.equal(selectScenarios(list).length, 3);
  });

  it('matches --grep against id or title, as text or compiled', () => {
    assert.deepEqual(
      selectScenarios(list, { grep: '^b/' }).map((s) => s.id),
      ['b/z'],
    );
    assert.deepEqual(
      selectScenarios(list, { grep: /only$/, tags: 'chip' }).map((s) => s.id),
      ['a/y'],
    );
  });

  it('refuses a --grep that is not a regular expression before any scenario is looked at', () => {
    assert.throws(
      () => scenarioSelector({ grep: '(' }),
      (e: unknown) =>
        e instanceof ScenarioSelectionError &&
        e.code === 'E_SCENARIO_SELECTION' &&
        e.verdict === 'usage' &&
        /^--grep: Invalid regular expression/.test(e.message),
    );
  });
});
