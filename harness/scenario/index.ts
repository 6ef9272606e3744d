export { loadScenarioFiles, loadScenarios } from './loader.js';
export type { LoadOptions, LoadResult } from './load-context.js';
export { validateFiles } from './validate-files.js';
export type { ValidateFilesOptions, ValidationReport } from './validate-files.js';
export { validateFilesParallel, AUTO_WORKERS_ABOVE } from './validate-parallel.js';
export type { ParallelOptions } from './validate-parallel.js';
export { findYamlFiles } from './find-files.js';
export { ScenarioLoadError, ScenarioSelectionError, ValidateWorkerError } from './errors.js';
export { scenarioSelector, selectScenarios } from './select-scenarios.js';
export type { ScenarioSelection } from './select-scenarios.js';
export type { Scenario, LoadedStep, ActionName, ActionArgs, Severity } from './scenario.js';
export { interpolate, findVarRefs, walkStrings } from './interpolate.js';
export type { Scope, VarRef } from './interpolate.js';
export { expandMatrix, matrixSize, describeCombination, MAX_MATRIX_COMBINATIONS } from './matrix.js';
export { parseDuration } from './duration.js';
export { amountToMinorUnits } from './amount.js';
export { scenarioSchemaPath, stepsSchemaPath, isStepsFile } from './scenario-schema.js';
export { FIXTURE_SCHEMAS, fixtureSchemaPath, fixtureKindOf } from './fixture-schemas.js';
export type {
  Scenario as ScenarioDocument,
  Step,
  StepsFile,
  Matcher as ScenarioMatcher,
  MessageMatcher,
  Expectation,
  HostRule as ScenarioHostRule,
  NetworkFault,
  DeviceArgs,
  AccountOverride,
  InlineCard,
  BenchOverrides,
  ScalarValue,
} from './scenario-types.js';
