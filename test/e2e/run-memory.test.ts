/**
 * Flat memory: `payhil run` of 1,000 scenario runs (a sign-in and a declined chip purchase, expanded by
 * a matrix) with Allure results and JUnit writing completes in a 48 MiB heap. Before the runner streamed
 * its results (the summary holding every run's timeline, mocha every test's listener, the proxy a
 * 10,000-entry journal) the same run died of heap exhaustion after 164 runs; RSS figures at 100 and
 * 1,000 runs are the run benchmark's (harness/runner/run.bench.ts).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { packagePath } from '../../harness/common/project-root.js';
import { writeMatrixCorpus } from '../bench/catalogue-copies.js';

const RUNS = 1000;

describe('e2e: payhil run keeps its memory flat', function () {
  this.timeout(600000);
  const dir = mkdtempSync(join(tmpdir(), 'payhil-memory-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`runs ${RUNS} scenarios with Allure and JUnit writing in a 48 MiB heap`, async () => {
    writeMatrixCorpus(dir, RUNS);
    const bin = packagePath('dist', 'harness', 'cli', 'bin.js');
    const child = spawn(
      process.execPath,
      [
        '--max-old-space-size=48',
        bin,
        'run',
        'scenarios',
        '--seed',
        '5',
        '--junit',
        'junit.xml',
        '--results-dir',
        'results',
        '--no-history',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let tail = '';
    const keep = (b: Buffer): void => void (tail = (tail + b.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 0, tail);
    assert.match(tail, new RegExp(`total\\s+${RUNS}\\s+0\\s+0\\s+0`));
    // Every result written by the time the run exits.
    const results = readdirSync(join(dir, 'results')).filter((f) => f.endsWith('-result.json'));
    assert.equal(results.length, RUNS);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    assert.match(junit, new RegExp(`<testsuites name="payhil" tests="${RUNS}" failures="0"`));
    // Catalogue order: n=1, 2, … 1000.
    const order = [...junit.matchAll(/name="many\/risk-\d+\[n=(\d+)\]"/g)].map((m) => Number(m[1]));
    assert.deepEqual(
      order,
      Array.from({ length: RUNS }, (_, i) => i + 1),
    );
  });
});
