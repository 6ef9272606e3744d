/**
 * Faults of a distributed run against a real redis-server: Redis lost mid-run (the run waits the bounded
 * time, then reports the unfinished scenarios broken, exit 1, no hang); a scenario that no registered
 * bench can run is skipped at once with the reason.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { packageRoot } from '../../harness/common/project-root.js';
import { LabStore } from '../../harness/lab/index.js';
import { runPayhil } from './payhil-cli.test-helper.js';
import { startRedis, type TestRedis } from './redis-server.test-helper.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

describe('the lab: faults of a distributed run', function () {
  this.timeout(90000);
  let redis: TestRedis;
  let dir: string;

  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'payhil-lab-faults-'));
    // A bench whose agent beats but never takes work (no worker), offering no ATM: jobs wait on it.
    const store = new LabStore(redis.client);
    await store.register({
      name: 'idle-1',
      pool: 'idle',
      capabilities: [
        'chip',
        'contactless',
        'magstripe',
        'pinpad',
        'printer',
        'display',
        'ecr',
        'emulator',
        'host',
        'network',
      ],
      tags: { protocol: 'ecr-tcp' },
      devices: [],
      agent: 'test:1',
      registeredAt: Date.now(),
    });
    await store.heartbeat('test:1', 600000);
  });
  after(async () => {
    await redis.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a scenario that requires what no bench offers is skipped at once with the reason', async () => {
    const r = await runPayhil(
      [
        'run',
        'scenarios/atm',
        '--queue',
        redis.url,
        '--junit',
        join(dir, 'atm.xml'),
        '--results-dir',
        join(dir, 'atm'),
      ],
      packageRoot(),
      60000,
    );
    assert.equal(r.code, 0, r.out);
    assert.match(
      readFileSync(join(dir, 'atm.xml'), 'utf8'),
      /<skipped message="no bench in the lab offers [^"]*atm/,
    );
  });

  it('Redis lost mid-run: the run waits the bounded time, then the unfinished scenarios are broken (exit 1)', async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        'scenarios/purchase',
        '--queue',
        redis.url,
        '--queue-lost',
        '3s',
        '--junit',
        join(dir, 'lost.xml'),
        '--results-dir',
        join(dir, 'lost'),
      ],
      { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const queued = new Promise<void>((resolve) => {
      const take = (d: Buffer): void => {
        out += d.toString();
        if (/queued on 1 pool/.test(out)) resolve();
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await Promise.race([queued, exited]);
    assert.match(out, /queued on 1 pool/);
    await redis.stop();
    const code = await exited;
    assert.equal(code, 1, out);
    const xml = readFileSync(join(dir, 'lost.xml'), 'utf8');
    const queuedCount = Number((/payhil run: (\d+) scenarios? queued/.exec(out) as RegExpExecArray)[1]);
    assert.ok(queuedCount >= 12, out);
    // Every scenario is reported: those queued broken, those no bench offers skipped before queueing.
    const skippedCount = xml.match(/<skipped /g)?.length ?? 0;
    assert.equal(xml.match(/<testcase /g)?.length, queuedCount + skippedCount, out);
    assert.equal(
      xml.match(/<error message="Redis at redis:\/\/127\.0\.0\.1:\d+ lost for 3 s/g)?.length,
      queuedCount,
      xml,
    );
  });
});
