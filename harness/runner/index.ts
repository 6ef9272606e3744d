// Curated public API of harness/runner: timeline, expectations, step registry, scenario runs, mocha runs.
export { Timeline } from './timeline.js';
export type { TimelineEntry, TimelineMessage, HostExchange } from './timeline.js';
export {
  checkExpectation,
  readCaptureSource,
  readMessage,
  newCursor,
  advanceCursor,
  formatMessage,
  withinOf,
} from './expectations.js';
export type { Cursor, ExpectEnv } from './expectations.js';
export { stepHandlers, toNetworkInput, fixtureOf, OBSERVING_ACTIONS } from './step-registry.js';
export type { StepContext, StepHandler } from './step-registry.js';
export { runScenario, hostSetupOf } from './scenario-run.js';
export type { ScenarioRun, StepRecord, Status, RunScenarioOptions } from './scenario-run.js';
export { runScenarios, epicOf, verdictOf } from './run-scenarios.js';
export { replayCommand, shellWord } from './replay-command.js';
export type { RunReporter, RunInfo, RunSummary, RunScenariosOptions } from './run-scenarios.js';
export { ExpectationFailedError, ScenarioTimeoutError, StepError, ScenarioRunError } from './errors.js';
