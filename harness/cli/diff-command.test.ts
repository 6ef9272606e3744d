import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Status } from '../runner/index.js';
import { FolderHistoryStore, RUN_RECORD_FORMAT, type RunRecord } from '../report/index.js';
import { memoryIo } from './command.js';
import { main } from './main.js';

function rec(id: string, bench: string, rows: [string, Status, string?][]): RunRecord {
  return {
    format: RUN_RECORD_FORMAT,
    id,
    time: `2026-12-06T${id.slice(9, 11)}:${id.slice(11, 13)}:00.000Z`,
    durationMs: 1,
    payhil: '0.1.0',
    pack: { root: '/' },
    bench: { name: bench, facts: {}, terminal: {} },
    seed: null,
    counts: { passed: 0, failed: 0, broken: 0, skipped: 0 },
    outputs: {},
    files: [],
    scenarios: rows.map(([sid, verdict, fp]) => ({
      id: sid,
      title: sid,
      file: 'f',
      line: 1,
      verdict,
      durationMs: 1,
      attempt: 1,
      ...(fp ? { fingerprint: fp, message: 'expected display ~ /EXPIRED/i' } : {}),
    })),
  };
}

describe('cli/diff', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-diff-'));
    const store = new FolderHistoryStore(join(dir, 'reports', 'history'));
    await store.append(
      rec('20261206-100000-0001', 'embedded', [
        ['c/a', 'passed'],
        ['c/b', 'passed'],
      ]),
    );
    await store.append(
      rec('20261206-110000-0002', 'embedded', [
        ['c/a', 'failed', 'expect@6#0e0c26f43753'],
        ['c/b', 'passed'],
      ]),
    );
    // A later run of another bench is not the default's.
    await store.append(rec('20261206-120000-0003', 'web', [['c/a', 'passed']]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the last two runs of a bench and exits 1 on a new failure', async () => {
    const io = memoryIo(dir);
    assert.equal(await main(['diff', '--bench', 'embedded'], io), 1);
    const out = io.stdout.join('\n');
    assert.match(out, /base: 20261206-100000-0001/);
    assert.match(out, /head: 20261206-110000-0002/);
    assert.match(
      out,
      /new failures \(1\)\n {2}c\/a +passed → failed +expect@6#0e0c26f43753 +expected display ~ \/EXPIRED\/i/,
    );
    assert.match(out, /1 new failure, 0 fixed/);
  });

  it('--json carries the sections and the gate; --fail-on none exits 0', async () => {
    const io = memoryIo(dir);
    assert.equal(
      await main(['diff', '20261206-100000-0001', '20261206-110000-0002', '--json', '--fail-on', 'none'], io),
      0,
    );
    const j = JSON.parse(io.stdout.join('\n')) as {
      newFailures: { id: string }[];
      gate: { findings: string[] };
    };
    assert.deepEqual(
      j.newFailures.map((e) => e.id),
      ['c/a'],
    );
    assert.deepEqual(j.gate.findings, []);
  });

  it('--markdown writes a table for a pull-request comment', async () => {
    const io = memoryIo(dir);
    assert.equal(await main(['diff', '20261206-110000-0002', '20261206-100000-0001', '--markdown'], io), 0);
    assert.match(
      io.stdout.join('\n'),
      /#### fixed \(1\)\n\n\| scenario \| change \| details \|\n\| --- \| --- \| --- \|\n\| `c\/a` \| failed → passed \|/,
    );
  });

  it('without a bench, the bench of the latest run: one run of it is too few', async () => {
    const io = memoryIo(dir);
    assert.equal(await main(['diff'], io), 2);
    assert.match(io.stderr.join('\n'), /one run of bench 'web'/);
  });

  it('refuses bad options with a usage error', async () => {
    for (const [args, re] of [
      [['diff', '--fail-on', 'everything'], /'everything' is not one of new-failures/],
      [['diff', '--flaky-window', '1'], /2 or more/],
      [['diff', '--slower', 'fast'], /positive number/],
      [['diff', '--json', '--markdown'], /not both/],
      [['diff', 'a', 'b', 'c'], /at most BASE and HEAD/],
      [['diff', 'no-such-thing', '20261206-100000-0001'], /neither a run id/],
    ] as [string[], RegExp][]) {
      const io = memoryIo(dir);
      assert.equal(await main(args, io), 2, args.join(' '));
      assert.match(io.stderr.join('\n'), re);
    }
  });
});
