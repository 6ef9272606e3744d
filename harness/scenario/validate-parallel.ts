/**
 * `validateFiles` spread over worker threads for large sets of files (the report is the same, in the same
 * order). Scenario files are cut into batches of consecutive files; the main thread and the workers claim
 * batches from a shared counter, each batch is loaded by a loader of its own, and the results are joined
 * in batch order.
 *
 * Batches share nothing, which is exact as long as they do not interact through the state one loader
 * keeps across files: scenario ids (duplicates across files) and included steps files (whose problems
 * are reported once). When the joined results show such an interaction — an id registered by two
 * batches, or any error in a steps file — the scenario files are loaded again by one loader, so the
 * report is always exactly what `validateFiles` gives.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sortDiagnostics, type Diagnostic } from '../common/diagnostic.js';
import { createLogger } from '../common/logger.js';
import { ValidateWorkerError } from './errors.js';
import type { LoadOptions } from './load-context.js';
import { loadScenarioBatch, loadScenarioFiles } from './loader.js';
import { isStepsFile } from './scenario-schema.js';
import { claimBatch, type BatchMessage, type BatchResult, type WorkerInput } from './validate-batches.js';
import { validateFixtureFiles, type ValidateFilesOptions, type ValidationReport } from './validate-files.js';

const log = createLogger('payhil:validate');

export interface ParallelOptions {
  /**
   * Worker threads besides the main thread. Default: none up to AUTO_WORKERS_ABOVE scenario files, then
   * available cores − 1 (at most 3).
   */
  workers?: number;
  /** Up to this many scenario files everything runs on the main thread, whatever `workers` says (default 100). */
  threshold?: number;
  /** Scenario files per batch (default 25). */
  batchSize?: number;
}

/**
 * A worker costs about 0.7 s of CPU before it checks its first file (its own module loading, schema
 * compilation and JIT warm-up), while the main thread checks a file in about 0.6–1.3 ms: on 2 cores the
 * worker pays off only beyond about 1,500 files, and not at all when other work keeps the cores busy
 * (measured with validate.bench.ts). So by default workers start only for very large sets.
 */
export const AUTO_WORKERS_ABOVE = 2000;

const WORKER_URL = new URL('./validate-worker.js', import.meta.url);

function runWorker(input: WorkerInput, results: BatchResult[]): Promise<void> {
  return new Promise((done, fail) => {
    let finished = false;
    const worker = new Worker(WORKER_URL, { workerData: input });
    worker.on('message', (m: BatchMessage) => {
      if (m.type === 'batch') results[m.index] = m.result;
      else if (m.type === 'done') {
        finished = true;
        done();
      } else {
        finished = true;
        fail(new ValidateWorkerError(m.message));
      }
    });
    worker.on('error', (e) => {
      finished = true;
      fail(new ValidateWorkerError(e.message, { cause: e }));
    });
    worker.on('exit', (code) => {
      if (!finished) fail(new ValidateWorkerError(`exited with code ${code}`));
    });
  });
}

/** Joins batch results in order, or undefined when the batches interacted (see the file comment). */
function join(
  results: BatchResult[],
): { diagnostics: Diagnostic[]; scenarios: BatchResult['scenarios'] } | undefined {
  const ids = new Set<string>();
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const scenarios: BatchResult['scenarios'] = [];
  for (const r of results) {
    if (r.protoKey) return undefined;
    for (const id of r.ids) if (ids.has(id)) return undefined;
    for (const id of r.ids) ids.add(id);
    for (const d of r.diagnostics) {
      // Problems of an included steps file are reported once per loader (warnings come from loadFile only).
      if (d.severity === 'error' && isStepsFile(d.file)) return undefined;
      const key = `${d.file}:${d.line}:${d.col}:${d.severity}:${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(d);
    }
    scenarios.push(...r.scenarios);
  }
  return { diagnostics, scenarios };
}

/**
 * Validates scenario, steps and fixture files like `validateFiles` (same report, same order), on worker
 * threads when there are more than `threshold` scenario files. Never throws for bad input.
 */
export async function validateFilesParallel(
  files: readonly string[],
  options: ValidateFilesOptions = {},
  parallel: ParallelOptions = {},
): Promise<ValidationReport> {
  const threshold = parallel.threshold ?? 100;
  const batchSize = Math.max(1, Math.floor(parallel.batchSize ?? 25));
  const fixtures = validateFixtureFiles(files, options);
  const { root, scenarioFiles } = fixtures;
  const auto = scenarioFiles.length > AUTO_WORKERS_ABOVE ? Math.min(3, availableParallelism() - 1) : 0;
  const workers = Math.max(0, Math.floor(parallel.workers ?? auto));
  const { fixtureSchema: _f, ...rest } = options;
  const loadOptions: LoadOptions = { ...rest, root };
  const report = (loaded: { diagnostics: Diagnostic[]; scenarios: BatchResult['scenarios'] }) => ({
    diagnostics: sortDiagnostics([...fixtures.diagnostics, ...loaded.diagnostics]),
    scenarios: loaded.scenarios,
    scenarioFiles: scenarioFiles.length,
    fixtureFiles: fixtures.fixtureFiles,
  });
  const sequential = () => report(loadScenarioFiles(scenarioFiles, loadOptions));
  // The same file twice interacts with itself (duplicate ids, reported once): one loader does it.
  if (
    workers === 0 ||
    scenarioFiles.length <= threshold ||
    new Set(scenarioFiles).size < scenarioFiles.length
  )
    return sequential();

  const batches: string[][] = [];
  for (let i = 0; i < scenarioFiles.length; i += batchSize)
    batches.push(scenarioFiles.slice(i, i + batchSize));
  const counter = new SharedArrayBuffer(4);
  const input: WorkerInput = {
    batches,
    options: {
      root,
      ...(loadOptions.fixtureRoots ? { fixtureRoots: loadOptions.fixtureRoots } : {}),
      ...(loadOptions.sources ? { sources: loadOptions.sources } : {}),
    },
    counter,
  };
  const results: BatchResult[] = new Array<BatchResult>(batches.length);
  const threads = Array.from({ length: Math.min(workers, batches.length - 1) }, () =>
    runWorker(input, results),
  );
  // The main thread claims batches too while the workers start up.
  const claims = new Int32Array(counter);
  for (let i = claimBatch(claims, batches.length); i >= 0; i = claimBatch(claims, batches.length))
    results[i] = loadScenarioBatch(batches[i] as string[], loadOptions);
  try {
    await Promise.all(threads);
  } catch (e) {
    log('a worker failed, validating on the main thread:', (e as Error).message);
    return sequential();
  }
  const joined = join(results);
  if (!joined) {
    log('batches interact (shared ids or steps-file problems): validating with one loader');
    return sequential();
  }
  log(`${scenarioFiles.length} files in ${batches.length} batches on ${threads.length + 1} threads`);
  return report(joined);
}
