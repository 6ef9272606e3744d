/**
 * `payhil run --jobs N` and `--shard i/n` end to end on embedded benches: the same verdict per scenario
 * as a serial run, one JUnit file in catalogue order, one Allure result per scenario; the shards of a
 * catalogue together are the catalogue, each scenario in one shard.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { packageRoot } from '../../harness/common/project-root.js';
import { runPayhil } from './payhil-cli.test-helper.js';

/** A scenario that fails: an empty account is declined, the scenario expects 00. */
const WRONG = `id: jobs/expects-approval
title: Expects an approval from an empty account (fails on purpose)
requires: [chip, pinpad, host]
cards:
  card: cup-debit
host:
  accounts:
    card: { balance: 0 }
steps:
  - signIn:
  - purchase: { amount: '10.00' }
  - insert: { card: card }
  - enterPin: { pin: '123456' }
  - expect:
      host:
        request: { mti: '0200' }
        response: { '39': '00' }
      within: 3s
finally:
  - remove:
`;

/**
 * JUnit without what differs between two runs of the same scenarios on real time: times, the timeline
 * (system-out) and the failure texts with their cryptograms; cases, verdicts, types and first lines stay.
 */
const timeless = (xml: string): string =>
  xml
    .replace(/ (time|timestamp)="[^"]*"/g, '')
    .replace(/<system-out>[\s\S]*?<\/system-out>/g, '')
    .replace(/(<(failure|error)[^>]*>)[\s\S]*?(<\/\2>)/g, '$1$3');

/** [id, verdict] of each JUnit case, in file order. */
function verdicts(xml: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const body = m[2] as string;
    const v = body.includes('<failure')
      ? 'failed'
      : body.includes('<error')
        ? 'broken'
        : body.includes('<skipped')
          ? 'skipped'
          : 'passed';
    out.push([m[1] as string, v]);
  }
  return out;
}

describe('payhil run --jobs and --shard (embedded benches)', function () {
  this.timeout(120000);
  let dir: string;
  let paths: string[];
  let serial: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-jobs-'));
    writeFileSync(join(dir, 'wrong.yaml'), WRONG);
    paths = ['scenarios/purchase', 'scenarios/account', join(dir, 'wrong.yaml')];
    const r = await runPayhil(
      ['run', ...paths, '--results-dir', join(dir, 'serial'), '--junit', join(dir, 'serial.xml')],
      packageRoot(),
      90000,
    );
    assert.equal(r.code, 1, r.out);
    serial = readFileSync(join(dir, 'serial.xml'), 'utf8');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--jobs 2: the same JUnit as the serial run (cases, order, verdicts, first lines), one Allure result per scenario', async () => {
    const r = await runPayhil(
      ['run', ...paths, '--jobs', '2', '--results-dir', join(dir, 'jobs'), '--junit', join(dir, 'jobs.xml')],
      packageRoot(),
      90000,
    );
    assert.equal(r.code, 1, 'a failed scenario: exit 1 as for a serial run');
    assert.match(r.out, /on 2 benches/);
    const jobs = readFileSync(join(dir, 'jobs.xml'), 'utf8');
    const v = verdicts(serial);
    assert.ok(v.length >= 15, `${v.length} scenarios`);
    assert.ok(v.some(([, s]) => s === 'failed') && v.some(([, s]) => s === 'passed'));
    assert.deepEqual(verdicts(jobs), v);
    assert.equal(timeless(jobs), timeless(serial));
    const results = readdirSync(join(dir, 'jobs')).filter((f) => f.endsWith('-result.json'));
    assert.equal(results.length, v.length);
    const names = results.map(
      (f) => (JSON.parse(readFileSync(join(dir, 'jobs', f), 'utf8')) as { fullName: string }).fullName,
    );
    assert.deepEqual(names.sort(), v.map(([id]) => id).sort());
    assert.match(readFileSync(join(dir, 'jobs', 'environment.properties'), 'utf8'), /^jobs = 2$/m);
  });

  it('--shard 1/2 and 2/2 (each on --jobs 1): disjoint, together the catalogue, each in catalogue order', async () => {
    const shards: [string, string][][] = [];
    for (const s of ['1/2', '2/2']) {
      const n = s[0] as string;
      const r = await runPayhil(
        [
          'run',
          ...paths,
          '--shard',
          s,
          '--jobs',
          '1',
          '--results-dir',
          join(dir, `shard${n}`),
          '--junit',
          join(dir, `shard${n}.xml`),
        ],
        packageRoot(),
        90000,
      );
      assert.ok(r.code === 0 || r.code === 1, r.out);
      shards.push(verdicts(readFileSync(join(dir, `shard${n}.xml`), 'utf8')));
    }
    const all = verdicts(serial);
    assert.deepEqual(
      shards[0],
      all.filter((_, i) => i % 2 === 0),
    );
    assert.deepEqual(
      shards[1],
      all.filter((_, i) => i % 2 === 1),
    );
  });

  it('bad --jobs and --shard values: exit 2 with the reason', async () => {
    for (const [args, re] of [
      [['--jobs', '0'], /--jobs must be 1\.\.32/],
      [['--shard', '3/2'], /--shard: '3\/2' is not i\/n/],
    ] as const) {
      const r = await runPayhil(['run', 'scenarios/purchase', ...args], packageRoot(), 20000);
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, re);
      assert.doesNotMatch(r.out, /\n\s+at /, 'no stack trace');
    }
  });
});

describe('--jobs worker processes: a worker killed mid-scenario', function () {
  this.timeout(60000);

  it('rejects the run with WorkerLostError; the pool re-runs the scenario once on a new worker', async () => {
    const { ForkedWorker } = await import('../../harness/cli/forked-worker.js');
    const { runPool, WorkerLostError } = await import('../../harness/lab/index.js');
    const { loadScenarios } = await import('../../harness/scenario/index.js');
    const scenarios = loadScenarios([join(packageRoot(), 'scenarios', 'purchase', 'void-and-refund.yaml')], {
      root: packageRoot(),
    }).slice(0, 2);
    assert.equal(scenarios.length, 2);
    const items = scenarios.map((scenario, index) => ({ index, scenario }));
    const records: { index: number; status: string; bench: string }[] = [];
    const lost: string[] = [];
    let starts = 0;
    const out = await runPool(items, {
      jobs: 1,
      async start() {
        const w = await ForkedWorker.start(`w${++starts}`, { kind: 'embedded' }, {});
        return {
          name: w.name,
          run: (item) => {
            const p = w.run(item);
            // The first worker dies (SIGKILL) while it runs its first scenario.
            if (starts === 1) setImmediate(() => process.kill(w.pid as number, 'SIGKILL'));
            return p;
          },
          close: () => w.close(),
        };
      },
      onResult: (_, r) => records.push(r),
      onLost: (item, worker, e, requeued) => {
        assert.ok(e instanceof WorkerLostError);
        lost.push(`${item.index}@${worker}:${requeued}:${e.message}`);
      },
    });
    assert.equal(lost.length, 1);
    assert.match(lost[0] as string, /^0@w1:true:w1 was lost: process exited \(SIGKILL\)/);
    assert.deepEqual(records.map((r) => r.index).sort(), [0, 1], 'each scenario once');
    assert.ok(records.every((r) => r.status === 'passed'));
    assert.deepEqual(out, { unrun: [], lost: [] });
    assert.equal(starts, 2, 'the lost worker was replaced');
  });
});
