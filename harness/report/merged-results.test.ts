import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { createMockBench } from '../testing/index.js';
import { Timeline, type ScenarioRun } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';
import { AllureWriter } from './allure-writer.js';
import { junitXml } from './junit-writer.js';
import { MergedResults } from './merged-results.js';
import { recordOfRun, runOfRecord } from './scenario-record.js';

const at = { file: 'scenarios/purchase/a.yaml', line: 3, col: 1 };

function scenario(id: string): Scenario {
  return {
    id,
    baseId: id,
    title: `title of ${id}`,
    tags: ['smoke'],
    severity: 'normal',
    requires: [],
    bench: {},
    cards: {},
    host: { rules: [], accounts: {} },
    vars: {},
    params: {},
    retries: 0,
    steps: [{ action: 'signIn', args: null, at }],
    finally: [],
    at,
    file: at.file,
    captures: [],
  };
}

function run(s: Scenario, status: ScenarioRun['status'], start: number, message?: string): ScenarioRun {
  const t = new Timeline(start);
  t.add('receipt', { copy: 'merchant', text: 'CARD 6222020000000017\nAPPROVED' }, start + 5);
  t.add('host', { direction: 'request', conn: 1, mti: '0200', fields: { 2: '6222020000000017' } }, start + 6);
  return {
    scenario: s,
    status,
    ...(message ? { message, category: 'product', errorCode: 'E_EXPECTATION' } : {}),
    start,
    stop: start + 100,
    steps: [],
    timeline: t,
    captures: {},
    attempt: 1,
  };
}

const results = (dir: string): Record<string, unknown>[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);

describe('reports: scenario records and the merge', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-merge-'));
    dirs.push(d);
    return d;
  };

  const scenarios = ['purchase/a', 'purchase/b', 'void/c', 'purchase/d'].map(scenario);
  const runs = [
    run(scenarios[0] as Scenario, 'passed', 1000),
    run(scenarios[1] as Scenario, 'failed', 2000, 'declined: got 51 for 6222020000000017'),
    run(scenarios[2] as Scenario, 'broken', 3000, 'terminal gone'),
    run(scenarios[3] as Scenario, 'skipped', 4000, 'bench lacks web'),
  ];

  it('a record survives JSON and carries the Allure result, its attachments and the JUnit case, masked', () => {
    const rec = JSON.parse(JSON.stringify(recordOfRun(runs[1] as ScenarioRun, 1, 'bench-1')));
    assert.equal(rec.index, 1);
    assert.equal(rec.id, 'purchase/b');
    assert.equal(rec.status, 'failed');
    assert.equal(rec.bench, 'bench-1');
    assert.equal(rec.allure.fullName, 'purchase/b');
    assert.equal(rec.junit.status, 'failed');
    const sources = rec.allure.attachments.map((a: { source: string }) => a.source).sort();
    assert.deepEqual(sources, rec.attachments.map((a: { source: string }) => a.source).sort());
    const text =
      JSON.stringify(rec) +
      rec.attachments.map((a: { base64: string }) => Buffer.from(a.base64, 'base64')).join('');
    assert.ok(!text.includes('6222020000000017'), 'no clear PAN anywhere in the record');
    const back = runOfRecord(rec, scenarios[1] as Scenario);
    assert.equal(back.status, 'failed');
    assert.equal(back.scenario, scenarios[1]);
  });

  it('records arriving in any order give the JUnit of a serial run, in catalogue order, and one Allure result each', () => {
    const dir = tmp();
    const merged = new MergedResults({
      resultsDir: dir,
      junitFile: join(dir, 'junit.xml'),
      environment: { bench: 'x' },
    });
    for (const i of [3, 1, 0, 2]) assert.equal(merged.add(recordOfRun(runs[i] as ScenarioRun, i, 'b')), true);
    merged.write();
    assert.equal(readFileSync(join(dir, 'junit.xml'), 'utf8'), junitXml(runs));
    const rs = results(dir);
    assert.deepEqual(rs.map((r) => r.fullName).sort(), scenarios.map((s) => s.id).sort());
    // Same content as the serial AllureWriter's, but for the random uuids of result and attachments.
    const serial = tmp();
    const w = new AllureWriter({ resultsDir: serial });
    w.runStart({ bench: createMockBench().bench, scenarios, start: 0 });
    for (const r of runs) w.scenarioEnd(r);
    const strip = (r: Record<string, unknown>): unknown =>
      JSON.parse(
        JSON.stringify(r).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'U'),
      );
    const byName = (xs: Record<string, unknown>[]): unknown[] =>
      [...xs].sort((a, b) => String(a.fullName).localeCompare(String(b.fullName))).map(strip);
    assert.deepEqual(byName(rs), byName(results(serial)));
    assert.equal(
      readdirSync(dir).filter((f) => f.includes('-attachment.')).length,
      readdirSync(serial).filter((f) => f.includes('-attachment.')).length,
    );
    assert.match(readFileSync(join(dir, 'environment.properties'), 'utf8'), /bench = x/);
    assert.ok(readdirSync(dir).includes('categories.json'));
  });

  it('a scenario is counted once: a second record for its position is refused; a retry shows in Allure only', () => {
    const dir = tmp();
    const merged = new MergedResults({ resultsDir: dir, junitFile: join(dir, 'junit.xml') });
    const lostTry = recordOfRun(run(scenarios[0] as Scenario, 'broken', 500, 'agent lost'), 0, 'b1');
    merged.addRetry(lostTry);
    assert.equal(merged.add(recordOfRun(runs[0] as ScenarioRun, 0, 'b2')), true);
    assert.equal(merged.add(recordOfRun(runs[0] as ScenarioRun, 0, 'b3')), false);
    merged.write();
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.equal(junit.match(/<testcase /g)?.length, 1);
    assert.match(junit, /tests="1" failures="0" errors="0"/);
    const rs = results(dir);
    assert.equal(rs.length, 2, 'the final result and the retry');
    assert.equal(new Set(rs.map((r) => r.historyId)).size, 1, 'same history id: Allure shows the retry');
    assert.equal(new Set(rs.map((r) => r.uuid)).size, 2);
    assert.deepEqual(rs.map((r) => r.status).sort(), ['broken', 'passed']);
  });
});
