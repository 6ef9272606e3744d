/**
 * Runs items on N workers at once (`payhil run --jobs N`): each slot starts a worker, takes the next item,
 * and hands its result on. A worker that dies while it holds an item (WorkerLostError) is replaced, and
 * the item goes back to the queue for another try, a bounded number of times — the local form of a lab
 * agent's expired job lock. Nothing else is retried here: a scenario's own retries are the worker's.
 */
import { WorkerLostError } from './errors.js';

/** One worker of the pool: runs one item at a time. */
export interface PoolWorker<T, R> {
  readonly name: string;
  /** Resolves with the item's result; rejects with WorkerLostError when the worker dies meanwhile. */
  run(item: T): Promise<R>;
  close(): Promise<void>;
}

export interface PoolOptions<T, R> {
  /** Workers at once (≥ 1). */
  jobs: number;
  /** Starts the worker of a slot (0-based); called again to replace a lost one. */
  start(slot: number): Promise<PoolWorker<T, R>>;
  onResult(item: T, result: R, worker: string): void;
  /** A worker was lost while it held `item`; `requeued` tells whether the item will run again. */
  onLost?(item: T, worker: string, error: WorkerLostError, requeued: boolean): void;
  /** Checked before each dispatch: true stops taking items (bail, Ctrl-C). */
  stopped?(): boolean;
  /** Tries of an item whose worker was lost, after the first. Default 1. */
  requeues?: number;
  /** Replacements of lost workers per slot. Default 3. */
  restarts?: number;
}

export interface PoolOutcome<T> {
  /** Items that never ran (stopped, or no worker could be started), with the reason. */
  unrun: { item: T; reason: string }[];
  /** Items whose worker was lost on every try. */
  lost: { item: T; error: WorkerLostError }[];
}

/** Runs every item on the pool; resolves when all are done, given up or left unrun. */
export async function runPool<T, R>(items: readonly T[], o: PoolOptions<T, R>): Promise<PoolOutcome<T>> {
  const queue = items.map((item) => ({ item, tries: 0 }));
  const outcome: PoolOutcome<T> = { unrun: [], lost: [] };
  const requeues = o.requeues ?? 1;
  let startError: string | undefined;

  async function slot(n: number): Promise<void> {
    let restarts = 0;
    let worker: PoolWorker<T, R> | undefined;
    try {
      while (queue.length > 0 && !o.stopped?.()) {
        if (!worker) {
          try {
            worker = await o.start(n);
          } catch (e) {
            startError = (e as Error).message;
            return;
          }
        }
        const next = queue.shift() as { item: T; tries: number };
        next.tries++;
        try {
          const result = await worker.run(next.item);
          o.onResult(next.item, result, worker.name);
        } catch (e) {
          if (!(e instanceof WorkerLostError)) throw e;
          const again = next.tries <= requeues;
          o.onLost?.(next.item, worker.name, e, again);
          if (again) queue.push(next);
          else outcome.lost.push({ item: next.item, error: e });
          await worker.close().catch(() => undefined);
          worker = undefined;
          if (++restarts > (o.restarts ?? 3)) return;
        }
      }
    } finally {
      await worker?.close().catch(() => undefined);
    }
  }

  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, (_, n) => slot(n)));
  const reason = o.stopped?.()
    ? 'the run was stopped'
    : `no worker could run it: ${startError ?? 'all lost'}`;
  for (const q of queue) outcome.unrun.push({ item: q.item, reason });
  return outcome;
}
