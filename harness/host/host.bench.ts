/**
 * Host simulator benchmark (`npm run bench -- host`): UnionPay 0200 authorisations with MAC and PIN
 * verification from 64 connections over loopback, against a bare Node TCP echo server that answers
 * frames of the same sizes, in the same run.
 *
 * Headline figures: each server runs in its own Node process (bench-server.test-helper.ts, forked), as a real
 * deployment runs `payhil host`, and the load generator runs in this process. The request frames are
 * prebuilt (own STAN, valid MAC, PIN block) before timing, so the client does the same trivial work for
 * both servers; the host still decodes, verifies the MAC, decrypts and checks the PIN block, runs the
 * issuer and ledger, and MACs its answer per request. Echo and host phases are interleaved over ROUNDS
 * rounds and the medians compared.
 *
 * Extra figures, clearly labelled: the older arrangement with client and server in ONE process (the
 * client's CPU is charged to both phases), and heap over 1,000,000 authorisations with the bounded
 * journal and ledger.
 *
 * Environment: PAYHIL_BENCH_SECONDS (default 4) per throughput phase; PAYHIL_BENCH_ROUNDS (default 3);
 * PAYHIL_BENCH_DEPTH (default 1) requests in flight per connection; PAYHIL_BENCH_HEAP_TX (default 1,000,000) for the heap phase; PAYHIL_BENCH_SERVER_NODE_ARGS (default none):
 * extra node options for the server processes (e.g. `--cpu-prof --cpu-prof-dir=DIR`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { heapUsedMiB, percentile, report } from '../../test/bench/bench-kit.js';
import { decodeFrame, encodeFrame, loadDialect, type Dialect } from '../iso8583/index.js';
import { startHost } from './host-server.js';
import { RC, applyMac, buildTransaction, verifyMac, type SessionKeys } from '../pos-protocol/index.js';
import { startEchoServer } from './echo-server.js';
import {
  TEST_PANS,
  TEST_PIN,
  TEST_TERMINAL,
  TEST_TMK,
  testHostConfig,
  TestTerminal,
} from '../testing/index.js';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.PAYHIL_BENCH_SECONDS ?? 4);
const ROUNDS = Math.max(1, Number(process.env.PAYHIL_BENCH_ROUNDS ?? 3));
const WARM_UP_SECONDS = 1;
/** Requests in flight per connection (1: closed loop, the default and the headline figures). */
const DEPTH = Math.min(64, Math.max(1, Number(process.env.PAYHIL_BENCH_DEPTH ?? 1)));
const HEAP_TX = Number(process.env.PAYHIL_BENCH_HEAP_TX ?? 1000000);
const FRAMES_PER_CONNECTION = 2048;
/** The one account every request debits (bench-server.test-helper.ts gives it the same inexhaustible balance). */
const PAN = TEST_PANS.debit;

/**
 * A closed-loop client connection: keeps DEPTH frames from its pool in flight (one by default) and
 * reads 2-byte-length frames back, sending the next frame as each answer arrives.
 */
class Loop {
  private buf: Buffer = Buffer.alloc(0);
  /** Send times of the frames in flight (a ring of DEPTH slots; answers come back in order). */
  private readonly sentAt = new Float64Array(DEPTH);
  private sent = 0;
  private answered = 0;
  private i = 0;
  count = 0;
  /** The last answer frame (checked after a host phase). */
  last: Buffer | undefined;
  private done: (() => void) | undefined;
  constructor(
    private readonly socket: Socket,
    private readonly pool: Buffer[],
    private readonly latencies: number[] | undefined,
    private readonly limit: () => boolean,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
  }
  static open(
    port: number,
    pool: Buffer[],
    latencies: number[] | undefined,
    limit: () => boolean,
  ): Promise<Loop> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new Loop(s, pool, latencies, limit)));
      s.once('error', reject);
    });
  }
  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.done = resolve;
      this.socket.once('close', () =>
        reject(new Error(`server closed a connection after ${this.count} answers`)),
      );
      for (let k = 0; k < DEPTH; k++) this.send();
    });
  }
  private send(): void {
    if (!this.limit()) {
      if (this.answered === this.sent) this.done?.();
      return;
    }
    this.sentAt[this.sent++ % DEPTH] = performance.now();
    this.socket.write(this.pool[this.i++ % this.pool.length] as Buffer);
  }
  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0) + 2;
      if (this.buf.length < n) break;
      this.last = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      this.count++;
      if (this.latencies && this.latencies.length < 2000000)
        this.latencies.push(performance.now() - (this.sentAt[this.answered % DEPTH] as number));
      this.answered++;
      this.send();
    }
  }
  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/** A server in its own process (bench-server.test-helper.ts), with its CPU time on request. */
interface ChildServer {
  readonly name: string;
  readonly port: number;
  /** The child's user + system CPU µs so far, and (host) its journal's entry count. */
  stats(): Promise<{ cpu: number; journalTotal?: number }>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
// Whatever happens (an error, process.exit), no server process outlives the benchmark.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function forkServer(name: string, args: string[]): Promise<ChildServer> {
  const script = fileURLToPath(new URL('./bench-server.test-helper.js', import.meta.url));
  // PAYHIL_BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the servers.
  const execArgv = (process.env.PAYHIL_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const request = <T>(type: string, timeoutMs = 10000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`${name} server: no '${type}' within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onMessage = (m: { type: string }): void => {
        if (m.type === type) finish(undefined, m as T);
      };
      const onExit = (code: number | null): void => finish(new Error(`${name} server exited (${code})`));
      function finish(e: Error | undefined, v?: T): void {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (e) reject(e);
        else resolve(v as T);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (type !== 'ready') child.send({ type });
    });
  return request<{ port: number }>('ready').then(({ port }) => ({
    name,
    port,
    stats: () => request<{ cpu: number; journalTotal?: number }>('stats'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' }, (e) => {
          if (e) child.kill('SIGKILL');
        });
      }),
  }));
}

interface PhaseResult {
  rate: number;
  /** Operations per CPU-second of this (client) process, plus the server's when it has its own. */
  cpuRate: number;
  /** Server process CPU µs per operation (child servers only). */
  serverCpuPerOp?: number;
  /** Client process CPU µs per operation. */
  clientCpuPerOp: number;
  total: number;
  journalDelta?: number;
  last: (Buffer | undefined)[];
}

async function phase(
  port: number,
  pools: Buffer[][],
  opts: { seconds: number; latencies?: number[]; server?: ChildServer },
): Promise<PhaseResult> {
  let total = 0;
  const deadline = performance.now() + opts.seconds * 1000;
  const limit = (): boolean => performance.now() < deadline;
  const loops = await Promise.all(pools.map((p) => Loop.open(port, p, opts.latencies, limit)));
  const before = await opts.server?.stats();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  try {
    await Promise.all(loops.map((l) => l.run()));
  } finally {
    for (const l of loops) l.close();
  }
  const cpu = process.cpuUsage(cpuStart);
  const elapsed = (performance.now() - start) / 1000;
  const after = await opts.server?.stats();
  for (const l of loops) total += l.count;
  const clientCpu = cpu.user + cpu.system;
  const serverCpu = before && after ? after.cpu - before.cpu : 0;
  return {
    rate: total / elapsed,
    // Per CPU-second of the processes involved (user + system, GC threads included): what the work
    // costs, whatever share of the shared machine the phase happened to get.
    cpuRate: total / ((clientCpu + serverCpu) / 1e6),
    clientCpuPerOp: clientCpu / total,
    ...(before && after
      ? {
          serverCpuPerOp: serverCpu / total,
          ...(after.journalTotal !== undefined && before.journalTotal !== undefined
            ? { journalDelta: after.journalTotal - before.journalTotal }
            : {}),
        }
      : {}),
    total,
    last: loops.map((l) => l.last),
  };
}

/** Throws unless every connection's last answer approved (39 = 00) with a MAC that verifies. */
function checkAnswers(dialect: Dialect, keys: SessionKeys, r: PhaseResult, what: string): void {
  for (const frame of r.last) {
    if (!frame) throw new Error(`${what}: a connection got no answer`);
    const a = decodeFrame(dialect, frame);
    if (a.fields[39] !== RC.APPROVED || !verifyMac(dialect, a, keys.mak))
      throw new Error(
        `${what}: an authorisation answered ${a.fields[39]} (MAC ok: ${verifyMac(dialect, a, keys.mak)})`,
      );
  }
  if (r.journalDelta !== undefined && r.journalDelta < 2 * r.total)
    throw new Error(`${what}: host journalled ${r.journalDelta} entries for ${r.total} authorisations`);
}

/** Signs in to a host and prebuilds CONNECTIONS pools of MACed, PIN'd purchase frames, each with its own STAN. */
async function prepare(
  dialect: Dialect,
  port: number,
): Promise<{ pools: Buffer[][]; keys: SessionKeys; answerSize: number }> {
  const t = await TestTerminal.connect({ dialect, host: '127.0.0.1', port, ...TEST_TERMINAL, tmk: TEST_TMK });
  try {
    const signIn = await t.signIn();
    if (signIn.fields[39] !== RC.APPROVED || !t.keys)
      throw new Error(`sign-in answered ${signIn.fields[39]}`);
    const keys = t.keys;
    // One PIN block serves every request (same PAN and PIN); every frame has its own STAN and MAC.
    const template = buildTransaction(
      t.id,
      'purchase',
      {
        stan: '000000',
        batch: t.batch,
        card: { pan: PAN, expiry: '3012', track2: `${PAN}=30122200000000000` },
        amount: 1,
        pin: TEST_PIN,
      },
      keys,
    );
    const pools: Buffer[][] = [];
    for (let c = 0; c < CONNECTIONS; c++) {
      const pool: Buffer[] = [];
      for (let i = 0; i < FRAMES_PER_CONNECTION; i++) {
        const m = {
          mti: template.mti,
          fields: { ...template.fields, 11: String(c * FRAMES_PER_CONNECTION + i + 2).padStart(6, '0') },
        };
        pool.push(encodeFrame(dialect, applyMac(dialect, m, keys.mak)));
      }
      pools.push(pool);
    }
    const probe = await t.exchange({ mti: template.mti, fields: { ...template.fields, 11: '999999' } });
    if (probe.fields[39] !== RC.APPROVED || probe.macOk !== true)
      throw new Error(`probe purchase answered ${probe.fields[39]} (MAC ok: ${probe.macOk})`);
    return { pools, keys, answerSize: encodeFrame(dialect, probe).length };
  } finally {
    await t.close();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const pct = (x: number): number => Math.round(x * 1000) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

async function separateProcesses(dialect: Dialect) {
  const servers: ChildServer[] = [];
  try {
    const hostChild = await forkServer('host', ['host']);
    servers.push(hostChild);
    const { pools, keys, answerSize } = await prepare(dialect, hostChild.port);
    const echoChild = await forkServer('echo', ['echo', String(answerSize)]);
    servers.push(echoChild);

    const echoRuns: PhaseResult[] = [];
    const hostRuns: PhaseResult[] = [];
    const echoLatencies: number[] = [];
    const hostLatencies: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await phase(echoChild.port, pools, { seconds: WARM_UP_SECONDS });
      echoRuns.push(
        await phase(echoChild.port, pools, { seconds: SECONDS, latencies: echoLatencies, server: echoChild }),
      );
      await phase(hostChild.port, pools, { seconds: WARM_UP_SECONDS });
      const h = await phase(hostChild.port, pools, {
        seconds: SECONDS,
        latencies: hostLatencies,
        server: hostChild,
      });
      checkAnswers(dialect, keys, h, `host process, round ${r + 1}`);
      hostRuns.push(h);
    }
    return {
      answerSize,
      requestSize: pools[0]?.[0]?.length ?? 0,
      echoRuns,
      hostRuns,
      echoLatencies,
      hostLatencies,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function main(): Promise<void> {
  const dialect = loadDialect('cup');

  // 1. Headline: each server in its own process, the load generator here, interleaved rounds.
  const sep = await separateProcesses(dialect);
  const echoRate = median(sep.echoRuns.map((r) => r.rate));
  const hostRate = median(sep.hostRuns.map((r) => r.rate));
  const ratio = hostRate / echoRate;
  const roundRatios = sep.hostRuns.map((h, i) => h.rate / (sep.echoRuns[i] as PhaseResult).rate);
  const echoServerCpu = median(sep.echoRuns.map((r) => r.serverCpuPerOp as number));
  const hostServerCpu = median(sep.hostRuns.map((r) => r.serverCpuPerOp as number));
  const echoClientCpu = median(sep.echoRuns.map((r) => r.clientCpuPerOp));
  const hostClientCpu = median(sep.hostRuns.map((r) => r.clientCpuPerOp));
  const cpuRatio = median(sep.hostRuns.map((r) => r.cpuRate)) / median(sep.echoRuns.map((r) => r.cpuRate));

  // 2. The older arrangement, kept as an extra figure: client and servers all in this one process.
  const config = testHostConfig({
    accounts: [{ pan: PAN, pin: TEST_PIN, balance: 999999999999, expiry: '3012' }],
    journalSize: 10000,
    limits: { maxConnections: 256, maxFrameBytes: 4096, idleTimeoutMs: 600000 },
  });
  const host = await startHost({ dialect, config });
  const { pools, keys } = await prepare(dialect, host.address.port);
  const echo = await startEchoServer(sep.answerSize);
  const echoPort = (echo.address() as { port: number }).port;
  await phase(echoPort, pools, { seconds: WARM_UP_SECONDS });
  const oneEcho = await phase(echoPort, pools, { seconds: SECONDS });
  echo.close();
  await phase(host.address.port, pools, { seconds: WARM_UP_SECONDS });
  const oneHost = await phase(host.address.port, pools, { seconds: SECONDS });
  checkAnswers(dialect, keys, oneHost, 'host in one process');

  // 3. Heap over HEAP_TX authorisations, driven in-process through the same steps the server runs per
  // frame (decode, journal in, handle, encode, MAC, journal out) so a million finish in reasonable time;
  // the state that could grow (ledger, journal, accounts, keys) is the same. Sampled after a forced GC.
  const heap: number[] = [heapUsedMiB()];
  const step = Math.floor(HEAP_TX / 10);
  const heapStart = performance.now();
  const flat = pools.flat();
  for (let i = 0; i < HEAP_TX; i++) {
    const frame = flat[i % flat.length] as Buffer;
    const req = decodeFrame(dialect, frame);
    host.journal.record({ direction: 'in', connectionId: 1 + (i & 63), message: req, raw: frame });
    const out = host.processor.handle(req, { deferMac: true, macFrame: frame });
    const resp = out.response;
    if (!resp || resp.fields[39] !== RC.APPROVED)
      throw new Error(`authorisation ${i} answered ${resp?.fields[39]}`);
    resp.fields[64] = '0000000000000000';
    const answer = encodeFrame(dialect, resp, { tpdu: '6000000003' });
    host.processor.macs.applyToFrame(out.mak as Buffer, answer);
    host.journal.record({ direction: 'out', connectionId: 1 + (i & 63), message: resp, raw: answer });
    if ((i + 1) % step === 0) heap.push(heapUsedMiB());
  }
  const heapRun = { total: HEAP_TX, rate: HEAP_TX / ((performance.now() - heapStart) / 1000) };
  const afterWarm = heap.slice(Math.min(3, heap.length - 1));
  const growth = Math.max(...afterWarm) - Math.min(...afterWarm);
  const journalOk = host.journal.length <= 10000;
  await host.close();

  report({
    bench: 'host',
    figures: [
      {
        name: 'echo round trips/s (own process, 64 conns, median)',
        value: Math.round(echoRate),
        unit: 'ops/s',
      },
      {
        name: 'host authorisations/s (own process, 0200 MAC+PIN, median)',
        value: Math.round(hostRate),
        unit: 'ops/s',
      },
      {
        name: 'host / echo (own processes, wall clock)',
        value: pct(ratio),
        unit: '%',
        target: '>= 50',
        met: ratio >= 0.5,
      },
      {
        name: 'host / echo (own processes, CPU time client+server)',
        value: pct(cpuRatio),
        unit: '%',
      },
      { name: 'echo server CPU per round trip', value: round2(echoServerCpu), unit: 'µs' },
      { name: 'host server CPU per authorisation', value: round2(hostServerCpu), unit: 'µs' },
      { name: 'latency p50 (host, own process)', value: percentile(sep.hostLatencies, 50), unit: 'ms' },
      { name: 'latency p99 (host, own process)', value: percentile(sep.hostLatencies, 99), unit: 'ms' },
      { name: 'latency p50 (echo, own process)', value: percentile(sep.echoLatencies, 50), unit: 'ms' },
      { name: 'latency p99 (echo, own process)', value: percentile(sep.echoLatencies, 99), unit: 'ms' },
      {
        name: '[one process] echo round trips/s',
        value: Math.round(oneEcho.rate),
        unit: 'ops/s',
      },
      {
        name: '[one process] host authorisations/s',
        value: Math.round(oneHost.rate),
        unit: 'ops/s',
      },
      {
        name: '[one process, client CPU charged] host / echo (wall)',
        value: pct(oneHost.rate / oneEcho.rate),
        unit: '%',
      },
      {
        name: '[one process, client CPU charged] host / echo (CPU)',
        value: pct(oneHost.cpuRate / oneEcho.cpuRate),
        unit: '%',
      },
      {
        name: `heap growth after warm-up over ${heapRun.total} authorisations`,
        value: Math.round(growth * 10) / 10,
        unit: 'MiB',
        target: 'flat (< 32 MiB)',
        met: growth < 32 && journalOk,
      },
      { name: 'heap phase rate (in-process, no sockets)', value: Math.round(heapRun.rate), unit: 'ops/s' },
    ],
    notes: [
      `request ${sep.requestSize} bytes, answer ${sep.answerSize} bytes; ${CONNECTIONS} connections, ${DEPTH} request(s) in flight each; ${ROUNDS} interleaved rounds (echo, host, …) of ${SECONDS} s after ${WARM_UP_SECONDS} s warm-up each`,
      `per round, own processes: echo ${sep.echoRuns.map((r) => Math.round(r.rate)).join(' / ')} ops/s; host ${sep.hostRuns.map((r) => Math.round(r.rate)).join(' / ')} ops/s; host / echo ${roundRatios.map((x) => pct(x) + '%').join(' / ')}`,
      `client (load generator) CPU per operation: ${round2(echoClientCpu)} µs against echo, ${round2(hostClientCpu)} µs against the host (frames prebuilt with MAC and PIN block, so the same work for both)`,
      "the host verifies the MAC, decrypts and checks the PIN block and MACs its answer on every request; each connection's last answer is checked (39 = 00, MAC verifies) and the host journal counted",
      `heap samples (MiB): ${heap.map((h) => h.toFixed(1)).join(' ')}; journal kept ${host.journal.length} of ${host.journal.total} entries; ledger ${host.ledger.size} records (bounded)`,
      `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores: with server and client in separate processes each can use a core, so a busy machine lowers both rates; interleaved rounds and medians damp it`,
    ],
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
