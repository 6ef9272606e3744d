import { PayhilError } from '../../common/payhil-error.js';

/**
 * Errors of the operator driver. An operator who cannot be asked (no terminal, CI) or who does not
 * answer in time is a lab fault: verdict `broken`.
 */
export class OperatorError extends PayhilError {
  /** The question (with any PIN left out). */
  readonly prompt: string;
  constructor(code: string, prompt: string, message: string, cause?: unknown) {
    super(code, message, { verdict: 'broken', cause });
    this.prompt = prompt;
  }
}

/** The run is not interactive (stdin or stdout is not a TTY, or CI is set): nobody can answer. */
export class OperatorUnavailableError extends OperatorError {
  readonly reason: string;
  constructor(prompt: string, reason: string) {
    super(
      'E_OPERATOR_UNAVAILABLE',
      prompt,
      `operator needed for '${prompt}' but this run is not interactive (${reason}); run on a terminal, or use a bench without an operator`,
    );
    this.reason = reason;
  }
}

/** The operator did not answer within the timeout. */
export class OperatorTimeoutError extends OperatorError {
  readonly timeoutMs: number;
  constructor(prompt: string, timeoutMs: number) {
    super('E_OPERATOR_TIMEOUT', prompt, `operator did not answer '${prompt}' within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The operator said the step could not be done (answered "no" / "fail" to a confirmation). */
export class OperatorDeclinedError extends OperatorError {
  readonly answer: string;
  constructor(prompt: string, answer: string) {
    super('E_OPERATOR_DECLINED', prompt, `operator could not do '${prompt}' (answered '${answer}')`);
    this.answer = answer;
  }
}

/** A capability call while the driver is not active. */
export class OperatorInactiveError extends OperatorError {
  constructor(prompt: string) {
    super('E_DRIVER_INACTIVE', prompt, `operator driver is not active ('${prompt}')`);
  }
}
