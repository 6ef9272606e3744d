/**
 * The lab on BullMQ + a real redis-server: three agents on this machine serving spawned-emulator benches
 * (two over ECR on TCP, one over a serial pty pair), scenarios distributed with `payhil run --queue`;
 * an agent killed (SIGKILL) mid-scenario: the scenario runs again elsewhere, every scenario appears once
 * in JUnit and Allure, verdicts equal the local run's; a bench whose emulator is killed turns unhealthy,
 * takes no work, and its scenario finishes elsewhere; reservations; a cancelled run leaves no job and
 * no lock; bad input (duplicate bench, unknown tag, wrong password, unreachable Redis) exits 2.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { runPayhil } from './payhil-cli.test-helper.js';
import { freePort, startRedis, type TestRedis } from './redis-server.test-helper.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));
const PASSWORD = 'lab-secret';

/** A scenario of a few seconds of real time on a spawned bench that fails (an empty account, 00 expected). */
const SLOW_WRONG = `id: lab/slow-wrong
title: Expects an approval from an empty account (fails on purpose; the card is left in for 2 s)
requires: [chip, pinpad, host]
cards:
  card: cup-debit
host:
  accounts:
    card: { balance: 0 }
steps:
  - signIn:
  - purchase: { amount: '10.00' }
  - insert: { card: card }
  - enterPin: { pin: '123456' }
  - expect:
      host:
        request: { mti: '0200' }
        response: { '39': '00' }
      within: 3s
finally:
  - remove:
`;

/** A running `payhil agent`: its output so far, and a wait for a line. */
class AgentProcess {
  out = '';
  readonly child: ChildProcess;
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BIN, 'agent', ...args], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
    const take = (d: Buffer): void => {
      this.out += d.toString();
      for (const w of [...this.waiters]) {
        const m = this.out.match(w.re);
        if (m) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
  }

  /** Resolves with the first match of `re` in the output (bounded by the test's timeout). */
  waitFor(re: RegExp): Promise<RegExpMatchArray> {
    const m = this.out.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => this.waiters.push({ re, resolve }));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), 20000);
    await gone;
    clearTimeout(t);
  }
}

/** [id, verdict] per JUnit case in file order. */
function verdicts(xml: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of xml.matchAll(/<testcase [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const b = m[2] as string;
    out.push([
      m[1] as string,
      b.includes('<failure')
        ? 'failed'
        : b.includes('<error')
          ? 'broken'
          : b.includes('<skipped')
            ? 'skipped'
            : 'passed',
    ]);
  }
  return out;
}

interface AllureResult {
  fullName: string;
  status: string;
  historyId: string;
  start: number;
}

function allureResults(dir: string): AllureResult[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResult);
}

/** Pids of the processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('the lab on BullMQ + Redis (spawned-emulator benches)', function () {
  this.timeout(600000);
  let redis: TestRedis;
  let dir: string;
  let inventory: string;
  const agents: AgentProcess[] = [];
  /** The whole bundled catalogue and one slow scenario that fails on purpose (its agent is killed). */
  const paths = (): string[] => ['scenarios', join(dir, 'slow-wrong.yaml')];

  before(async () => {
    redis = await startRedis(PASSWORD);
    dir = mkdtempSync(join(tmpdir(), 'payhil-lab-'));
    writeFileSync(join(dir, 'slow-wrong.yaml'), SLOW_WRONG);
    inventory = packagePath('fixtures', 'inventories', 'local.yaml');
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.stop('SIGKILL')));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function agent(bench: string): AgentProcess {
    const a = new AgentProcess([
      '--queue',
      redis.url,
      '--lab',
      inventory,
      '--bench',
      bench,
      '--lock',
      '3s',
      '--heartbeat',
      '1s',
    ]);
    agents.push(a);
    return a;
  }

  /** Job hashes and locks of BullMQ left in Redis. */
  async function jobKeys(): Promise<string[]> {
    const keys = await redis.client.keys('payhil:pool-*');
    return keys.filter(
      (k) =>
        !/:(events|id|meta|stalled-check|marker)$/.test(k) &&
        !/:(wait|active|completed|failed|delayed|prioritized|paused|stalled|limiter)$/.test(k),
    );
  }

  it('bad input: a bench named twice, an unreachable Redis, a wrong password, an unknown bench tag: exit 2 with the reason', async () => {
    const dup = join(dir, 'dup.yaml');
    writeFileSync(dup, 'lab: dup\nbenches:\n  - name: a\n  - name: b\n  - name: a\n');
    let r = await runPayhil(['agent', '--queue', redis.url, '--lab', dup], packageRoot(), 20000);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /benches\[2\]: bench 'a' is already defined at .*benches\[0\]/);
    const closed = await freePort();
    r = await runPayhil(
      ['run', 'scenarios/purchase', '--queue', `redis://127.0.0.1:${closed}`],
      packageRoot(),
      20000,
    );
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, new RegExp(`cannot use Redis at redis://127\\.0\\.0\\.1:${closed}`));
    r = await runPayhil(
      ['lab', 'status', '--queue', `redis://:wrong@127.0.0.1:${redis.port}`],
      packageRoot(),
      20000,
    );
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /wrong user or password/);
    assert.doesNotMatch(r.out, /wrong@/, 'the password is not echoed');
    r = await runPayhil(
      ['run', 'scenarios/purchase', '--queue', redis.url, '--bench-tag', 'protocol=nexo'],
      packageRoot(),
      20000,
    );
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /--bench-tag protocol=nexo: no bench has it/);
    for (const out of [r.out]) assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  });

  it('three agents; one killed mid-scenario: every scenario once in JUnit and Allure, verdicts as the local run, the retry in Allure', async () => {
    const local = await runPayhil(
      [
        'run',
        ...paths(),
        // The same kind of bench as the agents' (spawned emulator, ECR over TCP), two at a time.
        '--lab',
        'fixtures/labs/emulator-process.yaml',
        '--bench',
        'ecr-tcp',
        '--jobs',
        '2',
        '--results-dir',
        join(dir, 'local'),
        '--junit',
        join(dir, 'local.xml'),
      ],
      packageRoot(),
      300000,
    );
    assert.equal(local.code, 1, local.out);
    const [a1, a2, a3] = [agent('tcp-1'), agent('tcp-2'), agent('serial-1')];
    await Promise.all([a1, a2, a3].map((a) => a.waitFor(/serving pool ecr-emulator/)));
    const status = await runPayhil(['lab', 'status', '--queue', redis.url, '--json'], packageRoot(), 20000);
    const benches = JSON.parse(status.out) as { name: string; status: string; pool: string }[];
    assert.deepEqual(
      benches.map((b) => `${b.name}:${b.status}:${b.pool}`),
      ['serial-1:idle:ecr-emulator', 'tcp-1:idle:ecr-emulator', 'tcp-2:idle:ecr-emulator'],
    );

    const run = runPayhil(
      [
        'run',
        ...paths(),
        '--queue',
        redis.url,
        '--results-dir',
        join(dir, 'dist'),
        '--junit',
        join(dir, 'dist.xml'),
      ],
      packageRoot(),
      300000,
    );
    // Whichever agent starts the slow scenario is killed while it runs it.
    const victim = await Promise.race(
      [a1, a2, a3].map((a) => a.waitFor(/running lab\/slow-wrong/).then(() => a)),
    );
    victim.child.kill('SIGKILL');
    const r = await run;
    assert.equal(r.code, 1, r.out);
    const dist = verdicts(readFileSync(join(dir, 'dist.xml'), 'utf8'));
    assert.deepEqual(dist, verdicts(readFileSync(join(dir, 'local.xml'), 'utf8')));
    assert.equal(new Set(dist.map(([id]) => id)).size, dist.length, 'each scenario once');
    const results = allureResults(join(dir, 'dist'));
    const slow = results.filter((x) => x.fullName === 'lab/slow-wrong');
    assert.equal(slow.length, 2, 'the final result and the lost try (a retry in Allure)');
    assert.deepEqual(
      [...slow].sort((a, b) => a.start - b.start).map((x) => x.status),
      ['broken', 'failed'],
      'the lost try (broken) comes before the try that finished (failed, as locally): Allure shows the latter',
    );
    assert.equal(new Set(slow.map((x) => x.historyId)).size, 1);
    assert.equal(results.length, dist.length + 1);
    assert.deepEqual(await jobKeys(), [], 'no job and no lock left in Redis');
    const after = JSON.parse(
      (await runPayhil(['lab', 'status', '--queue', redis.url, '--json'], packageRoot(), 20000)).out,
    ) as { name: string; status: string }[];
    const killedBench = after.find((b) => b.status === 'offline');
    assert.ok(killedBench, `the killed agent's bench shows offline: ${JSON.stringify(after)}`);
    agents.splice(agents.indexOf(victim), 1);
  });

  it('a bench whose emulator dies turns unhealthy, takes no work, and its scenario finishes on another bench', async () => {
    const live = agents.filter((a) => a.child.exitCode === null && a.child.signalCode === null);
    assert.equal(live.length, 2);
    const run = runPayhil(
      [
        'run',
        join(dir, 'slow-wrong.yaml'),
        'scenarios/purchase/void-and-refund.yaml',
        '--grep',
        'slow-wrong|void-last',
        '--queue',
        redis.url,
        '--results-dir',
        join(dir, 'sick'),
        '--junit',
        join(dir, 'sick.xml'),
      ],
      packageRoot(),
      180000,
    );
    const sick = await Promise.race(live.map((a) => a.waitFor(/running lab\/slow-wrong/).then(() => a)));
    const benchName = (sick.out.match(/bench (\S+): serving/) as RegExpMatchArray)[1] as string;
    // The emulator is a child process of the agent (payhil emulator …), besides socat for a serial bench.
    const emulators = childrenOf(sick.child.pid as number).filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('emulator'),
    );
    assert.ok(emulators.length >= 1, 'the bench has its emulator process');
    for (const pid of emulators) process.kill(pid, 'SIGKILL');
    const r = await run;
    assert.equal(r.code, 1, r.out);
    const v = verdicts(readFileSync(join(dir, 'sick.xml'), 'utf8'));
    assert.deepEqual(v.map(([, s]) => s).sort(), ['failed', 'passed'], r.out);
    await sick.waitFor(new RegExp(`bench ${benchName}: unhealthy`));
    const status = JSON.parse(
      (await runPayhil(['lab', 'status', '--queue', redis.url, '--json'], packageRoot(), 20000)).out,
    ) as { name: string; status: string; health?: { reason?: string } }[];
    assert.equal(status.find((b) => b.name === benchName)?.status, 'unhealthy');
    // lab check restarts the bench: healthy again.
    const check = await runPayhil(['lab', 'check', benchName, '--queue', redis.url], packageRoot(), 90000);
    assert.equal(check.code, 0, check.out);
    assert.match(check.out, /healthy, takes work/);
  });

  it('reservations: reserve shows in status, a second person is refused, release frees it', async () => {
    const now = JSON.parse(
      (await runPayhil(['lab', 'status', '--queue', redis.url, '--json'], packageRoot(), 20000)).out,
    ) as { name: string; status: string }[];
    const bench = now.find((b) => b.status === 'idle')?.name as string;
    assert.ok(bench, JSON.stringify(now));
    let r = await runPayhil(
      [
        'lab',
        'reserve',
        bench,
        '--for',
        '2h',
        '--note',
        'manual EMV L3 check',
        '--by',
        'alice',
        '--queue',
        redis.url,
      ],
      packageRoot(),
      20000,
    );
    assert.equal(r.code, 0, r.out);
    r = await runPayhil(['lab', 'status', '--queue', redis.url], packageRoot(), 20000);
    assert.match(r.out, new RegExp(`${bench}\\s+reserved .*by alice until .*manual EMV L3 check`));
    r = await runPayhil(
      ['lab', 'reserve', bench, '--for', '1h', '--by', 'bob', '--queue', redis.url],
      packageRoot(),
      20000,
    );
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /reserved by alice/);
    r = await runPayhil(
      ['lab', 'reserve', 'nope', '--for', '1h', '--queue', redis.url],
      packageRoot(),
      20000,
    );
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /no bench 'nope'/);
    r = await runPayhil(['lab', 'release', bench, '--queue', redis.url], packageRoot(), 20000);
    assert.equal(r.code, 0, r.out);
    r = await runPayhil(['lab', 'status', '--queue', redis.url], packageRoot(), 20000);
    assert.doesNotMatch(r.out, new RegExp(`${bench}\\s+reserved`));
  });

  it('a cancelled run (SIGTERM, as a cancelled CI job) leaves no job and no lock in Redis', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', 'scenarios/purchase', '--queue', redis.url, '--results-dir', join(dir, 'cancel')],
      {
        cwd: packageRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const started = new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/progress: /.test(out)) resolve();
      });
    });
    await started;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    await exited;
    assert.match(out, /cancelling/);
    assert.deepEqual(await jobKeys(), [], 'no job and no lock left');
  });

  it('a scenario no agent serves is skipped with the reason after a bounded wait', async () => {
    await Promise.all(agents.map((a) => a.stop('SIGTERM')));
    const r = await runPayhil(
      [
        'run',
        'scenarios/purchase/void-and-refund.yaml',
        '--grep',
        'void-last',
        '--queue',
        redis.url,
        '--queue-wait',
        '2s',
        '--junit',
        join(dir, 'none.xml'),
        '--results-dir',
        join(dir, 'none'),
      ],
      packageRoot(),
      60000,
    );
    assert.equal(r.code, 0, r.out);
    const xml = readFileSync(join(dir, 'none.xml'), 'utf8');
    assert.match(
      xml,
      /<skipped message="(no bench of pool ecr-emulator can take work \([^)]*offline[^)]*\) after 2 s|no bench in the lab offers)/,
    );
    assert.deepEqual(await jobKeys(), []);
  });
});
