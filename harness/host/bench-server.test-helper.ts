/**
 * The server side of host.bench.ts, run in its own Node process (child_process.fork, with an IPC
 * channel) so that the load generator's CPU is not charged to the server:
 *
 *   bench-server.test-helper.js echo ANSWER_BYTES   a bare TCP server: reads 2-byte-length frames and answers each
 *                                        with a canned frame of ANSWER_BYTES (length prefix included)
 *   bench-server.test-helper.js host                the host simulator (startHost, CUP dialect) with the bench's
 *                                        test configuration
 *
 * Both listen on 127.0.0.1 port 0 and send `{ type: 'ready', port }` to the parent. On `{ type: 'stats' }`
 * they answer `{ type: 'stats', cpu }` (this process's user + system CPU µs so far) and, for the host,
 * how many journal entries it recorded. The process exits when the parent disconnects or asks it to
 * (`{ type: 'stop' }`), so it never outlives the benchmark.
 */
import { startHost, type HostHandle } from './host-server.js';
import { startEchoServer } from './echo-server.js';
import { TEST_PANS, TEST_PIN, testHostConfig } from '../testing/index.js';

interface BenchServerMessage {
  type: 'stats' | 'stop';
}

function benchHost(): Promise<HostHandle> {
  return startHost({
    dialect: 'cup',
    config: testHostConfig({
      // The one account every bench request debits, with a balance no run can exhaust.
      accounts: [{ pan: TEST_PANS.debit, pin: TEST_PIN, balance: 999999999999, expiry: '3012' }],
      journalSize: 10000,
      limits: { maxConnections: 256, maxFrameBytes: 4096, idleTimeoutMs: 600000 },
    }),
  });
}

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('bench-server runs as a child of host.bench.js (needs an IPC channel)');
  const mode = process.argv[2];
  let port: number;
  let close: () => Promise<void>;
  let journalTotal: () => number | undefined = () => undefined;
  if (mode === 'echo') {
    const answerBytes = Number(process.argv[3]);
    if (!Number.isInteger(answerBytes) || answerBytes < 3 || answerBytes > 65537)
      throw new Error(`echo needs the answer size in bytes, got '${process.argv[3]}'`);
    const server = await startEchoServer(answerBytes);
    port = (server.address() as { port: number }).port;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  } else if (mode === 'host') {
    const host = await benchHost();
    port = host.address.port;
    close = () => host.close();
    journalTotal = () => host.journal.total;
  } else {
    throw new Error(`mode must be 'echo' or 'host', got '${mode}'`);
  }
  const stop = (): void => {
    void close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('disconnect', stop);
  process.on('message', (m: BenchServerMessage) => {
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      send({ type: 'stats', cpu: cpu.user + cpu.system, journalTotal: journalTotal() });
    } else if (m.type === 'stop') stop();
  });
  send({ type: 'ready', port });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-server: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
