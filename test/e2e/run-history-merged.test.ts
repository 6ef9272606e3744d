/**
 * Run history for runs whose scenarios run elsewhere: `payhil run --jobs 2` (forked embedded benches) and
 * `payhil run --queue redis://…` (one `payhil agent` serving an embedded bench, on a redis-server of the
 * test's own) each append one record to the history folder, as a local run does: the bench named, every
 * scenario with its verdict, the failing one with its fingerprint, and the results folder's marker naming
 * the run so `payhil diff` and `payhil evidence` find it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { packageRoot } from '../../harness/common/project-root.js';
import type { RunRecord } from '../../harness/report/index.js';
import { runPayhil } from './payhil-cli.test-helper.js';
import { startRedis, type TestRedis } from './redis-server.test-helper.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

/** Fails on purpose: an empty account is declined, the scenario expects 00. */
const WRONG = `id: merged/expects-approval
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

/** The one record of a history folder. */
function onlyRecord(dir: string): RunRecord {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.equal(files.length, 1, `one record in ${dir}: ${files.join(', ')}`);
  return JSON.parse(readFileSync(join(dir, files[0] as string), 'utf8')) as RunRecord;
}

/** What every record of a merged run must hold, as a local run's. */
function assertRecord(r: RunRecord, out: string, bench: string, results: string): void {
  assert.equal(r.format, 1);
  assert.equal(r.bench.name, bench);
  assert.match(out, new RegExp(`^run: ${r.id} \\(history: `, 'm'));
  const ids = r.scenarios.map((s) => s.id);
  assert.ok(ids.includes('merged/expects-approval'), ids.join(', '));
  assert.ok(ids.length >= 3, ids.join(', '));
  const wrong = r.scenarios.find((s) => s.id === 'merged/expects-approval');
  assert.equal(wrong?.verdict, 'failed');
  assert.match(wrong?.fingerprint ?? '', /^expect@\d+(\.\d+)*#[0-9a-f]{12}$/);
  assert.equal(r.counts.failed, 1, JSON.stringify(r.counts));
  assert.equal(r.counts.passed + r.counts.failed + r.counts.broken + r.counts.skipped, ids.length);
  assert.ok(
    r.files.some((f) => f.path === 'scenarios/account/issuer-declines.yaml'),
    r.files.map((f) => f.path).join(', '),
  );
  const marker = JSON.parse(readFileSync(join(results, 'payhil-run.json'), 'utf8')) as {
    run: string;
    bench: string;
  };
  assert.deepEqual([marker.run, marker.bench], [r.id, bench]);
}

describe('run history of --jobs and --queue runs', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-merged-history-'));
    writeFileSync(join(dir, 'wrong.yaml'), WRONG);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--jobs 2 appends one record: bench embedded, every scenario with its verdict, the failure fingerprinted', async () => {
    const history = join(dir, 'history-jobs');
    const results = join(dir, 'results-jobs');
    const r = await runPayhil(
      [
        'run',
        'scenarios/account/issuer-declines.yaml',
        join(dir, 'wrong.yaml'),
        '--jobs',
        '2',
        '--seed',
        '4242',
        '--results-dir',
        results,
        '--history-dir',
        history,
      ],
      packageRoot(),
      240_000,
    );
    assert.equal(r.code, 1, r.out);
    const rec = onlyRecord(history);
    assertRecord(rec, r.out, 'embedded', results);
    assert.equal(rec.bench.facts.jobs, '2');
    assert.equal(rec.seed, 4242, 'the seed the workers drew from');
    assert.equal(rec.bench.terminal.protocol, 'emulated (in-process)');
  });

  describe('--queue', () => {
    let redis: TestRedis;
    let agent: ChildProcess | undefined;
    let agentOut = '';

    before(async () => {
      redis = await startRedis();
      const inventory = join(dir, 'inventory.yaml');
      // labFile omitted: the embedded bench, in the agent's process.
      writeFileSync(
        inventory,
        'lab: test\nbenches:\n  - name: emb-1\n    pool: embedded\n    tags: { firmware: emulator }\n',
      );
      agent = spawn(process.execPath, [BIN, 'agent', '--queue', redis.url, '--lab', inventory], {
        cwd: packageRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      await new Promise<void>((resolve, reject) => {
        const take = (d: Buffer): void => {
          agentOut += d.toString();
          if (/serving emb-1/.test(agentOut)) resolve();
        };
        agent?.stdout?.on('data', take);
        agent?.stderr?.on('data', take);
        agent?.once('exit', (code) => reject(new Error(`agent exited ${code}: ${agentOut}`)));
      });
    });
    after(async () => {
      if (agent && agent.exitCode === null && agent.signalCode === null) {
        const gone = new Promise((r) => agent?.once('exit', r));
        agent.kill('SIGTERM');
        await gone;
      }
      await redis?.stop();
    });

    it('--queue appends one record: bench queue[firmware=emulator], the agent bench in its facts', async () => {
      const history = join(dir, 'history-queue');
      const results = join(dir, 'results-queue');
      const r = await runPayhil(
        [
          'run',
          'scenarios/account/issuer-declines.yaml',
          join(dir, 'wrong.yaml'),
          '--queue',
          redis.url,
          '--bench-tag',
          'firmware=emulator',
          '--seed',
          '4243',
          '--results-dir',
          results,
          '--history-dir',
          history,
        ],
        packageRoot(),
        240_000,
      );
      assert.equal(r.code, 1, `${r.out}\nagent:\n${agentOut}`);
      assert.equal(onlyRecord(history).seed, 4243, 'the seed the agents drew from');
      const rec = onlyRecord(history);
      assertRecord(rec, r.out, 'queue[firmware=emulator]', results);
      assert.equal(rec.bench.facts.benches, 'emb-1');
      assert.equal(rec.bench.facts.queue, redis.url.replace(/\/\/:[^@]*@/, '//'));
      // A second queued run of the same bench: `payhil diff` compares the two by the bench's name.
      const again = await runPayhil(
        [
          'run',
          'scenarios/account/issuer-declines.yaml',
          join(dir, 'wrong.yaml'),
          '--queue',
          redis.url,
          '--bench-tag',
          'firmware=emulator',
          '--results-dir',
          results,
          '--history-dir',
          history,
        ],
        packageRoot(),
        240_000,
      );
      assert.equal(again.code, 1, again.out);
      const diff = await runPayhil(
        ['diff', '--history-dir', history, '--bench', 'queue[firmware=emulator]', '--json'],
        packageRoot(),
        30_000,
      );
      const d = JSON.parse(diff.out) as { newFailures: unknown[]; stillFailing: { id: string }[] };
      assert.equal(d.newFailures.length, 0, diff.out);
      assert.deepEqual(
        d.stillFailing.map((s) => s.id),
        ['merged/expects-approval'],
      );
      // The same two records on the lab's Redis, readable by `payhil diff --queue` from any machine.
      assert.match(
        again.out,
        /^history: also on the lab's Redis \(redis:\/\/127\.0\.0\.1:\d+ payhil:history:runs\)$/m,
      );
      const shared = await redis.client.hgetall('payhil:history:runs');
      const local = readdirSync(history).map((f) => f.replace(/\.json$/, ''));
      assert.deepEqual(Object.keys(shared).sort(), local.sort());
      for (const id of local)
        assert.deepEqual(
          JSON.parse(shared[id] as string),
          JSON.parse(readFileSync(join(history, `${id}.json`), 'utf8')),
        );
      const fromRedis = await runPayhil(
        ['diff', '--queue', redis.url, '--bench', 'queue[firmware=emulator]', '--json'],
        packageRoot(),
        30_000,
      );
      assert.deepEqual(JSON.parse(fromRedis.out), d, fromRedis.out);
    });
  });
});
