/**
 * ECR link round trips: a `status` request answered at once by an `EcrServer`, through the whole stack
 * (JSON, framing, ACK per frame in both directions). Baseline: the in-memory duplex; then TCP on
 * 127.0.0.1 and a socat pty pair at 115200 baud through `serialport`, measured in interleaved rounds.
 */
import { percentile, report } from '../../../test/bench/bench-kit.js';
import { EcrClient } from './ecr-client.js';
import { EcrServer } from './ecr-server.js';
import { createMemoryChannelPair } from './memory-channel.js';
import { startPtyPair, type PtyPair } from './pty-pair.js';

type Name = 'memory' | 'tcp' | 'serial';

async function measure(client: EcrClient, seconds: number): Promise<{ rate: number; lat: number[] }> {
  const lat: number[] = [];
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) await client.request({ op: 'status' });
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    await client.request({ op: 'status' });
    lat.push(performance.now() - t);
  }
  return { rate: lat.length / ((performance.now() - start) / 1000), lat };
}

const ROUNDS = 3;
const rates: Record<Name, number[]> = { memory: [], tcp: [], serial: [] };
const lats: Record<Name, number[]> = { memory: [], tcp: [], serial: [] };

const server = new EcrServer({
  handler: async () => ({ state: 'idle', signedIn: true, busy: false, testMode: true }),
});
const open: EcrClient[] = [];
let pty: PtyPair | undefined;
// socat and the links are stopped however the run ends (a failed round, a missing socat).
try {
  const [m1, m2] = createMemoryChannelPair();
  server.attach(m2);
  const memory = new EcrClient(m1);
  open.push(memory);
  const { host, port } = await server.listenTcp();
  const tcp = await EcrClient.connectTcp(host, port);
  open.push(tcp);
  pty = await startPtyPair();
  await server.openSerial(pty.a, { baudRate: 115200 });
  const serial = await EcrClient.openSerial(pty.b, { baudRate: 115200 });
  open.push(serial);
  const clients: Record<Name, EcrClient> = { memory, tcp, serial };

  for (let r = 0; r < ROUNDS; r++) {
    for (const name of Object.keys(clients) as Name[]) {
      const { rate, lat } = await measure(clients[name], 2);
      rates[name].push(rate);
      // A round holds up to hundreds of thousands of samples: no spread into push (call stack).
      for (const x of lat) lats[name].push(x);
    }
  }
} finally {
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  await server.close();
  await pty?.close();
}

const median = (xs: number[]) => percentile(xs, 50);
const base = median(rates.memory);
report({
  bench: 'ecr-link',
  figures: [
    { name: 'in-memory duplex round trips/s (baseline)', value: base, unit: 'req/s' },
    { name: 'TCP 127.0.0.1 round trips/s', value: median(rates.tcp), unit: 'req/s' },
    { name: 'socat pty 115200 baud round trips/s', value: median(rates.serial), unit: 'req/s' },
    { name: 'TCP / in-memory', value: median(rates.tcp) / base, unit: 'x' },
    { name: 'pty / in-memory', value: median(rates.serial) / base, unit: 'x' },
    { name: 'in-memory latency p99', value: percentile(lats.memory, 99), unit: 'ms' },
    { name: 'TCP latency p99', value: percentile(lats.tcp, 99), unit: 'ms' },
    { name: 'pty latency p99', value: percentile(lats.serial, 99), unit: 'ms' },
  ],
  notes: [
    'one round trip = request frame + ACK + response frame + ACK, JSON both ways',
    `medians of ${ROUNDS} interleaved 2 s rounds per transport; 2 shared cores`,
  ],
});
