import { LocatedError, type Diagnostic } from '../common/diagnostic.js';

/** Scenario files that do not load: every problem located (`path:line:col`), formatted in the message. */
export class ScenarioLoadError extends LocatedError {
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error'));
  }
}
