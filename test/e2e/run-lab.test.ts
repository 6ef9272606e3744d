/**
 * `payhil run` on the self-contained lab benches of fixtures/labs/emulator-process.yaml: the emulator as
 * its own process reached over a socat pty pair (ecr-serial) and through its web UI in Debian's
 * Chromium (web), with the host simulator behind the fault proxy. The same bundled catalogue scenarios
 * that pass on the embedded bench pass here (see docs/runner.md, "Lab benches", for why these).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));
const LAB = packagePath('fixtures', 'labs', 'emulator-process.yaml');

/**
 * Terminal, keypad, cards, host and network only (no `expect card`, which neither an ECR link nor a web
 * page can answer, and no inline cards, which the web page's card picker does not offer): sign-in, a
 * declined chip purchase with PIN (51), risk control (59), chip → swipe fallback, a chip card swiped,
 * a tap moved away too early, a bad MAC → reversal, and a purchase + day-end settlement.
 */
const COMMON = [
  'sign-in/daily-sign-in',
  'account/insufficient-funds',
  'account/risk-control',
  'card/damaged-chip-fallback',
  'card/chip-card-swiped',
  'contactless/card-moved-away[holdMs=20]',
  'contactless/card-moved-away[holdMs=80]',
  'network/bad-mac-reversal',
  'settlement/balanced-batch',
];
/** ECR only: the matrix file also holds an inline card (fine over ECR, not in the web card picker). */
const ECR_ONLY = ['purchase/chip-pin-approved[card=debit,amount=12.50]'];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function payhil(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('payhil run on lab benches with the emulator as its own process', function () {
  this.timeout(110_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-run-lab-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [bench, ids] of [
    ['ecr-serial', [...COMMON, ...ECR_ONLY]],
    ['web', COMMON],
  ] as const) {
    it(`--bench ${bench}: the representative scenarios pass, reports name the bench`, async () => {
      const grep = `^(${ids.map(escape).join('|')})$`;
      const results = join(dir, `${bench}-results`);
      const junit = join(dir, `${bench}.xml`);
      const { code, out } = await payhil(
        [
          'run',
          packagePath('scenarios'),
          '--root',
          packageRoot(),
          '--lab',
          LAB,
          '--bench',
          bench,
          '--grep',
          grep,
          '--results-dir',
          results,
          '--junit',
          junit,
        ],
        dir,
      );
      assert.equal(code, 0, out);
      assert.match(out, new RegExp(`${ids.length} scenarios on bench '${bench}'`));
      for (const id of ids)
        assert.match(out, new RegExp(`^PASS +[\\d.]+ m?s {2}${escape(id)}$`, 'm'), `${id} passed\n${out}`);
      assert.match(readFileSync(junit, 'utf8'), new RegExp(`tests="${ids.length}" failures="0" errors="0"`));
      const env = readFileSync(join(results, 'environment.properties'), 'utf8');
      assert.match(env, /payhil emulator as its own process/);
      assert.ok(existsSync(results));
    });
  }
});
