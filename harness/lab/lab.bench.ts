/**
 * Lab benchmark (a real redis-server on a free port, agents as their own processes on this machine,
 * embedded benches): the bundled catalogue distributed over 1, 2, 4 and 8 agents (wall time, and its
 * ratio to the longest single scenario, the floor of any spread); the scheduling overhead per scenario of
 * a distributed run against `--jobs N` on the same number of benches in the same run; Redis memory per
 * 1,000 queued scenarios. Baseline of the same run: the serial local run of the same catalogue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { packageRoot } from '../common/project-root.js';
import { findYamlFiles } from '../scenario/find-files.js';
import { loadScenarioFiles } from '../scenario/loader.js';
import { report, type BenchFigure } from '../../test/bench/bench-kit.js';
import { startRedis } from '../../test/e2e/redis-server.test-helper.js';
import { jobId, poolQueueName, QUEUE_PREFIX } from './lab-queue.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const AGENTS = [1, 2, 4, 8];

function payhil(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs payhil to its end; wall time in ms. */
async function timed(args: string[]): Promise<{ ms: number; code: number | null; out: string }> {
  const start = performance.now();
  const child = payhil(args);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { ms: performance.now() - start, code, out };
}

/** Starts an agent and resolves once it serves its pool. */
function agent(url: string, inventory: string, bench: string): Promise<ChildProcess> {
  const child = payhil(['agent', '--queue', url, '--lab', inventory, '--bench', bench]);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/serving pool/.test(out)) resolve(child);
    });
    child.once('exit', (c) => reject(new Error(`agent ${bench} exited ${c}: ${out}`)));
  });
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** Seconds of the longest test case of a JUnit file. */
function longestCase(file: string): number {
  return Math.max(
    ...[...readFileSync(file, 'utf8').matchAll(/<testcase [^>]*time="([\d.]+)"/g)].map((m) => Number(m[1])),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'payhil-lab-bench-'));
const redis = await startRedis();
try {
  const inventory = join(dir, 'lab.yaml');
  writeFileSync(
    inventory,
    `lab: bench\nbenches:\n${Array.from({ length: 8 }, (_, i) => `  - name: emb-${i + 1}\n    pool: embedded\n`).join('')}`,
  );
  const { files } = findYamlFiles(['scenarios'], packageRoot());
  const catalogue = loadScenarioFiles(files, { root: packageRoot() }).scenarios;
  const n = catalogue.length;
  const figures: BenchFigure[] = [];
  const run = (extra: string[], name: string): Promise<{ ms: number; code: number | null; out: string }> =>
    timed(['run', ...extra, '--results-dir', join(dir, name), '--junit', join(dir, `${name}.xml`)]);

  const serial = await run([], 'serial');
  figures.push({ name: `catalogue (${n}) serial, local (baseline)`, value: serial.ms / 1000, unit: 's' });
  const local2 = await run(['--jobs', '2'], 'local2');
  figures.push({ name: 'catalogue, --jobs 2 (local)', value: local2.ms / 1000, unit: 's' });

  const walls = new Map<number, number>();
  let floor = 0;
  for (const k of AGENTS) {
    const agents: ChildProcess[] = [];
    for (let i = 1; i <= k; i++) agents.push(await agent(redis.url, inventory, `emb-${i}`));
    const r = await run(['--queue', redis.url], `dist${k}`);
    await stop(agents);
    if (r.code !== 0 && r.code !== 1)
      throw new Error(`distributed run over ${k} agents exited ${r.code}: ${r.out}`);
    walls.set(k, r.ms);
    floor = Math.max(floor, longestCase(join(dir, `dist${k}.xml`)));
    figures.push({
      name: `catalogue over ${k} agent${k === 1 ? '' : 's'} (distributed)`,
      value: r.ms / 1000,
      unit: 's',
    });
  }
  floor = Math.max(floor, longestCase(join(dir, 'serial.xml')));
  figures.push({ name: 'longest single scenario (the floor)', value: floor, unit: 's' });
  for (const k of AGENTS)
    figures.push({
      name: `wall / floor, ${k} agent${k === 1 ? '' : 's'}`,
      value: (walls.get(k) as number) / 1000 / floor,
      unit: 'x',
    });
  figures.push({
    name: 'scheduling overhead per scenario, 2 agents vs --jobs 2',
    value: ((walls.get(2) as number) - local2.ms) / n,
    unit: 'ms',
  });

  // Redis memory per 1,000 queued scenarios: real scenarios as job data, no agent serving the pool.
  const before = Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))?.[1]);
  const queue = new Queue(poolQueueName('memory'), {
    connection: { host: '127.0.0.1', port: redis.port },
    prefix: QUEUE_PREFIX,
  });
  const jobs = Array.from({ length: 1000 }, (_, i) => ({
    name: catalogue[i % n]?.id as string,
    data: { run: 'bench', index: i, scenario: catalogue[i % n], options: {} },
    opts: { jobId: jobId('bench', i), attempts: 3, removeOnComplete: false, removeOnFail: false },
  }));
  await queue.addBulk(jobs);
  const afterMem = Number(/used_memory:(\d+)/.exec(await redis.client.info('memory'))?.[1]);
  await queue.obliterate({ force: true });
  await queue.close();
  figures.push({
    name: 'Redis memory per 1,000 queued scenarios',
    value: (afterMem - before) / (1024 * 1024),
    unit: 'MiB',
  });

  report({
    bench: 'lab',
    figures,
    notes: [
      `the bundled catalogue (${n} expanded scenarios) on embedded benches; agents are payhil agent processes on this machine, one embedded bench each, one pool`,
      'wall times are spawn-to-exit of payhil run (node start-up, scenario loading, enqueue, merge and report included)',
      `machine: ${(await import('node:os')).cpus().length} cores shared with other work; scenarios partly wait on real time (the floor is the longest one), so agents beyond the core count still shorten the wall until CPU or the floor bounds it`,
      'a negative overhead is within the noise of one run',
    ],
  });
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
