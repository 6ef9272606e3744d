/**
 * A real redis-server (Debian's /usr/bin/redis-server) for a test: a free port on 127.0.0.1, a temp dir,
 * no persistence, an optional password; stopped (and its dir removed) by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A port no one listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  port: number;
  /** redis://:password@127.0.0.1:port */
  url: string;
  client: Redis;
  stop(): Promise<void>;
}

export async function startRedis(password?: string): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'payhil-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  if (password) args.push('--requirepass', password);
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    ...(password ? { password } : {}),
  });
  client.on('error', () => undefined);
  let ready = false;
  for (let i = 0; i < 50 && !ready; i++) {
    try {
      if (client.status !== 'ready') await client.connect();
      await client.ping();
      ready = true;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port}`);
  }
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    client.disconnect();
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    port,
    url: `redis://${password ? `:${password}@` : ''}127.0.0.1:${port}`,
    client,
    /** Stops the server (once; later calls wait for the same stop). */
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}
