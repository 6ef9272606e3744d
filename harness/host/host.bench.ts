/**
 * Host simulator benchmark (`npm run bench -- host`): UnionPay 0200 authorisations with MAC and PIN
 * verification from 64 connections over loopback, against a bare Node TCP echo server that answers
 * frames of the same sizes, in the same run and the same process arrangement (client and server share
 * one Node process in both cases, so the ratio compares like with like). Then heap over 1,000,000
 * authorisations with the bounded journal and ledger.
 *
 * Environment: PAYHIL_BENCH_SECONDS (default 4) per throughput phase; PAYHIL_BENCH_HEAP_TX (default
 * 1,000,000) for the heap phase.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import os from 'node:os';
import { heapUsedMiB, percentile, report } from '../../test/bench/bench-kit.js';
import { decodeFrame, encodeFrame, loadDialect } from '../iso8583/index.js';
import { startHost } from './host-server.js';
import { TestTerminal } from './test-terminal.js';
import { TEST_PIN, TEST_TERMINAL, TEST_TMK, testHostConfig } from './test-config.js';
import { applyMac, buildTransaction } from './terminal-messages.js';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.PAYHIL_BENCH_SECONDS ?? 4);
const HEAP_TX = Number(process.env.PAYHIL_BENCH_HEAP_TX ?? 1000000);
const FRAMES_PER_CONNECTION = 2048;
const PAN = '6222021000000000017';

/** A closed-loop client connection: sends frames from its pool one at a time and reads 2-byte-length frames back. */
class Loop {
  private buf: Buffer = Buffer.alloc(0);
  private sentAt = 0;
  private i = 0;
  count = 0;
  stopped = false;
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
    return new Promise((resolve) => {
      this.done = resolve;
      this.send();
    });
  }
  private send(): void {
    if (!this.limit()) {
      this.stopped = true;
      this.done?.();
      return;
    }
    this.sentAt = performance.now();
    this.socket.write(this.pool[this.i++ % this.pool.length] as Buffer);
  }
  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0) + 2;
      if (this.buf.length < n) break;
      this.buf = this.buf.subarray(n);
      this.count++;
      if (this.latencies && this.latencies.length < 2000000)
        this.latencies.push(performance.now() - this.sentAt);
      this.send();
    }
  }
  close(): void {
    this.socket.destroy();
  }
}

/** The baseline: reads 2-byte-length frames and answers each with a canned frame of the host's answer size. */
function echoServer(answer: Buffer): Promise<Server> {
  const server = createServer({ noDelay: true }, (s) => {
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0) + 2;
        if (buf.length < n) break;
        buf = buf.subarray(n);
        s.write(answer);
      }
    });
    s.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function phase(port: number, pools: Buffer[][], opts: { seconds: number; latencies?: number[] }) {
  let total = 0;
  const deadline = performance.now() + opts.seconds * 1000;
  const limit = (): boolean => performance.now() < deadline;
  const loops = await Promise.all(pools.map((p) => Loop.open(port, p, opts.latencies, limit)));
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await Promise.all(loops.map((l) => l.run()));
  const cpu = process.cpuUsage(cpuStart);
  const elapsed = (performance.now() - start) / 1000;
  for (const l of loops) {
    total += l.count;
    l.close();
  }
  // Per CPU-second of this process (client + server + GC threads, user + system): what the work costs,
  // whatever share of the shared machine the phase happened to get.
  return { rate: total / elapsed, cpuRate: total / ((cpu.user + cpu.system) / 1e6), total, elapsed };
}

async function main(): Promise<void> {
  const dialect = loadDialect('cup');
  const config = testHostConfig({
    accounts: [{ pan: PAN, pin: TEST_PIN, balance: 999999999999, expiry: '3012' }],
    journalSize: 10000,
    limits: { maxConnections: 256, maxFrameBytes: 4096, idleTimeoutMs: 600000 },
  });
  const host = await startHost({ dialect, config });
  const t = await TestTerminal.connect({
    dialect,
    host: '127.0.0.1',
    port: host.address.port,
    ...TEST_TERMINAL,
    tmk: TEST_TMK,
  });
  await t.signIn();
  const keys = t.keys!;
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
  if (probe.fields[39] !== '00' || probe.macOk !== true)
    throw new Error(`probe purchase answered ${probe.fields[39]} (MAC ok: ${probe.macOk})`);
  const answerSize = encodeFrame(dialect, probe).length;
  await t.close();

  const echo = await echoServer(
    Buffer.concat([
      Buffer.from([(answerSize - 2) >> 8, (answerSize - 2) & 0xff]),
      Buffer.alloc(answerSize - 2, 0x30),
    ]),
  );
  const echoPort = (echo.address() as { port: number }).port;
  await phase(echoPort, pools, { seconds: 1 });
  const echoRun = await phase(echoPort, pools, { seconds: SECONDS });
  echo.close();

  await phase(host.address.port, pools, { seconds: 1 });
  const latencies: number[] = [];
  const hostRun = await phase(host.address.port, pools, { seconds: SECONDS, latencies });
  const ratio = hostRun.rate / echoRun.rate;
  const cpuRatio = hostRun.cpuRate / echoRun.cpuRate;

  // Heap over HEAP_TX authorisations, driven in-process through the same steps the server runs per frame
  // (decode, journal in, handle, encode, MAC, journal out) so a million finish in reasonable time; the
  // state that could grow (ledger, journal, accounts, keys) is the same. Sampled after a forced GC.
  const heap: number[] = [heapUsedMiB()];
  const step = Math.floor(HEAP_TX / 10);
  const heapStart = performance.now();
  const flat = pools.flat();
  for (let i = 0; i < HEAP_TX; i++) {
    const frame = flat[i % flat.length] as Buffer;
    const req = decodeFrame(dialect, frame);
    host.journal.record({ direction: 'in', connectionId: 1 + (i & 63), message: req, raw: frame });
    const out = host.processor.handle(req, { deferMac: true, macData: frame.subarray(13, frame.length - 8) });
    const resp = out.response;
    if (!resp || resp.fields[39] !== '00') throw new Error(`authorisation ${i} answered ${resp?.fields[39]}`);
    resp.fields[64] = '0000000000000000';
    const answer = encodeFrame(dialect, resp, { tpdu: '6000000003' });
    host.processor.macBytes(out.mak as Buffer, answer, 13, answer.length - 8).copy(answer, answer.length - 8);
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
      { name: 'echo baseline round trips/s (64 conns)', value: Math.round(echoRun.rate), unit: 'ops/s' },
      {
        name: 'host authorisations/s (0200, MAC + PIN, 64 conns)',
        value: Math.round(hostRun.rate),
        unit: 'ops/s',
      },
      {
        name: 'host / echo (wall clock)',
        value: Math.round(ratio * 1000) / 10,
        unit: '%',
        target: '>= 50',
        met: ratio >= 0.5,
      },
      {
        name: 'echo baseline round trips per CPU-second',
        value: Math.round(echoRun.cpuRate),
        unit: 'ops/cpu-s',
      },
      { name: 'host authorisations per CPU-second', value: Math.round(hostRun.cpuRate), unit: 'ops/cpu-s' },
      {
        name: 'host / echo (CPU time)',
        value: Math.round(cpuRatio * 1000) / 10,
        unit: '%',
        target: '>= 50',
        met: cpuRatio >= 0.5,
      },
      { name: 'latency p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'latency p99', value: percentile(latencies, 99), unit: 'ms' },
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
      `request ${pools[0]?.[0]?.length} bytes, answer ${answerSize} bytes; ${SECONDS} s per throughput phase after 1 s warm-up`,
      `heap samples (MiB): ${heap.map((h) => h.toFixed(1)).join(' ')}; journal kept ${host.journal.length} of ${host.journal.total} entries; ledger ${host.ledger.size} records (bounded)`,
      'client and server share one Node process in both runs; the PIN block is decrypted and checked and both MACs computed per authorisation',
      `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores: the two phases run one after the other, so on a busy machine the wall-clock ratio moves with what else runs; the CPU-time ratio much less`,
    ],
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
