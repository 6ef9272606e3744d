/**
 * What the main thread and the workers of `validateFilesParallel` share: the input of a worker, the
 * messages it posts, and how a batch is claimed (an atomic counter, so a faster thread takes more).
 */
import type { LoadOptions } from './load-context.js';
import type { loadScenarioBatch } from './loader.js';

export type BatchResult = ReturnType<typeof loadScenarioBatch>;

export interface WorkerInput {
  /** Scenario files (absolute), in order, cut into batches. */
  batches: string[][];
  options: Pick<LoadOptions, 'root' | 'fixtureRoots' | 'sources'>;
  /** One Int32: the index of the next batch to claim. */
  counter: SharedArrayBuffer;
}

export type BatchMessage =
  | { type: 'batch'; index: number; result: BatchResult }
  | { type: 'done' }
  | { type: 'error'; message: string };

/** The index of the next unclaimed batch, or -1 when all are taken. */
export function claimBatch(counter: Int32Array, total: number): number {
  const i = Atomics.add(counter, 0, 1);
  return i < total ? i : -1;
}
