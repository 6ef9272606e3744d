/**
 * The operator driver in a real non-interactive process: a child node whose stdin is a pipe (as under CI
 * or a scheduler) asks the operator and must fail at once, broken, with the reason — not hang until the
 * timeout.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';

const DRIVER = new URL('../../harness/drivers/operator/index.js', import.meta.url).href;

function runChild(
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; out: string; ms: number }> {
  const script = `
    const { OperatorDriver } = await import(${JSON.stringify(DRIVER)});
    const d = new OperatorDriver({ timeoutMs: 20000 });
    await d.activate();
    try { await d.cards.insert('cup-debit'); console.log('ANSWERED'); }
    catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, verdict: e.verdict, message: e.message })); }
  `;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: Date.now() - started });
    });
  });
}

describe('e2e: operator driver in a non-interactive process', function () {
  this.timeout(20000);

  for (const [label, env, reason] of [
    ['stdin is a pipe', { CI: '' }, 'stdin is not a terminal'],
    ['CI=true', { CI: 'true' }, 'CI=true'],
  ] as const) {
    it(`${label}: broken at once with a clear message`, async () => {
      const r = await runChild(env);
      assert.equal(r.code, 0);
      const e = JSON.parse(r.out.trim()) as { name: string; code: string; verdict: string; message: string };
      assert.equal(e.name, 'OperatorUnavailableError');
      assert.equal(e.code, 'E_OPERATOR_UNAVAILABLE');
      assert.equal(e.verdict, 'broken');
      assert.match(
        e.message,
        /operator needed for 'Insert card 'cup-debit' into the terminal' but this run is not interactive/,
      );
      assert.ok(e.message.includes(`(${reason})`), e.message);
      assert.ok(r.ms < 10000, `answered in ${r.ms} ms, not after the 20 s timeout`);
    });
  }
});
