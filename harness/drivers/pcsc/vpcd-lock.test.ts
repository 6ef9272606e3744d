import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { VpcdBusyError } from './errors.js';
import { acquireVpcdLock, vpcdLockFile, VPCD_LOCK_OWNER_ENV } from './vpcd-lock.js';

const LOCK_MODULE = fileURLToPath(new URL('./vpcd-lock.js', import.meta.url));

/** A node process that takes the lock in `dir`, holds it `holdMs`, and prints what happened (JSON lines). */
function contender(dir: string, holdMs: number, env: NodeJS.ProcessEnv = process.env) {
  const script = `
    const { acquireVpcdLock } = await import(${JSON.stringify(LOCK_MODULE)});
    const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
    const lock = await acquireVpcdLock({ dir: ${JSON.stringify(dir)}, holder: 'test ' + process.pid,
      onWait: (m) => say({ wait: m }) });
    say({ got: Date.now(), pid: process.pid });
    await new Promise((r) => setTimeout(r, ${holdMs}));
    say({ released: Date.now() });
    lock.release();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; lines: Record<string, unknown>[] }>((resolve) =>
    child.once('exit', (code) =>
      resolve({
        code,
        lines: out
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    ),
  );
  return { pid: child.pid as number, done };
}

/** A PID that no process has any more. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  return c.pid as number;
}

describe('vpcd lock (one user of vpcd at a time, machine-wide)', function () {
  this.timeout(20_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'payhil-vpcd-lock-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('two processes at once: the second waits, told who holds it, and their holds do not overlap', async () => {
    const a = contender(dir, 600);
    const b = contender(dir, 600);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    assert.equal(ra.code, 0);
    assert.equal(rb.code, 0);
    const span = (r: typeof ra) => ({
      got: r.lines.find((l) => l.got)?.got as number,
      released: r.lines.find((l) => l.released)?.released as number,
      waits: r.lines.filter((l) => l.wait).map((l) => l.wait as string),
    });
    const [sa, sb] = [span(ra), span(rb)];
    const [first, second, firstPid] = sa.got < sb.got ? [sa, sb, a.pid] : [sb, sa, b.pid];
    assert.ok(second.got >= first.released, `holds overlap: ${JSON.stringify([first, second])}`);
    assert.equal(second.waits.length, 1, JSON.stringify(second.waits));
    assert.match(
      second.waits[0] as string,
      new RegExp(
        `vpcd 127\\.0\\.0\\.1:35963 is in use by process ${firstPid} \\(test ${firstPid}, since .*\\); waiting`,
      ),
    );
    assert.equal(existsSync(vpcdLockFile({ dir })), false, 'lock file removed after the last release');
  });

  it('takes over a lock whose owner is dead (or that is unreadable), without waiting', async () => {
    const file = vpcdLockFile({ dir });
    for (const stale of [
      JSON.stringify({ pid: await deadPid(), nonce: 'old', holder: 'gone', since: 'then' }),
      'garbage',
    ]) {
      writeFileSync(file, stale);
      const waits: string[] = [];
      const lock = await acquireVpcdLock({
        dir,
        holder: 'me',
        onWait: (m) => waits.push(m),
        timeoutMs: 5000,
      });
      assert.deepEqual(waits, []);
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
      lock.release();
      assert.equal(existsSync(file), false);
    }
  });

  it('gives up after the longest wait with a broken error naming the holder and the file', async () => {
    const file = vpcdLockFile({ dir, port: 35964 });
    writeFileSync(
      file,
      JSON.stringify({ pid: process.ppid, nonce: 'x', holder: 'payhil card serve', since: 't' }),
    );
    const waits: string[] = [];
    await assert.rejects(
      acquireVpcdLock({ dir, port: 35964, holder: 'me', timeoutMs: 300, onWait: (m) => waits.push(m) }),
      (e: unknown) => {
        assert.ok(e instanceof VpcdBusyError);
        assert.equal(e.verdict, 'broken');
        assert.match(
          e.message,
          new RegExp(
            `vpcd 127\\.0\\.0\\.1:35964 is still in use by process ${process.ppid} \\(payhil card serve.*remove ${file.replace(/\./g, '\\.')}`,
          ),
        );
        return true;
      },
    );
    assert.equal(waits.length, 1);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).nonce, 'x', "another's lock is left alone");
    rmSync(file);
  });

  it('is shared within a process, and covers the children started under it', async () => {
    const file = vpcdLockFile({ dir });
    const one = await acquireVpcdLock({ dir, holder: 'outer' });
    const two = await acquireVpcdLock({ dir, holder: 'inner' });
    assert.equal(process.env[VPCD_LOCK_OWNER_ENV], String(process.pid));
    const child = await contender(dir, 10).done; // inherits PAYHIL_VPCD_LOCK_OWNER
    assert.equal(child.code, 0);
    assert.deepEqual(
      child.lines.filter((l) => l.wait),
      [],
      'the child runs under the parent lock',
    );
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).holder, 'outer', 'the child left the lock alone');
    two.release();
    two.release(); // idempotent
    assert.ok(existsSync(file), 'still held by the first user');
    one.release();
    assert.equal(existsSync(file), false);
    assert.equal(process.env[VPCD_LOCK_OWNER_ENV], undefined);
  });
});
