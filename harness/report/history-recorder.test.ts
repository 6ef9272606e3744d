import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { Bench } from '../bench/index.js';
import type { TerminalControl } from '../capabilities/index.js';
import { Timeline, type ScenarioRun, type StepRecord } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';
import { RUN_MARKER } from './bench-history.js';
import { FolderHistoryStore } from './history-store.js';
import { HistoryRecorder, gitState, scenarioFiles, terminalIdentity } from './history-recorder.js';

const at = (file: string, line = 1): { file: string; line: number; col: number } => ({ file, line, col: 1 });

function scenario(id: string, extra: Partial<Scenario> = {}): Scenario {
  return {
    id,
    baseId: id,
    title: `title of ${id}`,
    tags: [],
    severity: 'normal',
    requires: [],
    bench: {},
    cards: {},
    host: { rules: [], accounts: {} },
    vars: {},
    params: {},
    retries: 0,
    steps: [
      {
        action: 'include',
        args: null,
        at: at('scenarios/common/in.steps.yaml', 2),
        via: [at('scenarios/a/one.yaml', 5)],
      },
      { action: 'signIn', args: null, at: at('scenarios/a/one.yaml', 6) },
    ],
    finally: [],
    at: at('scenarios/a/one.yaml'),
    file: 'scenarios/a/one.yaml',
    captures: [],
    ...extra,
  } as Scenario;
}

function step(action: string, status: StepRecord['status'], error?: string): StepRecord {
  return {
    name: action,
    action,
    at: 'x:1',
    status,
    start: 0,
    stop: 1,
    children: [],
    ...(error ? { error } : {}),
  };
}

function run(s: Scenario, status: ScenarioRun['status'], o: Partial<ScenarioRun> = {}): ScenarioRun {
  return {
    scenario: s,
    status,
    start: 1000,
    stop: 1250,
    steps: [step('signIn', 'passed'), step('expect', status === 'passed' ? 'passed' : status)],
    timeline: new Timeline(1000),
    captures: {},
    attempt: 1,
    ...o,
  };
}

describe('report/history-recorder', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-recorder-'));
    dirs.push(d);
    return d;
  };

  it('records the run: bench identity from facts and the terminal status, verdicts, fingerprints, files with SHA-256, seed null', async () => {
    const root = tmp();
    mkdirSync(join(root, 'scenarios', 'a'), { recursive: true });
    mkdirSync(join(root, 'scenarios', 'common'), { recursive: true });
    writeFileSync(join(root, 'scenarios', 'a', 'one.yaml'), 'title: one\n');
    writeFileSync(join(root, 'scenarios', 'common', 'in.steps.yaml'), '- signIn: {}\n');
    const results = join(root, 'results');
    mkdirSync(results);
    let statusCalls = 0;
    const terminal = {
      status: async () => {
        statusCalls++;
        return { profile: 'cup-pos', model: 'Acme T1', firmware: '4.2.1', serial: 'SN-0001', defects: [] };
      },
    } as unknown as TerminalControl;
    const bench = new Bench({
      name: 'lab-1',
      offers: [],
      drivers: [],
      capabilities: { terminal },
      facts: { 'terminal.profile': 'cup-pos', 'terminal.driver': 'ecr-serial', dialect: 'cup' },
    });
    await bench.activate();
    const store = new FolderHistoryStore(join(root, 'history'));
    const rec = new HistoryRecorder({
      store,
      root,
      resultsDir: results,
      defects: ['accepts-expired-card'],
      now: () => new Date('2026-12-06T20:00:00Z'),
    });
    const a = scenario('a/pass');
    const b = scenario('a/fail', { refs: ['PLAN-7.1', 'PLAN-7.2'] });
    rec.runStart({ bench, scenarios: [a, b], start: 1000 });
    const runs = [
      run(a, 'passed', { attempt: 2 }),
      run(b, 'failed', {
        message: 'expected display ~ /EXPIRED/i\n  (waited 5000 ms)',
        errorCode: 'E_EXPECT',
      }),
    ];
    for (let i = 0; i < runs.length; i++) rec.scenarioEnd();
    await bench.deactivate();
    await rec.runEnd({
      runs,
      counts: { passed: 1, failed: 1, broken: 0, skipped: 0 },
      start: 1000,
      stop: 1600,
    });
    assert.equal(rec.error, undefined);
    assert.equal(statusCalls, 1, 'the terminal is asked once');
    const r = rec.record!;
    assert.match(r.id, /^20261206-200000-[0-9a-f]{4}$/);
    assert.deepEqual(await store.list().then((l) => l.map((x) => x.id)), [r.id]);
    assert.equal(r.seed, null);
    assert.deepEqual(r.bench.terminal, {
      profile: 'cup-pos',
      model: 'Acme T1',
      firmware: '4.2.1',
      protocol: 'ecr-serial',
      dialect: 'cup',
      defects: ['accepts-expired-card'],
      reported: { serial: 'SN-0001' },
    });
    assert.deepEqual(
      r.files.map((f) => f.path),
      ['scenarios/a/one.yaml', 'scenarios/common/in.steps.yaml'],
    );
    assert.match(r.files[0]!.sha256, /^[0-9a-f]{64}$/);
    const [pass, fail] = r.scenarios;
    assert.deepEqual(pass, {
      id: 'a/pass',
      title: 'title of a/pass',
      file: 'scenarios/a/one.yaml',
      line: 1,
      verdict: 'passed',
      durationMs: 250,
      attempt: 2,
    });
    assert.equal(fail!.verdict, 'failed');
    assert.match(fail!.fingerprint!, /^expect@2#[0-9a-f]{12}$/);
    assert.equal(fail!.message, 'expected display ~ /EXPIRED/i');
    assert.deepEqual(fail!.refs, ['PLAN-7.1', 'PLAN-7.2']);
    assert.deepEqual(JSON.parse(readFileSync(join(results, RUN_MARKER), 'utf8')), {
      run: r.id,
      bench: 'lab-1',
      history: store.where,
    });
  });

  it('a store that refuses the record leaves the error for the command, the run goes on', async () => {
    const root = tmp();
    writeFileSync(join(root, 'history'), 'a file, not a folder');
    const rec = new HistoryRecorder({ store: new FolderHistoryStore(join(root, 'history')), root });
    const bench = new Bench({ name: 'b', offers: [], drivers: [], capabilities: {} });
    rec.runStart({ bench, scenarios: [], start: 0 });
    await rec.runEnd({
      runs: [],
      counts: { passed: 0, failed: 0, broken: 0, skipped: 0 },
      start: 0,
      stop: 1,
    });
    assert.equal(rec.record, undefined);
    assert.match(rec.error!.message, /cannot write/);
  });

  it('identity from facts alone when the terminal does not say (a web bench, a silent terminal)', () => {
    assert.deepEqual(
      terminalIdentity(
        { 'terminal.profile': 'cup-atm-ci', 'terminal.driver': 'web', 'terminal.defects': 'b a' },
        undefined,
      ),
      { profile: 'cup-atm-ci', protocol: 'web', defects: ['a', 'b'] },
    );
  });

  it('scenarioFiles lists each file once: the scenario files and every include, nested ones too', () => {
    const s = scenario('x', {
      finally: [{ action: 'remove', args: null, at: at('scenarios/common/clean.steps.yaml') }],
    });
    assert.deepEqual(scenarioFiles([s, scenario('y')]), [
      'scenarios/a/one.yaml',
      'scenarios/common/clean.steps.yaml',
      'scenarios/common/in.steps.yaml',
    ]);
  });

  it('gitState: the commit of a git work tree, dirty when a tracked file changed; undefined outside git', () => {
    const dir = tmp();
    assert.equal(gitState(dir), undefined);
    const git = (...args: string[]): void => {
      const r = spawnSync('git', ['-C', dir, '-c', 'user.email=t@example.org', '-c', 'user.name=t', ...args]);
      assert.equal(r.status, 0, r.stderr.toString());
    };
    git('init', '-q');
    writeFileSync(join(dir, 'a.yaml'), 'x\n');
    git('add', 'a.yaml');
    git('commit', '-qm', 'one');
    const s = gitState(dir)!;
    assert.match(s.commit, /^[0-9a-f]{40}$/);
    assert.equal(s.dirty, false);
    writeFileSync(join(dir, 'a.yaml'), 'y\n');
    assert.equal(gitState(dir)!.dirty, true);
  });
});
