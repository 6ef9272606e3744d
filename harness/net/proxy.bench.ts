/**
 * Proxy overhead with no toxics, against socat forwarding the same traffic in the same run:
 * request/response latency (sequential CUP-frame round trips: p50 added = through the forwarder minus
 * direct, p99 of the round trip itself) and bulk throughput (64 MiB one way, client → sink). payhil runs as its own
 * process (`payhil proxy`, default settings), like socat; a third series shows the cost of the spy
 * (`--dialect cup`: every frame decoded, masked and journaled) for information.
 * Targets (issue 6): p50 added latency ≤ 1.5× socat's; throughput ≥ 70% of socat's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { percentile, report } from '../../test/bench/bench-kit.js';
import { loadDialect } from '../iso8583/dialect-loader.js';
import { encodeFrame } from '../iso8583/message-codec.js';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const ROUND_TRIPS = 1000;
const ROUNDS = 6;
const WARM = 300;
const BULK = 64 * 1024 * 1024;

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Echo for round trips; for bulk, counts bytes and answers with the count when the client ends. */
function startServers(): Promise<{ echo: number; sink: number; close: () => void }> {
  const echo = createServer((s) => {
    s.setNoDelay(true);
    s.on('data', (d) => s.write(d));
    s.on('error', () => undefined);
  });
  const sink = createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on('data', (d) => (n += d.length));
    s.on('end', () => s.end(String(n)));
    s.on('error', () => undefined);
  });
  return Promise.all([listen(echo), listen(sink)]).then(([e, k]) => ({
    echo: e,
    sink: k,
    close: () => {
      echo.close();
      sink.close();
    },
  }));
}

async function waitForLine(
  child: ChildProcess,
  re: RegExp,
  stream: 'stdout' | 'stderr',
): Promise<RegExpExecArray> {
  let text = '';
  const s = child[stream];
  if (!s) throw new Error('no stream');
  for await (const chunk of s) {
    text += String(chunk);
    const m = re.exec(text);
    if (m) return m;
    if (text.length > 100_000) break;
  }
  throw new Error(`forwarder did not start: ${text}`);
}

async function startSocat(upstream: number): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    'socat',
    ['-d', '-d', 'TCP-LISTEN:0,fork,reuseaddr,bind=127.0.0.1', `TCP:127.0.0.1:${upstream}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const m = await waitForLine(child, /listening on AF=2 [\d.]+:(\d+)/, 'stderr');
  child.stderr?.resume();
  return { port: Number(m[1]), child };
}

async function startPayhil(
  upstream: number,
  extra: string[] = [],
): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'proxy', '--upstream', `127.0.0.1:${upstream}`, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const m = await waitForLine(child, /listening on [\d.]+:(\d+)/, 'stdout');
  child.stdout?.resume();
  return { port: Number(m[1]), child };
}

async function connected(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  s.setNoDelay(true);
  await once(s, 'connect');
  return s;
}

/** A CUP 0200 purchase frame (test PAN): the request every forwarder carries. */
const REQUEST = encodeFrame(loadDialect('cup'), {
  mti: '0200',
  fields: {
    2: '6222021234567890123',
    3: '000000',
    4: '000000001000',
    11: '000001',
    22: '051',
    41: 'TERM0001',
    42: '123456789012345',
    49: '156',
  },
});

/** Round-trip times (ms) of sequential request/responses (a CUP frame, echoed) on one connection. */
async function roundTrips(port: number): Promise<number[]> {
  const s = await connected(port);
  const msg = REQUEST;
  const times: number[] = [];
  let pending: (() => void) | undefined;
  let got = 0;
  s.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= msg.length && pending) {
      got -= msg.length;
      const p = pending;
      pending = undefined;
      p();
    }
  });
  for (let i = 0; i < WARM + ROUND_TRIPS; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      pending = resolve;
      s.write(msg);
    });
    if (i >= WARM) times.push(performance.now() - t0);
  }
  s.destroy();
  return times;
}

/** MiB/s pushing BULK bytes through `port` to the sink (until the sink confirms the count). */
async function bulk(port: number): Promise<number> {
  const s = await connected(port);
  const chunk = Buffer.alloc(64 * 1024, 0x33);
  let answer = '';
  s.on('data', (d) => (answer += d));
  const done = once(s, 'end');
  const t0 = performance.now();
  let sent = 0;
  while (sent < BULK) {
    sent += chunk.length;
    if (!s.write(chunk)) await once(s, 'drain');
  }
  s.end();
  await done;
  const secs = (performance.now() - t0) / 1000;
  s.destroy();
  if (Number(answer) !== BULK) throw new Error(`sink got ${answer} of ${BULK} bytes`);
  return BULK / (1024 * 1024) / secs;
}

async function main(): Promise<void> {
  const servers = await startServers();
  const socatEcho = await startSocat(servers.echo);
  const payhilEcho = await startPayhil(servers.echo);
  const spyEcho = await startPayhil(servers.echo, ['--dialect', 'cup']);
  const socatSink = await startSocat(servers.sink);
  const payhilSink = await startPayhil(servers.sink);
  try {
    // Interleave short rounds so drift in machine load hits every forwarder alike; each figure is the
    // median over rounds of (p50 through the forwarder − p50 direct) measured in that round.
    const direct: number[] = [];
    const viaSocat: number[] = [];
    const viaPayhil: number[] = [];
    const viaSpy: number[] = [];
    const added = { socat: [] as number[], payhil: [] as number[], spy: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const d = await roundTrips(servers.echo);
      const so = await roundTrips(socatEcho.port);
      const pa = await roundTrips(payhilEcho.port);
      const sp = await roundTrips(spyEcho.port);
      direct.push(...d);
      viaSocat.push(...so);
      viaPayhil.push(...pa);
      viaSpy.push(...sp);
      const base = percentile(d, 50);
      added.socat.push(percentile(so, 50) - base);
      added.payhil.push(percentile(pa, 50) - base);
      added.spy.push(percentile(sp, 50) - base);
    }
    const base50 = percentile(direct, 50);
    const socat50 = percentile(added.socat, 50);
    const payhil50 = percentile(added.payhil, 50);
    const spy50 = percentile(added.spy, 50);

    const socatMiBs: number[] = [];
    const payhilMiBs: number[] = [];
    for (let round = 0; round < 3; round++) {
      socatMiBs.push(await bulk(socatSink.port));
      payhilMiBs.push(await bulk(payhilSink.port));
    }
    const socatTp = percentile(socatMiBs, 50);
    const payhilTp = percentile(payhilMiBs, 50);
    const latencyRatio = payhil50 / socat50;
    const tpRatio = payhilTp / socatTp;
    report({
      bench: 'net-proxy',
      figures: [
        { name: 'direct round trip p50', value: base50 * 1000, unit: 'µs' },
        { name: 'direct round trip p99', value: percentile(direct, 99) * 1000, unit: 'µs' },
        { name: 'socat added latency p50', value: socat50 * 1000, unit: 'µs' },
        { name: 'socat round trip p99', value: percentile(viaSocat, 99) * 1000, unit: 'µs' },
        { name: 'payhil added latency p50', value: payhil50 * 1000, unit: 'µs' },
        { name: 'payhil round trip p99', value: percentile(viaPayhil, 99) * 1000, unit: 'µs' },
        { name: 'payhil --dialect cup (decode+journal) added p50', value: spy50 * 1000, unit: 'µs' },
        { name: 'payhil --dialect cup round trip p99', value: percentile(viaSpy, 99) * 1000, unit: 'µs' },
        {
          name: 'payhil/socat added latency p50',
          value: latencyRatio,
          unit: '×',
          target: '<= 1.5',
          met: latencyRatio <= 1.5,
        },
        { name: 'socat bulk throughput', value: socatTp, unit: 'MiB/s' },
        { name: 'payhil bulk throughput', value: payhilTp, unit: 'MiB/s' },
        { name: 'payhil/socat throughput', value: tpRatio, unit: '×', target: '>= 0.7', met: tpRatio >= 0.7 },
      ],
      notes: [
        `${ROUNDS} interleaved rounds of ${ROUND_TRIPS} round trips of a ${REQUEST.length}-byte CUP frame per forwarder (each after ${WARM} warm-up), ${BULK / 1048576} MiB bulk × 3 (median)`,
        'payhil runs as `payhil proxy` with default settings (own process, no dialect), socat as TCP-LISTEN,fork; both in the same run',
      ],
    });
  } finally {
    const children = [socatEcho, payhilEcho, spyEcho, socatSink, payhilSink].map((c) => c.child);
    await Promise.all(
      children.map((c) => {
        const exited = c.exitCode !== null ? Promise.resolve() : once(c, 'exit').then(() => undefined);
        c.kill('SIGTERM');
        return exited;
      }),
    );
    servers.close();
  }
}

await main();
