/**
 * The parent side of a `payhil run --jobs N` worker process: forks run-worker.js, builds its bench, and
 * runs one scenario at a time on it. A worker that exits while it holds a scenario rejects that run with
 * WorkerLostError (the pool re-queues the scenario).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WorkerLostError, type PoolWorker } from '../lab/index.js';
import type { ScenarioRecord } from '../report/index.js';
import type { Scenario } from '../scenario/index.js';
import type { BenchSpec } from '../lab/index.js';
import type { FromWorker, ToWorker, WorkerRunOptions } from './run-worker-protocol.js';

const WORKER = fileURLToPath(new URL('./run-worker.js', import.meta.url));

/** A scenario and its catalogue position. */
export interface IndexedScenario {
  index: number;
  scenario: Scenario;
}

export class ForkedWorker implements PoolWorker<IndexedScenario, ScenarioRecord> {
  private pending?: {
    index: number;
    resolve: (r: ScenarioRecord) => void;
    reject: (e: Error) => void;
  };
  private stderr = '';
  private exited = false;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    /** The bench's facts (environment.properties). */
    readonly facts: Record<string, string>,
  ) {
    child.on('message', (m: FromWorker) => {
      const p = this.pending;
      if (!p) return;
      if (m.type === 'result' && m.index === p.index) {
        this.pending = undefined;
        p.resolve(m.record);
      } else if (m.type === 'error') {
        this.pending = undefined;
        p.reject(new WorkerLostError(this.name, m.message));
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new WorkerLostError(this.name, this.exitText(code, signal)));
    });
  }

  private exitText(code: number | null, signal: NodeJS.Signals | null): string {
    const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
    return `process exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`;
  }

  /** Forks a worker and builds its bench; rejects when the bench cannot be built. */
  static start(name: string, bench: BenchSpec, options: WorkerRunOptions): Promise<ForkedWorker> {
    const child = fork(WORKER, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`worker ${name} exited before it was ready (code ${code}): ${stderr.trim()}`));
      child.once('exit', onExit);
      child.once('message', (m: FromWorker) => {
        child.off('exit', onExit);
        if (m.type !== 'ready') {
          child.kill();
          reject(new Error(m.type === 'error' ? m.message : `worker ${name}: unexpected ${m.type}`));
          return;
        }
        const w = new ForkedWorker(name, child, m.facts);
        child.stderr?.on('data', (d: string) => {
          w.stderr = (w.stderr + d).slice(-4000);
        });
        resolve(w);
      });
      child.send({ type: 'init', bench, options } satisfies ToWorker);
    });
  }

  /** The worker's pid. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  run(item: IndexedScenario): Promise<ScenarioRecord> {
    if (this.exited) return Promise.reject(new WorkerLostError(this.name, 'process exited'));
    return new Promise((resolve, reject) => {
      this.pending = { index: item.index, resolve, reject };
      this.child.send({ type: 'run', index: item.index, scenario: item.scenario } satisfies ToWorker);
    });
  }

  /** Asks the worker to stop (bench deactivated); kills it if it has not exited within `graceMs`. */
  async close(graceMs = 10000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
