/**
 * Runs one expanded scenario on a bench: reset the bench, set up cards, accounts and host rules, run the
 * steps (each a step record), always run `finally`, stop at the scenario timeout. The verdict keeps
 * failed (an expectation did not hold) and broken (the bench could not do its part) apart.
 */
import { stepTitle } from './step-title.js';
import { isPayhilError } from '../common/payhil-error.js';
import { createLogger } from '../common/logger.js';
import { maskPansInText } from '../common/mask.js';
import { freshSeed, scenarioSeed } from '../common/run-seed.js';
import type { Bench } from '../bench/index.js';
import type { HostAccountsSetup } from '../capabilities/index.js';
import type { Dialect } from '../iso8583/index.js';
import { loadDialect } from '../iso8583/index.js';
import type { LoadedStep, Scenario, ScalarValue } from '../scenario/index.js';
import { interpolate } from '../scenario/index.js';
import type { ClockTimer } from '../common/clock.js';
import { NothingLeftError, ScenarioTimeoutError } from './errors.js';
import { newCursor, type ExpectEnv } from './expectations.js';
import { beforeStep, fixtureOf, stepHandlers, type StepContext } from './step-registry.js';
import { Timeline } from './timeline.js';

const debug = createLogger('payhil:runner');

export type Status = 'passed' | 'failed' | 'broken' | 'skipped';

/** One step as reported (Allure step, console). */
export interface StepRecord {
  name: string;
  action: string;
  /** file:line of the step (and of the include sites it came through). */
  at: string;
  status: Status;
  start: number;
  stop: number;
  error?: string;
  children: StepRecord[];
}

export interface ScenarioRun {
  scenario: Scenario;
  status: Status;
  /** Category for reports: product defect, lab fault, timeout, skipped. */
  category?: 'product' | 'lab' | 'timeout' | 'usage' | 'skipped';
  message?: string;
  errorCode?: string;
  /** Stack of the error of a broken run that is not a typed lab or usage fault (a payhil bug). */
  stack?: string;
  start: number;
  stop: number;
  steps: StepRecord[];
  timeline: Timeline;
  captures: Record<string, unknown>;
  /** 1 for the first try. */
  attempt: number;
  /**
   * The run's seed; the scenario drew from `scenarioSeed(seed, scenario.id)` (every attempt the same), so
   * `payhil run FILE --seed SEED --only ID` replays it.
   */
  seed?: number;
  /** The command that replays this run (set on a failed or broken run by runScenarios). */
  replay?: string;
}

export interface RunScenarioOptions {
  /** Default `within` of expectations (ms). Default 5000. */
  defaultWithinMs?: number;
  /** Default window of `none` (ms). Default 500. */
  defaultNoneMs?: number;
  attempt?: number;
  /** The run's seed (default: a fresh one); the scenario draws from `scenarioSeed(seed, id)`. */
  seed?: number;
  /** Called as steps start/end (live console). */
  onStep?: (s: StepRecord, phase: 'start' | 'end') => void;
}

const dialects = new Map<string, Dialect>();
function dialectOf(name: string): Dialect {
  let d = dialects.get(name);
  if (!d) {
    d = loadDialect(name);
    dialects.set(name, d);
  }
  return d;
}

function where(step: LoadedStep): string {
  const chain = [...(step.via ?? []), step.at].map((p) => `${p.file}:${p.line}`);
  return chain.join(' → ');
}

function stepName(step: LoadedStep, args: unknown): string {
  return stepTitle(step.action, args);
}

function classify(e: unknown): {
  status: Status;
  category: ScenarioRun['category'];
  message: string;
  code?: string;
  stack?: string;
} {
  if (e instanceof ScenarioTimeoutError)
    return { status: 'broken', category: 'timeout', message: e.message, code: e.code };
  if (isPayhilError(e)) {
    const stack = bugStack(e);
    if (stack) return { status: 'broken', category: 'lab', message: e.message, code: e.code, stack };
    if (e.verdict === 'failed')
      return { status: 'failed', category: 'product', message: e.message, code: e.code };
    if (e.verdict === 'broken')
      return { status: 'broken', category: 'lab', message: e.message, code: e.code };
    return { status: 'broken', category: 'usage', message: e.message, code: e.code };
  }
  const err = e as Error;
  return {
    status: 'broken',
    category: 'lab',
    message: `internal error: ${err?.message ?? String(e)}`,
    ...(bugStack(e) ? { stack: bugStack(e) } : {}),
  };
}

/**
 * The stack of a payhil bug: an error that is not typed, or a typed one whose verdict is `broken` and
 * whose code says it is internal (an illegal terminal state transition).
 */
function bugStack(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  if (isPayhilError(e) && !INTERNAL_CODES.has(e.code)) return undefined;
  return e.stack;
}

/** Typed errors that are payhil bugs, not lab or usage faults. */
const INTERNAL_CODES: ReadonlySet<string> = new Set(['E_TERMINAL_TRANSITION']);

/** The scenario's cards and accounts as the host needs them (keyed by card fixture name). */
export function hostSetupOf(s: Scenario): HostAccountsSetup {
  const accounts: HostAccountsSetup['accounts'] = {};
  for (const [alias, o] of Object.entries(s.host.accounts)) if (o) accounts[fixtureOf(s, alias)] = o;
  const cardOverrides: HostAccountsSetup['cardOverrides'] = {};
  for (const c of Object.values(s.cards)) {
    if (typeof c === 'string') continue;
    const { extends: base, ...over } = c;
    cardOverrides[base] = { ...(cardOverrides[base] ?? {}), ...over };
  }
  return { accounts, cardOverrides };
}

/** Runs one scenario; never throws for a scenario outcome (it is in the result). */
export async function runScenario(
  scenario: Scenario,
  bench: Bench,
  options: RunScenarioOptions = {},
): Promise<ScenarioRun> {
  const clock = bench.clock;
  const timeline = new Timeline(undefined, clock);
  const run: ScenarioRun = {
    scenario,
    status: 'passed',
    start: clock.now(),
    stop: 0,
    steps: [],
    timeline,
    captures: {},
    attempt: options.attempt ?? 1,
    seed: options.seed ?? freshSeed(),
  };
  const missing = bench.missing(scenario.requires);
  const unserved = missing.length > 0 ? undefined : bench.cannotServe(scenario);
  if (missing.length > 0 || unserved !== undefined) {
    run.status = 'skipped';
    run.category = 'skipped';
    run.message =
      missing.length > 0
        ? `the bench '${bench.name}' lacks ${missing.join(', ')}`
        : `the bench '${bench.name}' cannot serve it: ${unserved}`;
    run.stop = clock.now();
    return run;
  }
  const off = bench.observe((o) => timeline.record(o));
  const abort = new AbortController();
  // A fault a driver reports (a payhil bug in a transaction running in the background) stops the scenario.
  const offFault = bench.onFault((e) => abort.abort(e));
  const timeoutMs = scenario.timeoutMs ?? bench.scenarioTimeoutMs;
  const env: ExpectEnv = {
    timeline,
    dialect: dialectOf(bench.facts.dialect ?? 'cup'),
    cursor: newCursor(),
    terminalStatus: () => bench.get('terminal').status(),
    cardState: () => bench.get('cards').state(),
    defaultWithinMs: options.defaultWithinMs ?? 5000,
    defaultNoneMs: options.defaultNoneMs ?? 500,
    signal: abort.signal,
  };

  // The signal steps obey: the scenario's, then (for `finally`) a fresh one with its own budget.
  let current = abort;
  // Simulated time: when nothing is left that could end a wait, the wait ends broken (not at the budget).
  let waiting = 'the scenario';
  let stopMain: ((e: unknown) => void) | undefined;
  const offStall = clock.onStall(() => {
    const err = new NothingLeftError(waiting);
    if (current === abort) stopMain?.(err);
    current.abort(err);
  });
  const runSteps = async (steps: readonly LoadedStep[], into: StepRecord[]): Promise<void> => {
    for (const step of steps) {
      const signal = current.signal;
      if (signal.aborted) throw signal.reason;
      const args =
        step.action === 'repeat'
          ? step.args
          : interpolate(step.args, run.captures as Record<string, ScalarValue>);
      const rec: StepRecord = {
        name: maskPansInText(stepName(step, args)),
        action: step.action,
        at: where(step),
        status: 'passed',
        start: clock.now(),
        stop: 0,
        children: [],
      };
      into.push(rec);
      waiting = `step '${rec.name}' (${rec.at})`;
      options.onStep?.(rec, 'start');
      timeline.add('step', { name: rec.name, at: rec.at });
      const ctx: StepContext = {
        bench,
        scenario,
        env,
        captures: run.captures,
        signal,
        runSteps: async (nested, label) => {
          const group: StepRecord = {
            name: label,
            action: 'repeat',
            at: rec.at,
            status: 'passed',
            start: clock.now(),
            stop: 0,
            children: [],
          };
          rec.children.push(group);
          try {
            await runSteps(nested, group.children);
          } catch (e) {
            group.status = classify(e).status;
            throw e;
          } finally {
            group.stop = clock.now();
          }
        },
      };
      try {
        beforeStep(ctx, step.action);
        const handler = stepHandlers[step.action];
        await handler(ctx, args as Record<string, unknown> | null, { ...step, args });
      } catch (e) {
        const err = signal.aborted ? (signal.reason as unknown) : e;
        const c = classify(err);
        rec.status = c.status;
        rec.error = c.message;
        throw err;
      } finally {
        rec.stop = clock.now();
        options.onStep?.(rec, 'end');
      }
    }
  };

  let timer: ClockTimer | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    stopMain = reject;
    timer = clock.setTimeout(
      () => {
        const err = new ScenarioTimeoutError(timeoutMs, `scenario ${scenario.id}`);
        abort.abort(err);
        reject(err);
      },
      timeoutMs,
      { guard: true },
    );
  });
  timedOut.catch(() => undefined);
  let failure: unknown;
  try {
    await Promise.race([
      (async () => {
        await bench.beginScenario(scenario, { seed: scenarioSeed(run.seed as number, scenario.id) });
        await bench.get('cards').prepare(scenario.cards);
        if (bench.has('host')) {
          await bench.get('host').reset(hostSetupOf(scenario));
          if (scenario.host.rules.length > 0) await bench.get('host').addRules(scenario.host.rules);
        }
        await runSteps(scenario.steps, run.steps);
      })(),
      timedOut,
    ]);
  } catch (e) {
    failure = e;
  } finally {
    timer?.cancel();
  }
  // A fault reported after the last step still breaks the run.
  if (failure === undefined && abort.signal.aborted) failure = abort.signal.reason;
  // finally steps always run, with their own budget.
  if (scenario.finally.length > 0) {
    const fin: StepRecord = {
      name: 'finally',
      action: 'finally',
      at: `${scenario.file}`,
      status: 'passed',
      start: clock.now(),
      stop: 0,
      children: [],
    };
    run.steps.push(fin);
    const finAbort = new AbortController();
    const finTimer = clock.setTimeout(
      () => finAbort.abort(new ScenarioTimeoutError(bench.stepTimeoutMs, `finally of ${scenario.id}`)),
      bench.stepTimeoutMs,
      { guard: true },
    );
    const saved = env.signal;
    env.signal = finAbort.signal;
    current = finAbort;
    try {
      await runSteps(scenario.finally, fin.children);
    } catch (e) {
      fin.status = classify(e).status;
      fin.error = classify(e).message;
      if (failure === undefined) failure = e;
    } finally {
      finTimer.cancel();
      env.signal = saved;
      fin.stop = clock.now();
    }
  }
  offStall();
  await bench.endScenario().catch(() => undefined);
  off();
  offFault();
  if (failure !== undefined) {
    const c = classify(failure);
    run.status = c.status;
    run.category = c.category;
    run.message = c.message;
    if (c.code) run.errorCode = c.code;
    if (c.stack) run.stack = c.stack;
    debug('%s %s: %s', scenario.id, c.status, c.message);
  }
  run.stop = clock.now();
  return run;
}
