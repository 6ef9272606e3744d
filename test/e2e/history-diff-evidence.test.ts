/**
 * Run history, `payhil diff` and the evidence bundle end to end on the embedded bench: a clean run of the
 * card scenarios, a run with the `accepts-expired-card` defect, a clean run again. `payhil diff` lists
 * exactly the newly failing scenario and exits 1, then reports it fixed and flaky (its status flipped);
 * the evidence bundle of the last run is a ZIP that unzip and Python read, whose SHA256SUMS `sha256sum -c`
 * verifies, and which fails verification after one byte is changed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { memoryIo } from '../../harness/cli/command.js';
import { main } from '../../harness/cli/main.js';
import { packagePath } from '../../harness/common/project-root.js';
import { checkJava } from '../../harness/report/index.js';

interface DiffJson {
  newFailures: { id: string }[];
  fixed: { id: string }[];
  stillFailing: { id: string }[];
  added: { id: string }[];
  removed: { id: string }[];
  flaky: { id: string; rule: string; detail: string }[];
  gate: { findings: string[] };
}

describe('e2e: run history, payhil diff, evidence bundle', function () {
  this.timeout(180_000);
  let project: string;
  const runIds: string[] = [];
  /** The seed each run printed. */
  const seeds: number[] = [];

  async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = memoryIo(project);
    const code = await main(args, io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  }

  async function run(...extra: string[]): Promise<number> {
    const r = await cli(
      'run',
      'scenarios/card/card-side-failures.yaml',
      '--junit',
      'reports/junit.xml',
      ...extra,
    );
    const id = /^run: (\d{8}-\d{6}-[0-9a-f]{4}) \(history: /m.exec(r.out)?.[1];
    assert.ok(id, `the run names its record:\n${r.out}\n${r.err}`);
    runIds.push(id);
    seeds.push(Number(/^payhil run: .*, seed (\d+)$/m.exec(r.out)?.[1]));
    return r.code;
  }

  before(() => {
    // A scenario pack of its own (so its files are as run), with test-plan refs on two scenarios.
    project = mkdtempSync(join(tmpdir(), 'payhil-e2e-history-'));
    mkdirSync(join(project, 'scenarios', 'card'), { recursive: true });
    cpSync(packagePath('scenarios', 'common'), join(project, 'scenarios', 'common'), { recursive: true });
    const text = readFileSync(packagePath('scenarios', 'card', 'card-side-failures.yaml'), 'utf8')
      .replace('id: card/expired-card\n', 'id: card/expired-card\nrefs: [TP-CARD-01, TP-EXPIRY-03]\n')
      .replace('id: card/unsupported-aid\n', 'id: card/unsupported-aid\nrefs: [TP-CARD-01]\n');
    writeFileSync(join(project, 'scenarios', 'card', 'card-side-failures.yaml'), text);
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('a clean run and a run with the defect: diff lists exactly the newly failing scenario and exits 1', async () => {
    assert.equal(await run(), 0);
    assert.equal(await run('--defect', 'accepts-expired-card'), 1);
    assert.deepEqual(
      readdirSync(join(project, 'reports', 'history'))
        .filter((f) => f.endsWith('.json'))
        .sort(),
      // Two runs may start in the same second (simulated time): the ids' random tails order them there.
      runIds.map((id) => `${id}.json`).sort(),
    );

    const r = await cli('diff', '--json');
    assert.equal(r.code, 1, r.err);
    const d = JSON.parse(r.out) as DiffJson;
    assert.deepEqual(
      d.newFailures.map((e) => e.id),
      ['card/expired-card'],
    );
    assert.deepEqual([d.fixed, d.stillFailing, d.added, d.removed, d.flaky], [[], [], [], [], []]);
    assert.deepEqual(d.gate.findings, ['new-failures']);

    // The table and the Markdown say the same; the JUnit file of the run is a side too.
    const table = await cli('diff', runIds[0]!, runIds[1]!);
    assert.equal(table.code, 1);
    assert.match(
      table.out,
      /new failures \(1\)\n {2}card\/expired-card +passed → failed +expect@\d+#[0-9a-f]{12} +expected display ~ \/EXPIRED\/i/,
    );
    const md = await cli('diff', runIds[0]!, 'reports/junit.xml', '--markdown');
    assert.equal(md.code, 1);
    assert.match(md.out, /\| `card\/expired-card` \| passed → failed \|/);
  });

  it('a clean run again: the scenario is fixed and, having flipped, flaky; the gate passes', async () => {
    assert.equal(await run(), 0);
    const r = await cli('diff', '--json');
    assert.equal(r.code, 0, r.err);
    const d = JSON.parse(r.out) as DiffJson;
    assert.deepEqual(d.newFailures, []);
    assert.deepEqual(
      d.fixed.map((e) => e.id),
      ['card/expired-card'],
    );
    assert.deepEqual(
      d.flaky.map((e) => [e.id, e.rule, e.detail]),
      [['card/expired-card', 'flips', 'P F P in the last 3 runs']],
    );
    assert.equal((await cli('diff', '--fail-on', 'flaky')).code, 1);
  });

  it('the evidence bundle of the last run verifies with sha256sum -c, and fails after one byte is changed', async () => {
    const zip = join(project, 'evidence.zip');
    const r = await cli('evidence', '-o', zip);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`run ${runIds[2]}`));
    const t = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    const py = spawnSync(
      'python3',
      ['-c', 'import sys,zipfile; print(zipfile.ZipFile(sys.argv[1]).testzip())', zip],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(py.stdout.trim(), 'None', py.stderr);

    const out = join(project, 'unzipped');
    assert.equal(spawnSync('unzip', ['-q', zip, '-d', out]).status, 0);
    const dir = join(out, `evidence-${runIds[2]}`);
    const ok = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);

    for (const f of [
      'junit.xml',
      'scenario-files/scenarios/card/card-side-failures.yaml',
      'scenario-files/scenarios/common/sign-in.steps.yaml',
      'scenarios/card/expired-card/timeline.txt',
      'scenarios/card/expired-card/host-traffic-masked.pcap',
      'scenarios/card/chip-card-swiped/receipt.txt',
      'terminal.json',
      'bench.json',
      'coverage.md',
    ])
      assert.ok(existsSync(join(dir, f)), f);
    let java = true;
    try {
      checkJava();
    } catch {
      java = false;
    }
    assert.equal(existsSync(join(dir, 'allure-report', 'index.html')), java);
    assert.equal(
      readFileSync(join(dir, 'scenario-files/scenarios/card/card-side-failures.yaml'), 'utf8'),
      readFileSync(join(project, 'scenarios/card/card-side-failures.yaml'), 'utf8'),
    );
    const terminal = JSON.parse(readFileSync(join(dir, 'terminal.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([terminal.profile, terminal.model], ['cup-pos-ci', 'payhil reference POS']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      seed: unknown;
      run: string;
    };
    // The seed the run printed, recorded in its history record.
    assert.deepEqual([manifest.seed, manifest.run], [seeds[2], runIds[2]]);
    assert.ok(Number.isInteger(manifest.seed));
    const coverage = JSON.parse(readFileSync(join(dir, 'coverage.json'), 'utf8')) as {
      ref: string;
      verdict: string;
      scenarios: { id: string }[];
    }[];
    assert.deepEqual(
      coverage.map((c) => [c.ref, c.verdict, c.scenarios.map((s) => s.id)]),
      [
        ['TP-CARD-01', 'passed', ['card/expired-card', 'card/unsupported-aid']],
        ['TP-EXPIRY-03', 'passed', ['card/expired-card']],
      ],
    );

    // One byte changed in the masked capture: sha256sum -c names the file and fails.
    const pcap = join(dir, 'scenarios/card/expired-card/host-traffic-masked.pcap');
    const bytes = readFileSync(pcap);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
    writeFileSync(pcap, bytes);
    const bad = spawnSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /scenarios\/card\/expired-card\/host-traffic-masked\.pcap: FAILED/);
  });

  it('evidence refuses a run whose results a later run replaced, and a scenario file changed since', async () => {
    const old = await cli('evidence', runIds[0]!, '--no-html', '-o', join(project, 'old.zip'));
    assert.equal(old.code, 2);
    assert.match(old.err, new RegExp(`holds the results of run ${runIds[2]}, not of run ${runIds[0]}`));

    const steps = join(project, 'scenarios', 'common', 'sign-in.steps.yaml');
    const text = readFileSync(steps, 'utf8');
    writeFileSync(steps, text + '# edited\n');
    const changed = await cli('evidence', '--no-html', '-o', join(project, 'changed.zip'));
    assert.equal(changed.code, 2);
    assert.match(changed.err, /sign-in\.steps\.yaml changed since run/);
    writeFileSync(steps, text);

    // A run without history empties the results folder of the marker too: the last recorded run's results
    // are gone, and the folder names no run.
    const unrecorded = await cli(
      'run',
      'scenarios/card/card-side-failures.yaml',
      '--grep',
      'unsupported-aid',
      '--no-history',
    );
    assert.equal(unrecorded.code, 0, unrecorded.err);
    assert.equal(
      readdirSync(join(project, 'reports', 'history')).filter((f) => f.endsWith('.json')).length,
      3,
    );
    const gone = await cli('evidence', '--no-html', '-o', join(project, 'gone.zip'));
    assert.equal(gone.code, 2);
    assert.match(gone.err, new RegExp(`holds the results of another run, not of run ${runIds[2]}`));
  });
});
