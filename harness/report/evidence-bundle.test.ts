import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'mocha';
import { Bench } from '../bench/index.js';
import { Timeline, type ScenarioRun } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';
import { AllureWriter } from './allure-writer.js';
import { RUN_MARKER } from './bench-history.js';
import { collectEvidence, coverageMatrix } from './evidence-bundle.js';
import { FolderHistoryStore } from './history-store.js';
import { HistoryRecorder } from './history-recorder.js';
import { JunitWriter } from './junit-writer.js';
import type { RunRecord } from './run-record.js';

const FILE = 'scenarios/card/c.yaml';

function scenario(id: string, refs?: string[]): Scenario {
  const at = { file: FILE, line: 2, col: 1 };
  return {
    id,
    baseId: id,
    title: id,
    tags: [],
    ...(refs ? { refs } : {}),
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
    file: FILE,
    captures: [],
  };
}

function run(s: Scenario, status: ScenarioRun['status']): ScenarioRun {
  const t = new Timeline(1000);
  t.add('receipt', { copy: 'merchant', text: 'CARD 6222020000000017\nAPPROVED' }, 1020);
  t.add(
    'pcap',
    {
      text: 'host traffic',
      attachment: {
        name: 'host traffic (masked).pcap',
        contentType: 'application/vnd.tcpdump.pcap',
        body: Buffer.from([0xd4, 0xc3, 0xb2, 0xa1]),
      },
    },
    1030,
  );
  return {
    scenario: s,
    status,
    ...(status === 'failed' ? { message: 'expected display ~ /EXPIRED/i', errorCode: 'E_EXPECT' } : {}),
    start: 1000,
    stop: 1100,
    steps: [],
    timeline: t,
    captures: {},
    attempt: 1,
  };
}

/** A recorded run in a fresh project folder: results, JUnit, history, one scenario file. */
async function recordedRun(root: string, junit = true): Promise<RunRecord> {
  mkdirSync(join(root, 'scenarios', 'card'), { recursive: true });
  writeFileSync(join(root, FILE), 'title: c\n');
  const resultsDir = join(root, 'results');
  const junitFile = join(root, 'junit.xml');
  const allure = new AllureWriter({ resultsDir });
  const junitWriter = new JunitWriter(junitFile);
  const rec = new HistoryRecorder({
    store: new FolderHistoryStore(join(root, 'history')),
    root,
    resultsDir,
    ...(junit ? { junit: junitFile } : {}),
  });
  const bench = new Bench({
    name: 'embedded',
    offers: [],
    drivers: [],
    capabilities: {},
    facts: { 'terminal.profile': 'cup-pos-ci' },
  });
  const a = scenario('card/a', ['BRAND-TC-01', 'ACQ-7']);
  const b = scenario('card/b[card=debit]', ['BRAND-TC-01']);
  const c = scenario('card/c');
  const runs = [run(a, 'passed'), run(b, 'failed'), run(c, 'passed')];
  const info = { bench, scenarios: [a, b, c], start: 1000 };
  allure.runStart(info);
  rec.runStart(info);
  for (const r of runs) allure.scenarioEnd(r);
  const summary = { runs, counts: { passed: 2, failed: 1, broken: 0, skipped: 0 }, start: 1000, stop: 2000 };
  if (junit) junitWriter.runEnd(summary);
  await rec.runEnd(summary);
  assert.equal(rec.error, undefined);
  return rec.record!;
}

describe('report/evidence-bundle', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-evidence-'));
    dirs.push(d);
    return d;
  };

  it('holds the JUnit, per scenario the pcap, timeline and receipt, the files as run, identification, coverage, and SHA256SUMS that sha256sum -c verifies', async () => {
    const root = tmp();
    const record = await recordedRun(root);
    const bundle = collectEvidence(record, { noReport: 'test' });
    const names = bundle.files.map((f) => f.name);
    for (const n of [
      'junit.xml',
      'scenario-files/scenarios/card/c.yaml',
      'scenarios/card/a/timeline.txt',
      'scenarios/card/a/receipt.txt',
      'scenarios/card/a/host-traffic-masked.pcap',
      'scenarios/card/a/result.json',
      'scenarios/card/b-card=debit-/timeline.txt',
      'bench.json',
      'terminal.json',
      'run.json',
      'coverage.json',
      'coverage.md',
      'manifest.json',
    ])
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    assert.equal(names.at(-1), 'SHA256SUMS');
    assert.deepEqual(bundle.notes, ['allure-report: not included (test)']);
    assert.deepEqual(
      bundle.coverage.map((c) => [c.ref, c.verdict, c.scenarios.map((s) => `${s.id}:${s.verdict}`)]),
      [
        ['ACQ-7', 'passed', ['card/a:passed']],
        ['BRAND-TC-01', 'failed', ['card/a:passed', 'card/b[card=debit]:failed']],
      ],
    );
    const manifest = JSON.parse(bundle.files.find((f) => f.name === 'manifest.json')!.data.toString()) as {
      seed: null;
      run: string;
      files: { path: string }[];
    };
    assert.equal(manifest.seed, null);
    assert.equal(manifest.run, record.id);
    // No PAN in clear anywhere in the bundle.
    for (const f of bundle.files) assert.ok(!f.data.includes('6222020000000017'), f.name);

    const out = join(tmp(), 'bundle');
    for (const f of bundle.files) {
      mkdirSync(dirname(join(out, f.name)), { recursive: true });
      writeFileSync(join(out, f.name), f.data);
    }
    const ok = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    writeFileSync(join(out, 'scenarios/card/a/receipt.txt'), 'CARD 622202******0017\nDECLINED');
    const bad = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /scenarios\/card\/a\/receipt\.txt: FAILED/);
  });

  it('refuses a scenario file changed since the run, and results replaced by another run', async () => {
    const root = tmp();
    const record = await recordedRun(root);
    writeFileSync(join(root, FILE), 'title: c, edited\n');
    assert.throws(() => collectEvidence(record), {
      code: 'E_EVIDENCE_CHANGED',
      message: /c\.yaml changed since run/,
    });
    writeFileSync(join(root, FILE), 'title: c\n');
    writeFileSync(
      join(root, 'results', RUN_MARKER),
      JSON.stringify({ run: '20991231-000000-ffff', bench: 'x', history: 'h' }),
    );
    assert.throws(() => collectEvidence(record), {
      code: 'E_EVIDENCE_RESULTS',
      message: /holds the results of run 20991231-000000-ffff, not of run/,
    });
  });

  it('a results file that is not JSON is a located error', async () => {
    const root = tmp();
    const record = await recordedRun(root);
    writeFileSync(join(root, 'results', 'zzz-result.json'), '{"fullName": ');
    assert.throws(() => collectEvidence(record), {
      code: 'E_EVIDENCE_FILE',
      message: /zzz-result\.json: not an Allure result/,
    });
  });

  it('rebuilds the JUnit XML from the Allure results when the run wrote none, and says so', async () => {
    const record = await recordedRun(tmp(), false);
    const bundle = collectEvidence(record, { noReport: 'test' });
    const junit = bundle.files.find((f) => f.name === 'junit.xml')!.data.toString();
    assert.match(
      junit,
      /<testcase name="card\/b\[card=debit\]" time="0\.100">\n\s+<failure message="expected display ~ \/EXPIRED\/i">/,
    );
    assert.match(bundle.notes.join('\n'), /the run wrote none \(--junit\); rebuilt from the Allure results/);
  });

  it('coverage: a ref whose scenarios were all skipped is skipped', () => {
    const rows = coverageMatrix({
      scenarios: [
        {
          id: 'x',
          title: 'x',
          file: 'f',
          line: 1,
          verdict: 'skipped',
          durationMs: 0,
          attempt: 1,
          refs: ['R'],
        },
      ],
    } as RunRecord);
    assert.deepEqual(rows, [{ ref: 'R', scenarios: [{ id: 'x', verdict: 'skipped' }], verdict: 'skipped' }]);
  });
});
