/**
 * `payhil run` of the bundled catalogue on the sidecar bench of fixtures/labs/sidecar.yaml: the emulator as
 * its own process, reached through the reference sidecar (the sidecar driver's child, JSON lines on its
 * stdio) the way a lab reaches a vendor DLL; cards and keys through the emulator's ECR test-mode channel.
 * Every scenario passes but those that need an ATM, device conditions or the card dialogue (skipped, the
 * reason on the console line).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { runPayhil } from './payhil-cli.test-helper.js';

describe('payhil run on the sidecar bench (reference sidecar over stdio → emulator ECR)', function () {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-run-sidecar-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--bench sidecar: the catalogue passes; ATM, device and card-dialogue scenarios skipped with the reason', async function () {
    this.timeout(6 * 60_000);
    const started = Date.now();
    const { code, out } = await runPayhil(
      [
        'run',
        packagePath('scenarios'),
        '--bench',
        'sidecar',
        '--root',
        packageRoot(),
        '--results-dir',
        join(dir, 'results'),
      ],
      dir,
      5 * 60_000,
    );
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    const total = /^total\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(out);
    assert.ok(total, out.slice(-3000));
    const [passed, failed, broken, skipped] = total.slice(1).map(Number) as [number, number, number, number];
    assert.deepEqual(
      { failed, broken },
      { failed: 0, broken: 0 },
      out
        .split('\n')
        .filter((l) => !l.startsWith('PASS'))
        .join('\n'),
    );
    assert.ok(passed >= 50, `${passed} passed`);
    for (const line of out.split('\n').filter((l) => l.startsWith('SKIP')))
      assert.match(line, /the bench 'sidecar' lacks (atm|operator|devices|apdu|maintenance|clock)/, line);
    assert.equal(code, 0);
    process.stdout.write(`      sidecar: ${passed} passed, ${skipped} skipped, ${took}\n`);
  });
});
