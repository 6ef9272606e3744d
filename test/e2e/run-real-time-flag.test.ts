/**
 * `payhil run` on the embedded bench: simulated time by default, real time with `--real-time`; the
 * report's environment says which. A scenario with a 3 s `none` window: its recorded duration (bench
 * clock) is exactly the window in simulated time, at least the window in real time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'mocha';
import { memoryIo } from '../../harness/cli/command.js';
import { main } from '../../harness/cli/main.js';

const SCENARIO = `title: a quiet terminal stays quiet for 3 s
requires: [host]
steps:
  - expect:
      none: { host: { request: { mti: '0200' } } }
      within: 3s
`;

describe('payhil run --real-time', function () {
  this.timeout(60000);

  for (const [flags, time] of [
    [[], 'simulated'],
    [['--real-time'], 'real'],
  ] as const) {
    it(`${flags.length ? flags.join(' ') : 'no flag'}: the embedded bench runs on ${time} time`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'payhil-real-time-'));
      try {
        writeFileSync(join(dir, 'quiet.yaml'), SCENARIO);
        const io = memoryIo(dir);
        const results = join(dir, 'results');
        const junit = join(dir, 'junit.xml');
        const code = await main(
          ['run', 'quiet.yaml', ...flags, '--results-dir', results, '--junit', junit, '--no-history'],
          io,
        );
        assert.equal(code, 0, io.stdout.join('\n') + io.stderr.join('\n'));
        const env = readFileSync(join(results, 'environment.properties'), 'utf8');
        assert.match(env, new RegExp(`^time\\s*=\\s*${time}$`, 'm'));
        // The window is measured on the bench's clock: exactly 3 s simulated; at least 3 s real.
        const took = Number(/<testcase [^>]*time="([\d.]+)"/.exec(readFileSync(junit, 'utf8'))?.[1]);
        if (time === 'simulated') assert.equal(took, 3);
        else assert.ok(took >= 3, `${took} s`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('lab benches stay on real time', async () => {
    const { createBenchFromLab } = await import('../../harness/bench/index.js');
    const { packagePath } = await import('../../harness/common/project-root.js');
    const bench = createBenchFromLab(packagePath('fixtures', 'labs', 'embedded.yaml'));
    assert.equal(bench.facts.time, 'real');
  });
});
