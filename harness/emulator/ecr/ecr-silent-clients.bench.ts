/**
 * `payhil emulator` under cash registers that connect on TCP and never read or ACK, while an honest one
 * presses keys that only beep (four events to every link per request): resident memory of the emulator
 * process and how long SIGTERM takes with the silent clients still connected. Baseline in the same run:
 * the honest client alone. Figures from /proc (Linux).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { packagePath } from '../../common/project-root.js';
import { report } from '../../../test/bench/bench-kit.js';
import { EcrClient } from './ecr-client.js';

const SECONDS = 10;
const SILENT = 10;

interface Run {
  rssStartMiB: number;
  rssPeakMiB: number;
  requests: number;
  sigtermMs: number;
  dropped: number;
}

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function run(silentCount: number): Promise<Run> {
  const bin = packagePath('dist', 'harness', 'cli', 'bin.js');
  const args = ['emulator', '--profile', 'cup-pos-ci', '--host', '127.0.0.1:9', '--ecr', 'tcp:127.0.0.1:0'];
  const child = spawn(process.execPath, [bin, ...args, '--ecr-max-clients', String(silentCount + 1)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  const silent: Socket[] = [];
  let client: EcrClient | undefined;
  try {
    for (let i = 0; i < 150 && !/ready/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const port = Number(/ECR listening on tcp \S+:(\d+)/.exec(out)?.[1]);
    const pid = child.pid as number;
    const rssStartMiB = rssMiB(pid);
    for (let i = 0; i < silentCount; i++) {
      const s = connect({ host: '127.0.0.1', port });
      s.on('connect', () => s.pause());
      s.on('error', () => undefined);
      silent.push(s);
    }
    client = await EcrClient.connectTcp('127.0.0.1', port);
    let rssPeakMiB = rssStartMiB;
    let requests = 0;
    let nextSample = performance.now() + 500;
    const end = performance.now() + SECONDS * 1000;
    while (performance.now() < end) {
      await client.request({ op: 'key', keys: ['F1', 'F2', 'MENU', 'UP'] }, { timeoutMs: 5000 });
      requests++;
      if (performance.now() >= nextSample) {
        rssPeakMiB = Math.max(rssPeakMiB, rssMiB(pid));
        nextSample += 500;
      }
    }
    const t = performance.now();
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const sigtermMs = (await exited) - t;
    clearTimeout(killer);
    const dropped = (out.match(/ECR tcp:\S+ closed: /g) ?? []).length;
    return { rssStartMiB, rssPeakMiB, requests, sigtermMs, dropped };
  } finally {
    for (const s of silent) s.destroy();
    await client?.close().catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

const alone = await run(0);
const crowded = await run(SILENT);

report({
  bench: 'ecr-silent-clients',
  figures: [
    { name: 'RSS peak, honest client alone (baseline)', value: alone.rssPeakMiB, unit: 'MiB' },
    { name: `RSS peak, honest client + ${SILENT} silent`, value: crowded.rssPeakMiB, unit: 'MiB' },
    {
      name: 'RSS peak difference',
      value: crowded.rssPeakMiB - alone.rssPeakMiB,
      unit: 'MiB',
      target: '<= 32',
      met: crowded.rssPeakMiB - alone.rssPeakMiB <= 32,
    },
    { name: 'silent clients dropped', value: crowded.dropped, unit: 'links' },
    { name: 'honest requests/s alone', value: alone.requests / SECONDS, unit: 'req/s' },
    { name: `honest requests/s with ${SILENT} silent`, value: crowded.requests / SECONDS, unit: 'req/s' },
    {
      name: 'SIGTERM to exit with silent clients connected',
      value: crowded.sigtermMs,
      unit: 'ms',
      target: '<= 2000',
      met: crowded.sigtermMs <= 2000,
    },
  ],
  notes: [
    `${SECONDS} s per run; requests of four keys that only beep = four events to every link`,
    'silent clients connect and never read or ACK; RSS sampled every 500 ms from /proc',
  ],
});
