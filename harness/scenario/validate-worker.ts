/**
 * A worker thread of `validateFilesParallel`: claims batches of scenario files from a shared counter,
 * loads each batch with its own loader and posts the result back with its batch index.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { claimBatch, type BatchMessage, type WorkerInput } from './validate-batches.js';
import { loadScenarioBatch } from './loader.js';

const input = workerData as WorkerInput;
const port = parentPort;
if (port) {
  const counter = new Int32Array(input.counter);
  try {
    for (
      let i = claimBatch(counter, input.batches.length);
      i >= 0;
      i = claimBatch(counter, input.batches.length)
    ) {
      const message: BatchMessage = {
        type: 'batch',
        index: i,
        result: loadScenarioBatch(input.batches[i] as string[], input.options),
      };
      port.postMessage(message);
    }
    port.postMessage({ type: 'done' } satisfies BatchMessage);
  } catch (e) {
    port.postMessage({ type: 'error', message: (e as Error).message } satisfies BatchMessage);
  }
}
