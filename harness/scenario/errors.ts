import { LocatedError, type Diagnostic } from '../common/diagnostic.js';
import { PayhilError } from '../common/payhil-error.js';

/** Scenario files that do not load: every problem located (`path:line:col`), formatted in the message. */
export class ScenarioLoadError extends LocatedError {
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error'));
  }
}

/** A validation worker thread that failed or exited before it finished its batches: a fault of the machine or of payhil, `broken`. */
export class ValidateWorkerError extends PayhilError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super('E_VALIDATE_WORKER', `validate worker: ${detail}`, { verdict: 'broken', ...options });
  }
}

/** A scenario selection that cannot be applied (a `--grep` that is not a regular expression): `usage`. */
export class ScenarioSelectionError extends PayhilError {
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super('E_SCENARIO_SELECTION', `${option}: ${detail}`, { verdict: 'usage' });
  }
}
