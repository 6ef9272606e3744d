/**
 * Child process of the run benchmark: `node --expose-gc rss-probe.js CORPUS_DIR CHECKPOINTS` runs the
 * corpus the way `payhil run` does (mocha, console, Allure results, JUnit, history; the summary keeping
 * verdicts only) and prints one JSON line: RSS and heap (MiB, after a forced GC) at each checkpoint
 * (number of runs ended), and the counts.
 */
import { join } from 'node:path';
import { createEmbeddedBench } from '../../harness/bench/index.js';
import {
  AllureWriter,
  ConsoleReporter,
  FolderHistoryStore,
  HistoryRecorder,
  JunitWriter,
} from '../../harness/report/index.js';
import { runScenarios, type RunReporter } from '../../harness/runner/index.js';
import { findYamlFiles } from '../../harness/scenario/find-files.js';
import { loadScenarioFiles } from '../../harness/scenario/loader.js';

const [dir = '.', checkpointList = '100,1000'] = process.argv.slice(2);
const checkpoints = new Set(checkpointList.split(',').map(Number));
const { files } = findYamlFiles(['scenarios'], dir);
const { scenarios } = loadScenarioFiles(files, { root: dir });
const samples: { runs: number; rssMiB: number; heapMiB: number }[] = [];
let ended = 0;
const gc = (globalThis as { gc?: () => void }).gc;
const probe: RunReporter = {
  scenarioEnd() {
    ended++;
    if (!checkpoints.has(ended)) return;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    samples.push({ runs: ended, rssMiB: m.rss / 1048576, heapMiB: m.heapUsed / 1048576 });
  },
};
const summary = await runScenarios(scenarios, {
  bench: createEmbeddedBench(),
  seed: 1,
  retain: 'verdicts',
  reporters: [
    new ConsoleReporter({ write: () => undefined }),
    new AllureWriter({ resultsDir: join(dir, 'results'), thread: true }),
    new JunitWriter(join(dir, 'junit.xml')),
    new HistoryRecorder({ store: new FolderHistoryStore(join(dir, 'history')), root: dir }),
    probe,
  ],
});
console.log(JSON.stringify({ samples, counts: summary.counts }));
