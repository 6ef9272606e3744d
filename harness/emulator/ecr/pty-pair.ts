import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcrError } from './errors.js';

/** Two linked pseudo-terminals made by socat: what one end writes, the other reads, like a null-modem cable. */
export interface PtyPair {
  /** Symlink to the first pty (e.g. give it to the terminal emulator). */
  readonly a: string;
  /** Symlink to the second pty (e.g. give it to the cash register / driver). */
  readonly b: string;
  /** Stops socat and removes the links. */
  close(): Promise<void>;
}

/**
 * Starts `socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and resolves once both links exist
 * (within `timeoutMs`). Throws `EcrError` E_ECR_SOCAT (broken) when socat is missing or fails.
 */
export async function startPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'payhil-pty-'));
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  const child: ChildProcess = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const fail = (why: string) => {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
    return new EcrError('E_ECR_SOCAT', `socat pty pair: ${why}`, { verdict: 'broken' });
  };
  const spawnError = new Promise<never>((_, reject) => child.once('error', (e) => reject(fail(e.message))));
  const ready = (async () => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (child.exitCode !== null) throw fail(`exited with ${child.exitCode}: ${stderr.trim()}`);
      // socat logs "starting data transfer loop" once both ptys are open.
      if (existsSync(a) && existsSync(b) && stderr.includes('starting data transfer loop')) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw fail(`links not ready within ${timeoutMs} ms`);
  })();
  await Promise.race([ready, spawnError]);
  // socat outlives a process that ends without closing the pair: stop it on the way out.
  const onExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', onExit);
  return {
    a,
    b,
    async close() {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
