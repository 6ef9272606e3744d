import { packagePath } from '../common/project-root.js';

/** The JSON Schema of the scenario language (single source of truth). */
export function scenarioSchemaPath(): string {
  return (scenarioSchema ??= packagePath('harness', 'scenario', 'scenario.schema.json'));
}
let scenarioSchema: string | undefined;

/** The JSON Schema of `*.steps.yaml` files (reusable step lists for `include`). */
export function stepsSchemaPath(): string {
  return (stepsSchema ??= packagePath('harness', 'scenario', 'steps.schema.json'));
}
let stepsSchema: string | undefined;

/** Included step files are named `*.steps.yaml` (or `.steps.yml`). */
export function isStepsFile(file: string): boolean {
  return /\.steps\.ya?ml$/i.test(file);
}
