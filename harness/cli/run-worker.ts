/**
 * The worker process of `payhil run --jobs N` (forked with an IPC channel): builds one bench, runs the
 * scenarios it is sent one at a time on it (the bench stays active between them) and sends back each
 * scenario's record. It ends on `stop` or when its parent goes away.
 */
import type { Bench } from '../bench/index.js';
import { createBenchOf } from '../lab/index.js';
import { runOneScenario } from './run-one-scenario.js';
import type { FromWorker, ToWorker, WorkerRunOptions } from './run-worker-protocol.js';

let bench: Bench | undefined;
let options: WorkerRunOptions = {};
let work: Promise<void> = Promise.resolve();

function send(m: FromWorker): void {
  process.send?.(m);
}

async function finish(): Promise<void> {
  await work.catch(() => undefined);
  if (bench?.active) await bench.deactivate().catch(() => undefined);
  if (process.connected) process.disconnect();
  // Anything the bench left open must not keep a worker alive.
  setTimeout(() => process.exit(0), 3000).unref();
}

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'init') {
    options = m.options;
    try {
      bench = createBenchOf(m.bench);
      send({ type: 'ready', bench: bench.name, facts: { ...bench.facts } });
    } catch (e) {
      send({ type: 'error', message: (e as Error).message });
    }
    return;
  }
  if (m.type === 'run') {
    if (!bench) return send({ type: 'error', message: 'run before init' });
    const record = await runOneScenario(bench, m.scenario, m.index, options);
    send({ type: 'result', index: m.index, record });
  }
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'stop') {
    void finish();
    return;
  }
  work = work.then(() => handle(m)).catch((e: Error) => send({ type: 'error', message: e.message }));
});
process.on('disconnect', () => void finish());
// Ctrl-C reaches the whole process group: the parent decides what stops, this worker follows its `stop`.
process.on('SIGINT', () => undefined);
