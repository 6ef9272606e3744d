/**
 * Validation of a set of YAML files as `payhil validate` does it: scenarios and steps files through the
 * loader (schema + references), fixture files against the schema of their folder.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { sortDiagnostics, sourceLineOf, type Diagnostic } from '../common/diagnostic.js';
import { SchemaLoadError, validateWithSchema } from '../common/schema-check.js';
import { parseYamlText, readYamlFile } from '../common/yaml-file.js';
import { fixtureKindOf, fixtureSchemaPath } from './fixture-schemas.js';
import { checkSchemaLine } from './schema-line.js';
import type { LoadOptions } from './load-context.js';
import { loadScenarioFiles } from './loader.js';
import type { Scenario } from './scenario.js';

export interface ValidationReport {
  diagnostics: Diagnostic[];
  scenarios: Scenario[];
  scenarioFiles: number;
  fixtureFiles: number;
}

export interface ValidateFilesOptions extends LoadOptions {
  /** The schema of a fixture kind (default: the bundled FIXTURE_SCHEMAS). */
  fixtureSchema?: (kind: string) => string | undefined;
}

function validateFixture(
  sources: ReadonlyMap<string, string> | undefined,
  file: string,
  shown: string,
  kind: string,
  schema: string | undefined,
  out: Diagnostic[],
  broken: Set<string>,
): void {
  const given = sources?.get(file);
  const { text, docs, diagnostics } =
    given !== undefined ? { text: given, ...parseYamlText(given, file) } : readYamlFile(file);
  const withLines = (d: Diagnostic): Diagnostic => ({
    ...d,
    file: shown,
    sourceLine: d.sourceLine ?? sourceLineOf(text, d.line),
  });
  out.push(...diagnostics.map(withLines));
  if (diagnostics.length > 0) return;
  const real = docs.filter((d) => d.value !== null);
  if (real.length !== 1) {
    out.push({
      file: shown,
      line: 1,
      col: 1,
      severity: 'error',
      message: `a fixture file holds exactly one YAML document, found ${real.length}`,
    });
    return;
  }
  if (schema) {
    const warning = checkSchemaLine(text, file, shown, schema);
    if (warning) out.push(warning);
  }
  if (!schema) return;
  try {
    out.push(...validateWithSchema(schema, real[0]!, shown).map(withLines));
  } catch (e) {
    if (!(e instanceof SchemaLoadError)) throw e;
    const folder = shown.slice(0, shown.lastIndexOf(kind) + kind.length);
    if (broken.has(folder)) return;
    broken.add(folder);
    out.push({
      file: folder,
      line: 1,
      col: 1,
      severity: 'error',
      message: `cannot check the ${kind} fixtures: ${e.message}`,
    });
  }
}

/**
 * The fixture half of `validateFiles`: fixture files are checked against the schema of their folder, the
 * other files are handed back (absolute) for the loader.
 * @internal
 */
export function validateFixtureFiles(
  files: readonly string[],
  options: ValidateFilesOptions = {},
): { root: string; diagnostics: Diagnostic[]; scenarioFiles: string[]; fixtureFiles: number } {
  const schemaFor = options.fixtureSchema ?? fixtureSchemaPath;
  const root = resolve(options.root ?? process.cwd());
  const show = (f: string) => {
    const rel = relative(root, f);
    return rel.startsWith('..') ? f : rel;
  };
  const diagnostics: Diagnostic[] = [];
  const broken = new Set<string>();
  const scenarioFiles: string[] = [];
  let fixtureFiles = 0;
  for (const f of files) {
    const abs = resolve(root, f);
    const kind = fixtureKindOf(relative(root, abs).startsWith('..') ? abs : relative(root, abs));
    if (kind !== undefined && (existsSync(abs) || options.sources?.has(abs))) {
      fixtureFiles++;
      validateFixture(options.sources, abs, show(abs), kind, schemaFor(kind), diagnostics, broken);
    } else scenarioFiles.push(abs);
  }
  return { root, diagnostics, scenarioFiles, fixtureFiles };
}

/** Validates scenario, steps and fixture files; never throws for bad input. */
export function validateFiles(
  files: readonly string[],
  options: ValidateFilesOptions = {},
): ValidationReport {
  const { root, diagnostics, scenarioFiles, fixtureFiles } = validateFixtureFiles(files, options);
  const { fixtureSchema: _f, ...loadOptions } = options;
  const loaded = loadScenarioFiles(scenarioFiles, { ...loadOptions, root });
  diagnostics.push(...loaded.diagnostics);
  return {
    diagnostics: sortDiagnostics(diagnostics),
    scenarios: loaded.scenarios,
    scenarioFiles: scenarioFiles.length,
    fixtureFiles,
  };
}
