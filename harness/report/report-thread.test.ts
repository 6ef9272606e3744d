import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Attachment, StepResult, TestResult } from 'allure-js-commons';
import { createEmbeddedBench, type Bench } from '../bench/index.js';
import { packageRoot } from '../common/project-root.js';
import { runScenario, Timeline, type ScenarioRun } from '../runner/index.js';
import { findYamlFiles } from '../scenario/find-files.js';
import { loadScenarioFiles } from '../scenario/loader.js';
import type { Scenario } from '../scenario/index.js';
import { AllureWriter, THREAD_FROM } from './allure-writer.js';
import { SPARE_DIR, setAsideResults } from './results-dir.js';

const work = mkdtempSync(join(tmpdir(), 'payhil-report-thread-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The catalogue's first scenarios, run once on the embedded bench: real timelines (frames, APDUs, pcap). */
let bench: Bench;
let scenarios: Scenario[];
let runs: ScenarioRun[];

before(async function () {
  this.timeout(60_000);
  const { files } = findYamlFiles(['scenarios'], packageRoot());
  scenarios = loadScenarioFiles(files, { root: packageRoot() }).scenarios.slice(0, THREAD_FROM + 8);
  bench = createEmbeddedBench({});
  await bench.activate();
  runs = [];
  try {
    for (const s of scenarios) runs.push(await runScenario(s, bench, { seed: 7 }));
  } finally {
    await bench.deactivate();
  }
});

/** A writer of the run, its report thread open (or none below THREAD_FROM). */
async function writer(dir: string, count = scenarios.length): Promise<AllureWriter> {
  const w = new AllureWriter({ resultsDir: dir, thread: true });
  w.runStart({ bench, scenarios: scenarios.slice(0, count), start: Date.now(), seed: 7 });
  if (w.reportThread) assert.equal(await w.reportThread.started, true, 'the report thread started');
  return w;
}

async function writeAll(w: AllureWriter, list: readonly ScenarioRun[] = runs): Promise<void> {
  for (const r of list) await w.scenarioEnd(r);
  await w.runEnd();
}

/** A results folder as content: results by name, each attachment as its bytes, uuids left out. */
function contents(dir: string): unknown[] {
  const body = (a: Attachment): unknown => ({
    ...a,
    source: readFileSync(join(dir, a.source)).toString('base64'),
  });
  const step = (s: StepResult): unknown => ({
    ...s,
    attachments: s.attachments.map(body),
    steps: s.steps.map(step),
  });
  return readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as TestResult)
    .sort((a, b) => (a.fullName ?? '').localeCompare(b.fullName ?? ''))
    .map((r) => ({ ...r, uuid: '', attachments: r.attachments.map(body), steps: r.steps.map(step) }));
}

const resultNames = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as TestResult).fullName ?? '')
    .sort();

describe('report thread', function () {
  this.timeout(60_000);

  it('writes on the worker, byte for byte, what the run’s own thread writes', async () => {
    const inline = join(work, 'inline');
    const plain = new AllureWriter({ resultsDir: inline });
    plain.runStart({ bench, scenarios, start: Date.now(), seed: 7 });
    assert.equal(plain.reportThread, undefined, 'no thread unless asked');
    await writeAll(plain);

    const threaded = join(work, 'threaded');
    const w = await writer(threaded);
    await writeAll(w);
    assert.deepEqual(w.reportThread?.counts, { worker: runs.length, inline: 0 });
    assert.ok(
      runs.some((r) => r.timeline.entries('pcap', 'raw-frame', 'apdu').length > 0),
      'the runs carry frames, APDUs and captures',
    );
    assert.deepEqual(contents(threaded), contents(inline));
    assert.deepEqual(readdirSync(threaded).sort().length, readdirSync(inline).length, 'no file more or less');
  });

  it("writes a new run into the last run's files through the worker (its spares handed over)", async () => {
    const dir = join(work, 'again');
    await writeAll(await writer(dir));
    const inodes = new Set(readdirSync(dir).map((f) => statSync(join(dir, f)).ino));
    setAsideResults(dir);
    await writeAll(await writer(dir));
    const files = readdirSync(dir);
    assert.equal(files.length, inodes.size);
    assert.deepEqual(
      files.filter((f) => !inodes.has(statSync(join(dir, f)).ino)),
      [],
      'every file of the new run is a file of the last',
    );
    assert.equal(existsSync(join(dir, SPARE_DIR)), false, 'no spare left');
  });

  it('loses no run when the worker dies mid-run, and the next run starts a new worker', async () => {
    const dir = join(work, 'killed');
    const w = await writer(dir);
    const worker = w.reportThread?.workerThread;
    assert.ok(worker);
    // Three times the runs: more than the worker can write before it stops.
    const written = [...runs, ...runs, ...runs].map((r) => w.scenarioEnd(r));
    await worker.terminate();
    await Promise.all(written);
    await w.runEnd();
    assert.ok((w.reportThread?.counts.inline ?? 0) > 0, 'runs the worker had not written were written here');
    // A run the worker wrote but had not confirmed is written twice: nothing is missing.
    assert.deepEqual([...new Set(resultNames(dir))], scenarios.map((s) => s.id).sort());
    for (const f of readdirSync(dir).filter((x) => x.endsWith('-result.json'))) {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as TestResult;
      for (const a of r.attachments)
        assert.ok(existsSync(join(dir, a.source)), `${a.source} of ${r.fullName}`);
    }

    const next = await writer(join(work, 'after'));
    assert.notEqual(next.reportThread?.workerThread, worker, 'a new worker');
    await writeAll(next);
    assert.equal(next.reportThread?.counts.worker, runs.length);
  });

  it('writes on the calling thread a run whose timeline cannot be copied to the worker', async () => {
    const dir = join(work, 'uncloneable');
    const w = await writer(dir);
    const timeline = new Timeline();
    timeline.add('display', { text: 'APPROVED', odd: () => 'a function' });
    await w.scenarioEnd({ ...(runs[0] as ScenarioRun), timeline });
    await writeAll(w, runs.slice(1));
    assert.deepEqual(w.reportThread?.counts, { worker: runs.length - 1, inline: 1 });
    assert.deepEqual(resultNames(dir), scenarios.map((s) => s.id).sort());
  });

  it("rejects a run the worker could not write with the worker's reason", async () => {
    const dir = join(work, 'gone');
    const w = await writer(dir);
    // A first run written: the worker has its session (opening it makes the folder).
    await w.scenarioEnd(runs[0] as ScenarioRun);
    rmSync(dir, { recursive: true });
    await assert.rejects(w.scenarioEnd(runs[1] as ScenarioRun) as Promise<void>, /ENOENT.*gone/);
    assert.equal(w.reportThread?.counts.worker, 1);
    await w.runEnd();
  });

  it(`starts no thread for a run of fewer than ${THREAD_FROM} scenarios`, async () => {
    const dir = join(work, 'small');
    const w = await writer(dir, THREAD_FROM - 1);
    assert.equal(w.reportThread, undefined);
    await writeAll(w, runs.slice(0, 3));
    assert.equal(resultNames(dir).length, 3);
  });
});
