/**
 * Two users of vpcd at once on one machine (two test runs, a developer's `payhil card serve` and CI…):
 * vpcd's port is fixed and it holds one card, so without a lock the second card is connected while the
 * first is in the reader and vpcd never polls it ("no connection", "Card was reset", the wrong card
 * read). Here two `payhil card serve` start together: both succeed, one after the other, and the second
 * says whom it waits for. Needs pcscd and vsmartcard-vpcd (.ci/run installs them).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'mocha';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { ensurePcscd, missingVpcdStack, VPCD_LOCK_OWNER_ENV } from '../../harness/drivers/pcsc/index.js';
import { runPayhil } from './payhil-cli.test-helper.js';
import { VPCD_WAIT_BUDGET_MS } from './vpcd-lock.test-helper.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

function cardServe(card: string, removeAfterMs: number) {
  const env = { ...process.env };
  delete env[VPCD_LOCK_OWNER_ENV]; // each one a user of its own, as two separate runs are
  const child = spawn(
    process.execPath,
    [BIN, 'card', 'serve', '--card', card, '--remove-after', String(removeAfterMs)],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out })),
  );
  return { pid: child.pid as number, done, output: () => out };
}

describe('e2e: two processes using vpcd at once take turns', function () {
  // Another test run may hold vpcd first: the wait is bounded by the lock itself.
  this.timeout(VPCD_WAIT_BUDGET_MS);

  before(function () {
    const missing = missingVpcdStack();
    assert.equal(missing, undefined, `needs ${missing} (.ci/run installs them)`);
    ensurePcscd();
  });

  it('two `payhil card serve` at once: both served and polled by vpcd, the second waits saying for whom', async () => {
    // Each card stays 4 s: longer than the 3 s in which vpcd must poll a card it has taken.
    const a = cardServe('cup-debit', 4000);
    const b = cardServe('cup-credit', 4000);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    for (const [r, card] of [
      [ra, 'cup-debit'],
      [rb, 'cup-credit'],
    ] as const) {
      assert.equal(r.code, 0, r.out);
      assert.match(
        r.out,
        new RegExp(`card ${card} \\(\\d{6}\\*+\\d{4}\\) inserted into vpcd 127\\.0\\.0\\.1:35963`),
      );
      assert.match(r.out, new RegExp(`card ${card} removed after`));
      assert.doesNotMatch(r.out, /has not polled/, `vpcd took ${card} while another card held the slot`);
    }
    const waitedForA = new RegExp(
      `vpcd 127\\.0\\.0\\.1:35963 is in use by process ${a.pid} \\(payhil card serve cup-debit`,
    );
    const waitedForB = new RegExp(
      `vpcd 127\\.0\\.0\\.1:35963 is in use by process ${b.pid} \\(payhil card serve cup-credit`,
    );
    assert.ok(
      waitedForA.test(rb.out) !== waitedForB.test(ra.out),
      `exactly one waited for the other:\n--- a\n${ra.out}\n--- b\n${rb.out}`,
    );
  });

  it('a pcsc bench started while `payhil card serve` holds vpcd waits for it, then passes', async () => {
    const serve = cardServe('cup-debit', 3000);
    // The bench starts once the card is in the reader (not before: then it would go first).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`payhil card serve did not insert its card: ${serve.output()}`)),
        VPCD_WAIT_BUDGET_MS - 60_000,
      );
      const poll = setInterval(() => {
        if (!/inserted into vpcd/.test(serve.output())) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 50);
    });
    const dir = mkdtempSync(join(tmpdir(), 'payhil-pcsc-concurrent-'));
    try {
      const env = { ...process.env };
      delete env[VPCD_LOCK_OWNER_ENV];
      const run = await runPayhil(
        [
          'run',
          packagePath('scenarios'),
          '--root',
          packageRoot(),
          '--lab',
          packagePath('fixtures', 'labs', 'emulator-process.yaml'),
          '--bench',
          'pcsc',
          '--grep',
          '^contactless/ec-offline-approval$',
          '--results-dir',
          join(dir, 'results'),
        ],
        dir,
        VPCD_WAIT_BUDGET_MS,
        env,
      );
      const served = await serve.done;
      assert.equal(served.code, 0, served.out);
      assert.doesNotMatch(served.out, /has not polled/);
      assert.equal(run.code, 0, run.out);
      assert.match(
        run.out,
        new RegExp(
          `vpcd 127\\.0\\.0\\.1:35963 is in use by process ${serve.pid} \\(payhil card serve cup-debit`,
        ),
      );
      assert.match(run.out, /^PASS +[\d.]+ m?s {2}contactless\/ec-offline-approval$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
