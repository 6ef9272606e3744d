/**
 * Scenarios → programmatic mocha: one suite per scenario folder, one test per expanded scenario, the
 * scenario's retries as mocha retries, `--bail` as mocha's bail. The bench is activated once for the run
 * and reset between scenarios; mocha is disposed at the end, which removes its `process` listeners.
 * Reporters get each scenario's final run (with its steps and timeline) as it ends, and the summary at
 * the end. Every scenario draws from `scenarioSeed(seed, id)` of the run's one seed (common/run-seed.ts).
 * With `retain: 'verdicts'` the summary keeps only each run's verdict (no timeline, steps or captures):
 * reporters stream what they need as runs end, so a long run's memory stays flat.
 */
import Mocha from 'mocha';
import type { Bench } from '../bench/index.js';
import { isPayhilError } from '../common/payhil-error.js';
import { freshSeed } from '../common/run-seed.js';
import { replayCommand } from './replay-command.js';
import type { Scenario } from '../scenario/index.js';
import { epicOf } from '../scenario/epic.js';
import {
  runScenario,
  type RunScenarioOptions,
  type ScenarioRun,
  type Status,
  type StepRecord,
} from './scenario-run.js';
import { ScenarioRunError } from './errors.js';
import { Timeline } from './timeline.js';
import { reserveProcessListener } from './listener-budget.js';

export interface RunInfo {
  bench: Bench;
  scenarios: readonly Scenario[];
  start: number;
  /** The run's seed (absent for a merged run of several processes without one). */
  seed?: number;
}

export interface RunSummary {
  runs: ScenarioRun[];
  counts: Record<Status, number>;
  start: number;
  stop: number;
  /** Set when the bench could not be activated (every scenario is broken). */
  benchError?: string;
  /** The run's seed (absent for a merged run of several processes without one). */
  seed?: number;
}

/** Receives the run as it happens. Errors thrown by a reporter are not the scenario's. */
export interface RunReporter {
  runStart?(info: RunInfo): void | Promise<void>;
  scenarioStart?(scenario: Scenario, attempt: number): void;
  stepEvent?(scenario: Scenario, step: StepRecord, phase: 'start' | 'end'): void;
  scenarioEnd?(run: ScenarioRun): void | Promise<void>;
  runEnd?(summary: RunSummary): void | Promise<void>;
}

export interface RunScenariosOptions extends RunScenarioOptions {
  bench: Bench;
  reporters?: readonly RunReporter[];
  /** Stop after the first scenario that does not pass. */
  bail?: boolean;
  /** Retries for every scenario (a scenario's own `retries` wins when larger). */
  retries?: number;
  /** Leave the bench active at the end (a worker or lab agent that runs one scenario per call). */
  keepActive?: boolean;
  /**
   * What `summary.runs` keeps once the reporters had a run: `runs` (default) the whole run, `verdicts`
   * only its verdict ({@link verdictOf}: no timeline, steps or captures).
   */
  retain?: 'runs' | 'verdicts';
  /** Options of `payhil run` besides file, seed and id that the replay command of a failing run needs. */
  replayArgs?: readonly string[];
}

const EMPTY_TIMELINE = new Timeline(0);
/** How many ended runs the reporters may still be writing when the next scenario starts. */
const ENDED_WINDOW = 4;

/** A run without its timeline, steps and captures: what a summary needs (verdict, message, times). */
export function verdictOf(run: ScenarioRun): ScenarioRun {
  return { ...run, steps: [], timeline: EMPTY_TIMELINE, captures: {} };
}

export { epicOf };

function counts(runs: readonly ScenarioRun[]): Record<Status, number> {
  const c: Record<Status, number> = { passed: 0, failed: 0, broken: 0, skipped: 0 };
  for (const r of runs) c[r.status]++;
  return c;
}

async function each(
  reporters: readonly RunReporter[],
  f: (r: RunReporter) => void | Promise<void>,
): Promise<void> {
  for (const r of reporters) {
    try {
      await f(r);
    } catch {
      // A reporter's trouble is not the scenario's.
    }
  }
}

/** A run of `s` that never started because the bench is down. */
function brokenRun(s: Scenario, message: string, code?: string): ScenarioRun {
  const now = Date.now();
  return {
    scenario: s,
    status: 'broken',
    category: 'lab',
    message,
    ...(code ? { errorCode: code } : {}),
    start: now,
    stop: now,
    steps: [],
    timeline: new Timeline(now),
    captures: {},
    attempt: 1,
  };
}

/**
 * Lets mocha drop a test that has ended (and the tries it retried): off its suite's list (the runner
 * works on its own copy of the list) and out of the runner's table of the `error` listener it adds per
 * test. Otherwise mocha holds about 1.5 KiB per test until it is disposed. Runs after mocha's own
 * `test end` handler, which puts a retry's clone in place of the test it retried.
 */
function forget(runner: Mocha.Runner, test: Mocha.Test): void {
  const table = (runner as unknown as { _eventListeners?: Map<unknown, unknown> })._eventListeners;
  type Tried = Mocha.Test & { retriedTest(): Tried | undefined };
  for (let t: Tried | undefined = test as Tried; t; t = t.retriedTest()) {
    table?.delete(t);
    t.removeAllListeners('error');
    const list = t.parent?.tests;
    const at = list ? list.indexOf(t) : -1;
    if (list && at >= 0) list.splice(at, 1);
  }
}

/** Runs the scenarios through mocha on the bench; resolves with every final run. */
export async function runScenarios(
  scenarios: readonly Scenario[],
  options: RunScenariosOptions,
): Promise<RunSummary> {
  const { bench } = options;
  const reporters = options.reporters ?? [];
  const start = Date.now();
  const seed = options.seed ?? freshSeed();
  const runs: ScenarioRun[] = [];
  const keep = (run: ScenarioRun): ScenarioRun => (options.retain === 'verdicts' ? verdictOf(run) : run);
  await each(reporters, (r) => r.runStart?.({ bench, scenarios, start, seed }));
  try {
    await bench.activate();
  } catch (e) {
    const message = `bench '${bench.name}' could not start: ${(e as Error).message}`;
    for (const s of scenarios) {
      const run: ScenarioRun = { ...brokenRun(s, message, isPayhilError(e) ? e.code : undefined), seed };
      await each(reporters, (r) => r.scenarioEnd?.(run));
      runs.push(keep(run));
    }
    const summary: RunSummary = {
      runs,
      counts: counts(runs),
      start,
      stop: Date.now(),
      benchError: message,
      seed,
    };
    await each(reporters, (r) => r.runEnd?.(summary));
    return summary;
  }

  const mocha = new Mocha({
    reporter: class {} as unknown as Mocha.ReporterConstructor,
    bail: options.bail ?? false,
    timeout: 0,
  });
  const suites = new Map<string, Mocha.Suite>();
  const latest = new Map<Scenario, ScenarioRun>();
  const attempts = new Map<Scenario, number>();
  // By title: mocha runs a clone of the test on a retry.
  const byTest = new Map<string, Scenario>();
  // The reporters' work on each ended run (a reporter may finish it later, e.g. over the network): a
  // scenario starts only when the run ENDED_WINDOW before it is done, so a slow reporter holds the run
  // back instead of memory.
  const ended: Promise<void>[] = [];
  for (const s of scenarios) {
    const epic = epicOf(s);
    let suite = suites.get(epic);
    if (!suite) {
      suite = Mocha.Suite.create(mocha.suite, epic);
      suites.set(epic, suite);
    }
    const test = new Mocha.Test(`${s.id}: ${s.title}`, async () => {
      await ended[ended.length - ENDED_WINDOW];
      const attempt = (attempts.get(s) ?? 0) + 1;
      attempts.set(s, attempt);
      for (const r of reporters) r.scenarioStart?.(s, attempt);
      const run = await runScenario(s, bench, {
        ...options,
        seed,
        attempt,
        onStep: (step, phase) => {
          for (const r of reporters) r.stepEvent?.(s, step, phase);
        },
      });
      if (run.status === 'failed' || run.status === 'broken') {
        const replay = replayCommand(run, options.replayArgs);
        if (replay !== undefined) run.replay = replay;
      }
      latest.set(s, run);
      if (run.status === 'failed' || run.status === 'broken')
        throw new ScenarioRunError(s.id, run.status, run.message ?? run.status, run.errorCode);
    });
    // addTest copies the suite's retries and timeout onto the test: set ours after it.
    suite.addTest(test);
    test.retries(Math.max(s.retries, options.retries ?? 0));
    test.timeout(0);
    byTest.set(test.title, s);
  }
  // The mocha Runner adds an uncaughtException and an unhandledRejection listener on `process` for the
  // run; dispose() removes them (otherwise every run in a process leaves two behind).
  const release = reserveProcessListener();
  try {
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('test end', (test: Mocha.Test) => {
        forget(runner, test);
        const s = byTest.get(test.title);
        const run = s && latest.get(s);
        if (!run) return;
        latest.delete(s);
        const at = runs.length;
        runs.push(run);
        ended.push(
          each(reporters, (r) => r.scenarioEnd?.(run)).then(() => {
            runs[at] = keep(run);
          }),
        );
      });
    });
  } finally {
    mocha.dispose();
    release();
  }
  await Promise.all(ended);
  if (!options.keepActive) await bench.deactivate();
  const summary: RunSummary = { runs, counts: counts(runs), start, stop: Date.now(), seed };
  await each(reporters, (r) => r.runEnd?.(summary));
  return summary;
}
