/**
 * The report thread: renders a run's Allure result and attachments and writes them, on a worker thread
 * (report-worker.ts), while the scenarios go on. What a run costs its scenarios' thread is then the copy
 * of its report data (structured clone, about a fifth of rendering and writing it).
 *
 * - One worker serves the process: started by the first run that wants it, it stays (not holding the
 *   process open) for the next, as the renderers' modules do. It takes about 70 ms to load them; until
 *   it says it is ready, runs are written on the calling thread (`inline`). Then the run opens a session
 *   on it, handing over its writer's unused spares (results-dir.ts), and every later run of the session
 *   goes to the worker. Messages keep their order, so the session is open before its first run.
 * - `write` returns a promise settled when the worker has written the run (rejected with its error):
 *   the runner starts a scenario only when the run a few before it is written, so runs wait in memory
 *   a bounded number at a time.
 * - A worker that dies (or cannot start) loses nothing: the runs it had not confirmed are written on
 *   the calling thread (one it had written but not yet confirmed is then written twice), and so is every
 *   later run of the session. A run whose data cannot be cloned is written there too.
 * - The worker holds the process open only while a session has runs on it or is closing.
 */
import { Worker } from 'node:worker_threads';
import { toWire, type ReportRun, type ReportRunWire } from './report-run.js';
import type { Spare } from './results-dir.js';

/** To the worker. */
export type ToReportWorker =
  | { kind: 'open'; session: number; resultsDir: string; spares: Spare[] }
  | { kind: 'run'; session: number; id: number; run: ReportRunWire }
  | { kind: 'close'; session: number };

/** From the worker. */
export type FromReportWorker =
  | { kind: 'ready' }
  | { kind: 'written'; session: number; id: number }
  | { kind: 'failed'; session: number; id: number; message: string }
  | { kind: 'closed'; session: number };

/** The process's report worker. */
interface SharedWorker {
  worker: Worker;
  /** True once ready, false if it never will be. */
  started: Promise<boolean>;
  /** Sessions with runs on the worker or closing: the worker holds the process open while any has. */
  holds: number;
}

let shared: SharedWorker | undefined;
let sessions = 0;

function sharedWorker(url: URL): SharedWorker | undefined {
  if (shared) return shared;
  let worker: Worker;
  try {
    // A young generation of 8 MiB (V8's default grows to 32): the worker's garbage is short-lived text,
    // and the process's memory stays flat over a long run (RSS growth from 100 to 1,000 runs 4–17 MiB
    // with it in three benchmark runs, 12–27 MiB without).
    worker = new Worker(url, { resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  } catch {
    return undefined;
  }
  worker.unref();
  let settle: (ready: boolean) => void = () => undefined;
  const s: SharedWorker = {
    worker,
    started: new Promise((resolve) => (settle = resolve)),
    holds: 0,
  };
  worker.on('message', (m: FromReportWorker) => {
    if (m.kind === 'ready') settle(true);
  });
  // An error is followed by 'exit': the sessions learn of it there.
  worker.on('error', () => undefined);
  worker.once('exit', () => {
    if (shared === s) shared = undefined;
    settle(false);
  });
  shared = s;
  return s;
}

function hold(s: SharedWorker, by: number): void {
  s.holds += by;
  if (s.holds > 0) s.worker.ref();
  else s.worker.unref();
}

export interface ReportThreadOptions {
  /** The Allure results folder. */
  resultsDir: string;
  /** The calling thread's writer gives up its unused spares (when the session opens). */
  handOver: () => Spare[];
  /** Writes a run on the calling thread. */
  inline: (run: ReportRun) => void;
}

interface Pending {
  run: ReportRun;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** One run's session on the report worker. */
export class ReportThread {
  private readonly session = ++sessions;
  private worker: SharedWorker | undefined;
  private open = false;
  private closing: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Runs written on the worker and on the calling thread (tests). */
  readonly counts = { worker: 0, inline: 0 };
  /** Settles true when the session is open on the worker, false if it never will be. */
  readonly started: Promise<boolean>;
  private readonly onMessage = (m: FromReportWorker): void => this.answer(m);
  private readonly onExit = (): void => this.lost();
  /** Settles the wait for `closed` (or for the worker's end). */
  private closed: () => void = () => undefined;

  constructor(private readonly options: ReportThreadOptions) {
    const s = sharedWorker(new URL('./report-worker.js', import.meta.url));
    if (!s) {
      this.started = Promise.resolve(false);
      return;
    }
    this.worker = s;
    s.worker.on('message', this.onMessage);
    s.worker.once('exit', this.onExit);
    this.started = s.started.then((ready) => {
      if (!ready || this.closing || this.worker !== s) return false;
      s.worker.postMessage({
        kind: 'open',
        session: this.session,
        resultsDir: options.resultsDir,
        spares: options.handOver(),
      } satisfies ToReportWorker);
      this.open = true;
      return true;
    });
  }

  /** The process's report worker (tests: to stop it mid-run). */
  get workerThread(): Worker | undefined {
    return this.worker?.worker;
  }

  /** Writes a run: on the worker once the session is open, else here (settles when it is written). */
  write(run: ReportRun): Promise<void> {
    const s = this.worker;
    if (!s || !this.open || this.closing) return this.inline(run);
    const id = this.nextId++;
    try {
      s.worker.postMessage({
        kind: 'run',
        session: this.session,
        id,
        run: toWire(run),
      } satisfies ToReportWorker);
    } catch {
      // Not cloneable (a timeline entry holding a function): written here.
      return this.inline(run);
    }
    if (this.pending.size === 0) hold(s, 1);
    return new Promise<void>((resolve, reject) => this.pending.set(id, { run, resolve, reject }));
  }

  /** Waits for the worker to write the session's runs; its writer then drops the spares it did not use. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const s = this.worker;
    if (s && this.open) {
      hold(s, 1);
      await new Promise<void>((resolve) => {
        this.closed = resolve;
        s.worker.postMessage({ kind: 'close', session: this.session } satisfies ToReportWorker);
      });
      hold(s, -1);
    }
    this.detach();
  }

  private detach(): void {
    const s = this.worker;
    if (!s) return;
    this.worker = undefined;
    s.worker.off('message', this.onMessage);
    s.worker.off('exit', this.onExit);
  }

  private inline(run: ReportRun): Promise<void> {
    try {
      this.options.inline(run);
      this.counts.inline++;
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private answer(m: FromReportWorker): void {
    if (m.kind === 'ready' || m.session !== this.session) return;
    if (m.kind === 'closed') {
      this.closed();
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0 && this.worker) hold(this.worker, -1);
    if (m.kind === 'written') {
      this.counts.worker++;
      p.resolve();
    } else p.reject(new Error(m.message));
  }

  /** The worker is gone: what it had not confirmed is written here, and every later run. */
  private lost(): void {
    this.detach();
    this.open = false;
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) this.inline(p.run).then(p.resolve, p.reject);
    this.closed();
  }
}
