/**
 * Errors of the runner. An expectation that does not hold is a product fault (`failed`); a scenario
 * that ran out of time, or a step the bench could not do, is `broken`; a step that cannot be run as
 * written (unknown card, capture of a missing value) is `usage`.
 */
import { PayhilError } from '../common/payhil-error.js';
import type { FieldMismatch } from '../common/matcher.js';

/** An expectation did not hold: what was expected, the closest candidate, the difference field by field. */
export class ExpectationFailedError extends PayhilError {
  constructor(
    message: string,
    readonly expected: unknown,
    readonly candidate: unknown,
    readonly mismatches: FieldMismatch[],
  ) {
    super('E_EXPECTATION', message, { verdict: 'failed' });
  }
}

/** The scenario (or a step) did not finish in time. */
export class ScenarioTimeoutError extends PayhilError {
  constructor(
    readonly timeoutMs: number,
    readonly what: string,
  ) {
    super('E_TIMEOUT', `${what} did not finish within ${timeoutMs} ms`, { verdict: 'broken' });
  }
}

/**
 * Simulated time only: the scenario waits for something, but nothing is left that could make it happen
 * (no work in flight, no timer but the scenario's own budget). Real time would wait for the budget.
 */
export class NothingLeftError extends PayhilError {
  constructor(readonly step: string) {
    super('E_NOTHING_LEFT', `nothing left to happen while ${step} waits (simulated time)`, {
      verdict: 'broken',
    });
  }
}

/** A step cannot be run as written. */
export class StepError extends PayhilError {
  constructor(
    message: string,
    readonly action: string,
  ) {
    super('E_STEP', message, { verdict: 'usage' });
  }
}

/**
 * A scenario run that did not pass, handed to mocha so that it marks the test: the run's verdict
 * (`failed` or `broken`) and the code of the error that ended it.
 */
export class ScenarioRunError extends PayhilError {
  constructor(
    readonly scenarioId: string,
    verdict: 'failed' | 'broken',
    message: string,
    readonly errorCode: string | undefined,
  ) {
    super('E_SCENARIO_RUN', message, { verdict });
  }
}
