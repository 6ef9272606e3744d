import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Status } from '../runner/index.js';
import { diffRuns, gateFindings } from './run-diff.js';
import { RUN_RECORD_FORMAT, type RunRecord } from './run-record.js';
import type { RunView, ViewScenario } from './run-view.js';

type Row = [id: string, verdict: Status, extra?: Partial<ViewScenario>];

function view(label: string, rows: Row[], id?: string): RunView {
  return {
    label,
    source: 'history',
    ...(id ? { id } : {}),
    bench: 'embedded',
    scenarios: new Map(
      rows.map(([sid, verdict, extra]) => [sid, { id: sid, verdict, durationMs: 100, attempt: 1, ...extra }]),
    ),
  };
}

function rec(id: string, rows: [string, Status][]): RunRecord {
  return {
    format: RUN_RECORD_FORMAT,
    id,
    time: `2026-12-06T${id.slice(9, 11)}:00:00.000Z`,
    durationMs: 1,
    payhil: '0.1.0',
    pack: { root: '/' },
    bench: { name: 'embedded', facts: {}, terminal: {} },
    seed: null,
    counts: { passed: 0, failed: 0, broken: 0, skipped: 0 },
    outputs: {},
    files: [],
    scenarios: rows.map(([sid, verdict]) => ({
      id: sid,
      title: sid,
      file: 'f',
      line: 1,
      verdict,
      durationMs: 1,
      attempt: 1,
    })),
  };
}

describe('report/run-diff', () => {
  it('sorts scenarios into new failures, fixed, still failing (same / changed), new and removed', () => {
    const base = view('base', [
      ['a/ok', 'passed'],
      ['a/breaks', 'passed'],
      ['a/mends', 'failed', { fingerprint: 'expect@2#aaaaaaaaaaaa' }],
      ['a/same', 'failed', { fingerprint: 'expect@2#bbbbbbbbbbbb' }],
      ['a/other', 'failed', { fingerprint: 'expect@2#cccccccccccc' }],
      ['a/gone', 'passed'],
      ['a/was-skipped', 'skipped'],
    ]);
    const head = view('head', [
      ['a/ok', 'passed'],
      ['a/breaks', 'broken', { fingerprint: 'signIn@1#dddddddddddd' }],
      ['a/mends', 'passed'],
      ['a/same', 'failed', { fingerprint: '#bbbbbbbbbbbb' }],
      ['a/other', 'failed', { fingerprint: 'expect@2#eeeeeeeeeeee' }],
      ['a/new-pass', 'passed'],
      ['a/new-fail', 'failed', { fingerprint: '#ffffffffffff' }],
      ['a/was-skipped', 'failed', { fingerprint: '#ffffffffffff' }],
    ]);
    const d = diffRuns(base, head);
    assert.deepEqual(
      d.newFailures.map((e) => e.id),
      ['a/breaks', 'a/new-fail', 'a/was-skipped'],
    );
    assert.deepEqual(
      d.fixed.map((e) => e.id),
      ['a/mends'],
    );
    assert.deepEqual(
      d.stillFailing.map((e) => [e.id, e.same]),
      [
        ['a/other', false],
        ['a/same', true],
      ],
    );
    assert.deepEqual(
      d.added.map((e) => e.id),
      ['a/new-fail', 'a/new-pass'],
    );
    assert.deepEqual(
      d.removed.map((e) => e.id),
      ['a/gone'],
    );
    assert.deepEqual(d.flaky, []);
    assert.deepEqual(gateFindings(d, ['new-failures']), ['new-failures']);
    assert.deepEqual(gateFindings(d, ['flaky', 'slower']), []);
    assert.deepEqual(gateFindings(d, ['removed', 'still-failing']), ['removed', 'still-failing']);
  });

  it('a failed scenario that fails broken in HEAD is still failing, not the same failure', () => {
    const d = diffRuns(
      view('b', [['x', 'failed', { fingerprint: '#aaaaaaaaaaaa' }]]),
      view('h', [['x', 'broken', { fingerprint: '#aaaaaaaaaaaa' }]]),
    );
    assert.deepEqual(
      d.stillFailing.map((e) => e.same),
      [false],
    );
    assert.deepEqual(d.newFailures, []);
  });

  it('flaky by retry: passed on a later attempt', () => {
    const d = diffRuns(view('b', [['x', 'passed']]), view('h', [['x', 'passed', { attempt: 2 }]]));
    assert.deepEqual(
      d.flaky.map((e) => [e.id, e.rule, e.detail]),
      [['x', 'retry', 'passed on attempt 2']],
    );
  });

  it('flaky by flips: passed and failed change twice or more in the window ending at HEAD; once is a new failure', () => {
    const history = [
      rec('20261206-010000-0001', [
        ['x', 'passed'],
        ['y', 'passed'],
        ['z', 'failed'],
      ]),
      rec('20261206-020000-0002', [
        ['x', 'failed'],
        ['y', 'passed'],
        ['z', 'failed'],
      ]),
      rec('20261206-030000-0003', [
        ['x', 'passed'],
        ['y', 'failed'],
        ['z', 'skipped'],
      ]),
      rec('20261206-040000-0004', [
        ['x', 'passed'],
        ['y', 'failed'],
        ['z', 'passed'],
      ]),
    ];
    const b = view(
      'b',
      [
        ['x', 'passed'],
        ['y', 'failed'],
        ['z', 'skipped'],
      ],
      '20261206-030000-0003',
    );
    const h = view(
      'h',
      [
        ['x', 'passed'],
        ['y', 'failed'],
        ['z', 'passed'],
      ],
      '20261206-040000-0004',
    );
    const d = diffRuns(b, h, { history });
    assert.deepEqual(
      d.flaky.map((e) => [e.id, e.rule, e.detail]),
      [['x', 'flips', 'P F P P in the last 4 runs']],
    );
    // A window of 2 runs sees one change at most.
    assert.deepEqual(diffRuns(b, h, { history, flakyWindow: 2 }).flaky, []);
    // The window ends at HEAD: diffing run 2 against run 3 does not look at run 4.
    const d23 = diffRuns(
      view('b', [['x', 'failed']], '20261206-020000-0002'),
      view('h', [['x', 'passed']], '20261206-030000-0003'),
      { history },
    );
    assert.deepEqual(
      d23.flaky.map((e) => e.detail),
      ['P F P in the last 3 runs'],
    );
    assert.deepEqual(
      d23.fixed.map((e) => e.id),
      ['x'],
    );
  });

  it('slower: passed in both, beyond both the ratio and the minimum', () => {
    const b = view('b', [
      ['fast', 'passed', { durationMs: 1000 }],
      ['tiny', 'passed', { durationMs: 10 }],
      ['bit', 'passed', { durationMs: 5000 }],
    ]);
    const h = view('h', [
      ['fast', 'passed', { durationMs: 3000 }],
      ['tiny', 'passed', { durationMs: 400 }],
      ['bit', 'passed', { durationMs: 6500 }],
    ]);
    const d = diffRuns(b, h);
    assert.deepEqual(
      d.slower.map((e) => [e.id, e.ratio]),
      [['fast', 3]],
    );
    assert.deepEqual(
      diffRuns(b, h, { slowerRatio: 1.2 }).slower.map((e) => e.id),
      ['bit', 'fast'],
    );
    assert.deepEqual(
      diffRuns(b, h, { slowerMinMs: 100 }).slower.map((e) => e.id),
      ['fast', 'tiny'],
    );
  });
});
