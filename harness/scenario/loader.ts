/**
 * Scenario loading: YAML with positions → schema check → reference checks → matrix expansion, include
 * expansion and interpolation → `Scenario[]`. Every problem becomes a located diagnostic; loading never
 * throws for bad input (`loadScenarios` wraps the diagnostics in a ScenarioLoadError).
 *
 * Reference checks beyond the schema: unknown card (neither an alias in `cards` nor a fixture in
 * fixtures/cards/), unknown bench profile, missing include file, include escaping the project root,
 * include cycle, unknown or missing include parameter, undefined `${var}`, capture used before it is
 * set, matrix variable never used, duplicate scenario id, invalid regular expression in a matcher.
 *
 * The parts, one class each, each extending the one before: load-context.ts (shared state, diagnostics,
 * file reading), reference-checks.ts, steps-fragments.ts (steps files as includes see them),
 * step-builder.ts (steps and include expansion), and here the documents and their matrix combinations.
 */
import { dirname, resolve } from 'node:path';
import { validateWithSchema } from '../common/schema-check.js';
import type { YamlDocument } from '../common/yaml-file.js';
import { parseDuration } from './duration.js';
import { ScenarioLoadError } from './errors.js';
import { interpolate } from './interpolate.js';
import { withImpliedRequires } from './implied-requires.js';
import {
  hasRef,
  type LoadOptions,
  type LoadResult,
  type StepContext,
  type StepWalk,
} from './load-context.js';
import { MAX_MATRIX_COMBINATIONS, describeCombination, expandMatrix, matrixSize } from './matrix.js';
import type { Scenario, Severity } from './scenario.js';
import { isStepsFile, scenarioSchemaPath, stepsSchemaPath } from './scenario-schema.js';
import { checkSchemaLine } from './schema-line.js';
import type { InlineCard, ScalarValue, Scenario as ScenarioDoc } from './scenario-types.js';
import { StepBuilder } from './step-builder.js';

/** A file's documents into scenarios: schema check, reference checks, then one scenario per matrix combination. */
class Loader extends StepBuilder {
  loadFile(input: string): void {
    const file = resolve(input);
    const shown = this.display(file);
    const r = this.read(file, false);
    this.texts.set(shown, r.text);
    for (const d of r.diagnostics) this.add({ ...d, file: shown });
    if (r.diagnostics.length === 0 && r.text !== '') {
      const schema = isStepsFile(file) ? stepsSchemaPath() : scenarioSchemaPath();
      const warning = checkSchemaLine(r.text, file, shown, schema);
      if (warning) this.add(warning);
    }
    if (isStepsFile(file)) {
      this.checkStepsFile(file);
      return;
    }
    const docs = r.docs.filter((d) => d.value !== null);
    if (docs.length === 0) {
      if (r.diagnostics.length === 0) {
        this.add({
          file: shown,
          line: 1,
          col: 1,
          severity: 'error',
          message: 'file holds no scenario (no YAML document)',
        });
      }
      return;
    }
    docs.forEach((doc, i) => this.loadDoc(doc, file, shown, docs.length > 1 ? i + 1 : undefined));
  }

  private loadDoc(doc: YamlDocument, file: string, shown: string, nth: number | undefined): void {
    const before = this.errorCount();
    // Values holding ${var} are checked per matrix combination, after interpolation.
    for (const d of validateWithSchema(scenarioSchemaPath(), doc, shown, { skipValue: hasRef })) this.add(d);
    if (this.errorCount() > before) return;
    const raw = doc.value as ScenarioDoc;
    const baseId = raw.id ?? this.deriveId(file, nth);
    const matrix = (raw.matrix ?? {}) as Record<string, ScalarValue[]>;
    const size = matrixSize(matrix);
    if (size > MAX_MATRIX_COMBINATIONS) {
      this.error(
        doc,
        shown,
        ['matrix'],
        `matrix expands to ${size} combinations; at most ${MAX_MATRIX_COMBINATIONS} are allowed`,
      );
      return;
    }
    this.checkRefs(doc, file, shown, raw);
    this.checkMatchers(doc, shown, raw);
    if (this.errorCount() > before) return;

    const combos = expandMatrix(matrix);
    const hasRefs = JSON.stringify(raw).includes('${');
    const { matrix: _m, ...rest } = raw;
    for (const combo of combos) {
      const scope: Record<string, ScalarValue> = { ...combo };
      for (const [k, v] of Object.entries(raw.vars ?? {})) scope[k] = interpolate(v as ScalarValue, scope);
      const value = {
        ...interpolate(rest, scope),
        ...(raw.matrix ? { matrix: raw.matrix } : {}),
      } as ScenarioDoc;
      const where = Object.keys(combo).length ? ` (with ${describeCombination(combo)})` : '';
      if (hasRefs) {
        const proxy: YamlDocument = {
          value,
          index: doc.index,
          locate: (p) => doc.locate(p),
          locateKey: (p) => doc.locateKey(p),
          span: (p, o) => doc.span(p, o),
        };
        const problems = validateWithSchema(scenarioSchemaPath(), proxy, shown);
        for (const d of problems) this.add({ ...d, message: d.message + where });
        if (problems.length > 0) continue;
      }
      const id = Object.keys(combo).length ? `${baseId}[${describeCombination(combo)}]` : baseId;
      const at = { ...doc.locate([]), file: shown };
      const first = this.ids.get(id);
      if (first) {
        this.error(
          doc,
          shown,
          raw.id !== undefined ? ['id'] : [],
          `duplicate scenario id '${id}' (first at ${first.file}:${first.line})`,
        );
        continue;
      }
      this.ids.set(id, at);
      const cards = (value.cards ?? {}) as Record<string, string | InlineCard>;
      this.checkCardAliases(doc, shown, cards);
      this.checkBench(doc, shown, value);
      this.checkReplay(doc, file, shown, value);
      const ctx: StepContext = { aliases: new Set(Object.keys(cards)), captures: [] };
      const errs = this.errorCount();
      const walk: StepWalk = { doc, file, ctx, stack: [file], via: [], where };
      const steps = this.buildSteps(value.steps as unknown[], ['steps'], walk);
      const fin = this.buildSteps((value.finally ?? []) as unknown[], ['finally'], walk);
      if (this.errorCount() > errs) continue;
      const timeoutMs = parseDuration(value.timeout);
      this.scenarios.push({
        id,
        baseId,
        title: value.title ?? id,
        ...(value.description !== undefined ? { description: value.description } : {}),
        tags: value.tags ?? [],
        ...(value.refs?.length ? { refs: value.refs } : {}),
        severity: (value.severity ?? 'normal') as Severity,
        requires: withImpliedRequires(value.requires ?? [], steps, fin),
        bench: value.bench ?? {},
        cards,
        host: {
          rules: value.host?.rules ?? [],
          accounts: (value.host?.accounts ?? {}) as Scenario['host']['accounts'],
          ...(value.host?.replay !== undefined ? { replay: resolve(dirname(file), value.host.replay) } : {}),
        },
        vars: scope,
        params: combo,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        retries: value.retries ?? 0,
        steps,
        finally: fin,
        at: { ...at, file: shown },
        file: shown,
        captures: [...new Set(ctx.captures)],
      });
    }
  }
}

/** Loads scenario files (and `*.steps.yaml` files, which are checked on their own) into scenarios. */
export function loadScenarioFiles(files: readonly string[], options: LoadOptions = {}): LoadResult {
  const loader = new Loader(options);
  for (const f of files) loader.loadFile(f);
  return loader.result();
}

/**
 * One batch of a parallel validation (see validate-parallel.ts): the load result plus what the merge needs
 * to prove that the batches did not interact (the ids they registered, `__proto__` keys).
 * @internal
 */
export function loadScenarioBatch(
  files: readonly string[],
  options: LoadOptions = {},
): LoadResult & { ids: string[]; protoKey: boolean } {
  const loader = new Loader(options);
  for (const f of files) loader.loadFile(f);
  return { ...loader.result(), ids: loader.registeredIds(), protoKey: loader.sawProtoKey() };
}

/** Loads scenario files, or throws ScenarioLoadError with every error located. */
export function loadScenarios(files: readonly string[], options: LoadOptions = {}): Scenario[] {
  const { scenarios, diagnostics } = loadScenarioFiles(files, options);
  if (diagnostics.some((d) => d.severity === 'error')) throw new ScenarioLoadError(diagnostics);
  return scenarios;
}
