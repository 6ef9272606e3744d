/**
 * The conformance suite checked against drivers known to be wrong: an in-memory fake passes every test,
 * and each flaw — a timer left running after deactivate, a hang on a dead peer, a second start accepted
 * while busy, a transaction declared missing but silently accepted — fails exactly the test for it.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SUITE = fileURLToPath(new URL('./fake-driver-suite.test-helper.js', import.meta.url));
const MOCHA = fileURLToPath(new URL('../../../node_modules/mocha/bin/mocha.js', import.meta.url));

/** Runs the suite on the fake with `flaw`; the titles of the failed tests. */
function failedTests(flaw: string): { failed: string[]; passed: number } {
  const r = spawnSync(process.execPath, [MOCHA, '--no-config', '--exit', '--reporter', 'json', SUITE], {
    env: { ...process.env, PAYHIL_FAKE_FLAW: flaw },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const json = r.stdout.slice(r.stdout.indexOf('{'));
  const report = JSON.parse(json) as { failures: { title: string }[]; passes: unknown[] };
  return { failed: report.failures.map((f) => f.title), passed: report.passes.length };
}

describe('the driver conformance suite catches broken drivers', function () {
  this.timeout(60_000);

  it('a conforming fake passes all 11 tests (settle declared missing: its refusal is checked)', () => {
    assert.deepEqual(failedTests('none'), { failed: [], passed: 11 });
  });

  for (const [flaw, test] of [
    ['leaks-a-timer', /deactivate leaves no socket, timer or handle behind/],
    ['hangs-on-dead-peer', /a peer that dies/],
    ['accepts-while-busy', /busy: a second start while a purchase runs is refused/],
    ['ignores-unoffered', /settle: declared not offered, so refused with a broken error/],
  ] as const)
    it(`${flaw}: fails exactly its test`, () => {
      const r = failedTests(flaw);
      assert.equal(r.failed.length, 1, JSON.stringify(r.failed));
      assert.match(r.failed[0] as string, test);
    });
});
