import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { Timeline, type ScenarioRun, type StepRecord } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';
import { AllureWriter } from './allure-writer.js';
import { FolderHistoryStore } from './history-store.js';
import { scenarioHistory } from './history-recorder.js';
import { junitXml } from './junit-writer.js';
import { loadRunView, viewOfJunit, viewOfResults } from './run-view.js';

const at = { file: 'scenarios/card/c.yaml', line: 2, col: 1 };

function scenario(id: string): Scenario {
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
    steps: [],
    finally: [],
    at,
    file: at.file,
    captures: [],
  };
}

const step = (action: string, status: StepRecord['status']): StepRecord => ({
  name: `${action} {}`,
  action,
  at: 'x:1',
  status,
  start: 0,
  stop: 1,
  children: [],
});

function run(id: string, status: ScenarioRun['status'], message?: string, attempt = 1): ScenarioRun {
  return {
    scenario: scenario(id),
    status,
    ...(message ? { message, errorCode: 'E_EXPECT_HOST', category: 'product' as const } : {}),
    start: 10_000,
    stop: 12_500,
    steps: [step('signIn', 'passed'), step('expect', status === 'passed' ? 'passed' : status)],
    timeline: new Timeline(10_000),
    captures: {},
    attempt,
  };
}

const MESSAGE =
  'expected host {"response":{"39":"00"}}\n  closest exchange #2 (connection 4):\n    response: 0210 2=6222020000000017 11=000002 12=201418 39=A0 64=3032363641463545';

describe('report/run-view', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-view-'));
    dirs.push(d);
    return d;
  };
  const runs = [
    run('card/ok', 'passed', undefined, 2),
    run('card/bad', 'failed', MESSAGE),
    run('card/lab', 'broken', 'host unreachable'),
    run('card/skip', 'skipped', 'needs an operator'),
  ];

  it('a history record, Allure results and JUnit XML of the same run give the same verdicts and fingerprints', () => {
    const dir = tmp();
    const allure = new AllureWriter({ resultsDir: dir });
    for (const r of runs) allure.scenarioEnd(r);
    const junitFile = join(tmp(), 'junit.xml');
    writeFileSync(junitFile, junitXml(runs));
    const records = runs.map(scenarioHistory);
    const results = viewOfResults(dir);
    const junit = viewOfJunit(junitFile);
    for (const rec of records) {
      const r = results.scenarios.get(rec.id)!;
      const j = junit.scenarios.get(rec.id)!;
      assert.equal(r.verdict, rec.verdict, rec.id);
      assert.equal(j.verdict, rec.verdict, rec.id);
      assert.equal(r.fingerprint, rec.fingerprint, `${rec.id} results`);
      // JUnit does not say which step failed: the hash part is the same.
      assert.equal(j.fingerprint, rec.fingerprint?.replace(/^.*#/, '#'), `${rec.id} junit`);
      assert.equal(j.durationMs, 2500);
      assert.equal(r.durationMs, 2500);
    }
    assert.equal(results.scenarios.get('card/ok')!.attempt, 2);
    // The PAN is masked in what the sides carry.
    assert.ok(
      !JSON.stringify([...junit.scenarios.values(), ...results.scenarios.values()]).includes(
        '6222020000000017',
      ),
    );
  });

  it('loadRunView names what it could not read', async () => {
    const store = new FolderHistoryStore(join(tmp(), 'history'));
    await assert.rejects(
      loadRunView('20261206-000000-abcd', '/nope', store),
      /no run 20261206-000000-abcd in/,
    );
    await assert.rejects(
      loadRunView('nope', '/nope/nope', store),
      /neither a run id .* nor a results folder or JUnit file/,
    );
    const empty = tmp();
    await assert.rejects(loadRunView(empty, empty, store), /no Allure results/);
    const notXml = join(empty, 'x.xml');
    writeFileSync(notXml, '<html></html>');
    await assert.rejects(loadRunView(notXml, notXml, store), {
      code: 'E_DIFF_SOURCE',
      message: /not a JUnit XML file/,
    });
  });
});
