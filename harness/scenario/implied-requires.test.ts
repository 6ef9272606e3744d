import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withImpliedRequires } from './implied-requires.js';
import { loadScenarios } from './loader.js';
import type { LoadedStep } from './scenario.js';

const at = { file: 'x.yaml', line: 1, col: 1 };
const step = (action: string, steps?: LoadedStep[]): LoadedStep => ({
  action: action as LoadedStep['action'],
  args: null,
  at,
  ...(steps ? { steps } : {}),
});

describe('implied requires', () => {
  it('a clock step needs clock, a mode step maintenance, also inside repeat and finally; no duplicates', () => {
    assert.deepEqual(withImpliedRequires(['chip'], [step('signIn')]), ['chip']);
    assert.deepEqual(
      withImpliedRequires(['chip', 'clock'], [step('repeat', [step('clock')])], [step('mode')]),
      ['chip', 'clock', 'maintenance'],
    );
  });

  it('the loader adds them to the scenario', () => {
    const root = mkdtempSync(join(tmpdir(), 'payhil-implied-'));
    try {
      const file = join(root, 'day.yaml');
      writeFileSync(
        file,
        [
          'title: day change',
          'requires: [host]',
          'steps:',
          "  - clock: { set: '2026-12-31T23:59:50+08:00' }",
          '  - clock: { advance: 1h }',
          'finally:',
          '  - mode: normal',
        ].join('\n'),
      );
      const [s] = loadScenarios([file], { root });
      assert.deepEqual(s?.requires, ['host', 'clock', 'maintenance']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the schema refuses a clock step with both or neither of set and advance, and a bad time', () => {
    const root = mkdtempSync(join(tmpdir(), 'payhil-implied-'));
    try {
      for (const [i, body] of [
        "{ set: '2026-12-31T23:59:50Z', advance: 1h }",
        '{}',
        "{ set: 'tomorrow' }",
        '{ advance: 1w }',
      ].entries()) {
        const file = join(root, `bad${i}.yaml`);
        writeFileSync(file, ['title: bad', 'steps:', `  - clock: ${body}`].join('\n'));
        assert.throws(() => loadScenarios([file], { root }), /clock/, body);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
