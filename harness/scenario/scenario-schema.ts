import { packagePath } from '../common/project-root.js';

/** The JSON Schema of the scenario language (single source of truth). */
export function scenarioSchemaPath(): string {
  return packagePath('harness', 'scenario', 'scenario.schema.json');
}

/** The JSON Schema of `*.steps.yaml` files (reusable step lists for `include`). */
export function stepsSchemaPath(): string {
  return packagePath('harness', 'scenario', 'steps.schema.json');
}

/** Included step files are named `*.steps.yaml` (or `.steps.yml`). */
export function isStepsFile(file: string): boolean {
  return /\.steps\.ya?ml$/i.test(file);
}
