/**
 * Scenario loading: YAML with positions → schema check → reference checks → matrix expansion, include
 * expansion and interpolation → `Scenario[]`. Every problem becomes a located diagnostic; loading never
 * throws for bad input (`loadScenarios` wraps the diagnostics in a ScenarioLoadError).
 *
 * Reference checks beyond the schema: unknown card (neither an alias in `cards` nor a fixture in
 * fixtures/cards/), unknown bench profile, missing include file, include escaping the project root,
 * include cycle, unknown or missing include parameter, undefined `${var}`, capture used before it is
 * set, matrix variable never used, duplicate scenario id, invalid regular expression in a matcher.
 */
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import {
  didYouMean,
  sortDiagnostics,
  sourceLineOf,
  type Diagnostic,
  type SourcePos,
} from '../common/diagnostic.js';
import { checkMatcher } from '../common/matcher.js';
import { packagePath } from '../common/project-root.js';
import { validateWithSchema } from '../common/schema-check.js';
import {
  MAX_YAML_BYTES,
  parseYamlText,
  readYamlFile,
  type YamlDocument,
  type YamlPath,
} from '../common/yaml-file.js';
import { parseDuration } from './duration.js';
import { ScenarioLoadError } from './errors.js';
import { findVarRefs, interpolate, walkStrings, type Scope } from './interpolate.js';
import { MAX_MATRIX_COMBINATIONS, describeCombination, expandMatrix, matrixSize } from './matrix.js';
import type { ActionName, LoadedStep, Scenario, Severity } from './scenario.js';
import { isStepsFile, scenarioSchemaPath, stepsSchemaPath } from './scenario-schema.js';
import { checkSchemaLine } from './schema-line.js';
import type { InlineCard, ScalarValue, Scenario as ScenarioDoc, StepsFile } from './scenario-types.js';

export interface LoadOptions {
  /** Project root: ids derive from paths under `<root>/scenarios`; includes may not leave it. Default: cwd. */
  root?: string;
  /**
   * Folders holding fixtures by kind (`cards/`, `terminals/`, `hosts/`, `dialects/`, `labs/`).
   * Default: `<root>/fixtures` and payhil's bundled `fixtures/`.
   */
  fixtureRoots?: string[];
  /**
   * File contents to use instead of what is on disk (absolute path → text): unsaved editor buffers,
   * generated or mutated files in tests.
   */
  sources?: ReadonlyMap<string, string>;
}

export interface LoadResult {
  scenarios: Scenario[];
  /** Errors and warnings, each with its source line filled in. */
  diagnostics: Diagnostic[];
}

const CARD_ACTIONS = new Set<string>(['insert', 'tap', 'swipe', 'remove']);
const BENCH_KINDS: Record<string, string> = {
  terminal: 'terminals',
  host: 'hosts',
  dialect: 'dialects',
  lab: 'labs',
};

type Raw = Record<string, unknown>;

interface Fragment {
  file: string;
  doc?: YamlDocument;
  value?: StepsFile;
  ok: boolean;
  captures: string[];
}

interface StepContext {
  /** Card aliases of the scenario; null when checking a steps file on its own (no card checks). */
  aliases: Set<string> | null;
  /** Names set by capture steps so far (collected while building). */
  captures: string[];
}

/** Where a list of steps is being built: carried down through repeats and includes. */
interface StepWalk {
  /** The document (and its file) the steps stand in. */
  doc: YamlDocument;
  file: string;
  ctx: StepContext;
  /** Files being expanded, the scenario first: an include of one of them is a cycle. */
  stack: string[];
  /** The include steps that led here, outermost first. */
  via: SourcePos[];
  /** The matrix combination, for errors (` (with …)`, or empty). */
  where: string;
}

/**
 * Parsed steps files, by path and content: the same fragment included from many scenarios (or loaded by
 * many loaders, as the fuzz test and the benchmark do) is parsed once. Keyed by content, so an edited file
 * is parsed again.
 */
const fragmentCache = new Map<string, ReturnType<typeof readYamlFile>>();

function readFragment(file: string): ReturnType<typeof readYamlFile> {
  let text: string;
  try {
    if (statSync(file).size > MAX_YAML_BYTES) return readYamlFile(file);
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return readYamlFile(file);
  }
  const key = `${file}\0${text}`;
  const hit = fragmentCache.get(key);
  if (hit) return hit;
  const parsed = { text, ...parseYamlText(text, file) };
  if (fragmentCache.size >= 256) fragmentCache.delete(fragmentCache.keys().next().value as string);
  fragmentCache.set(key, parsed);
  return parsed;
}

const hasRef = (v: unknown): boolean => typeof v === 'string' && v.includes('${');

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return (
    rel === '' ||
    (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel))
  );
}

function stepEntry(step: unknown): [ActionName, unknown] | undefined {
  if (!step || typeof step !== 'object' || Array.isArray(step)) return undefined;
  const entries = Object.entries(step);
  return entries.length === 1 ? (entries[0] as [ActionName, unknown]) : undefined;
}

class Loader {
  readonly root: string;
  private readonly fixtureRoots: string[];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private errors = 0;
  private readonly texts = new Map<string, string>();
  private readonly fragments = new Map<string, Fragment>();
  private readonly fixtureCache = new Map<string, Set<string>>();
  private readonly ids = new Map<string, SourcePos>();
  private readonly resolved = new Map<string, Fragment | undefined>();
  private readonly isFile = new Map<string, boolean>();
  private readonly shownAs = new Map<string, string>();
  readonly scenarios: Scenario[] = [];
  private readonly sources: ReadonlyMap<string, string>;
  private realRoot: string | undefined;

  constructor(options: LoadOptions) {
    this.root = resolve(options.root ?? process.cwd());
    this.sources = options.sources ?? new Map();
    this.fixtureRoots = [
      ...new Set(
        (options.fixtureRoots ?? [join(this.root, 'fixtures'), packagePath('fixtures')]).map((r) =>
          resolve(r),
        ),
      ),
    ];
  }

  private add(d: Diagnostic): void {
    const key = `${d.file}:${d.line}:${d.col}:${d.severity}:${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
    if (d.severity === 'error') this.errors++;
  }

  private error(
    doc: YamlDocument,
    file: string,
    path: YamlPath,
    message: string,
    extra: { hint?: string | undefined; key?: boolean } = {},
  ): void {
    const span = doc.span(path, { key: extra.key ?? false });
    this.add({
      ...span.pos,
      file,
      severity: 'error',
      message,
      length: span.length,
      ...(extra.hint ? { hint: extra.hint } : {}),
    });
  }

  private errorAtKey(doc: YamlDocument, file: string, path: YamlPath, message: string, hint?: string): void {
    this.error(doc, file, path, message, { hint, key: true });
  }

  /** Points at `${name}` inside the scalar when the source shows it on the scalar's first line. */
  private errorAtRef(
    doc: YamlDocument,
    file: string,
    path: YamlPath,
    ref: string,
    message: string,
    hint?: string,
  ): void {
    const span = doc.span(path);
    const firstLine = span.source.split(/\r?\n/, 1)[0] ?? '';
    const i = firstLine.indexOf(ref);
    const pos = i >= 0 ? { ...span.pos, col: span.pos.col + i } : span.pos;
    this.add({
      ...pos,
      file,
      severity: 'error',
      message,
      length: i >= 0 ? ref.length : span.length,
      ...(hint ? { hint } : {}),
    });
  }

  private read(file: string, cached: boolean): ReturnType<typeof readYamlFile> {
    const text = this.sources.get(file);
    if (text !== undefined) return { text, ...parseYamlText(text, file) };
    return cached ? readFragment(file) : readYamlFile(file);
  }

  /**
   * Where `file` really is when a symbolic link on its way leads out of the root (undefined when it stays
   * inside, is given in memory, or does not exist: that is reported as not found).
   */
  private linkedOutside(file: string): string | undefined {
    if (this.sources.has(file) || !existsSync(file)) return undefined;
    let real: string;
    try {
      this.realRoot ??= realpathSync(this.root);
      real = realpathSync(file);
    } catch {
      return undefined;
    }
    return isInside(this.realRoot, real) ? undefined : real;
  }

  private exists(file: string): boolean {
    // One answer per file and load: an include named by every scenario is looked up once.
    let is = this.isFile.get(file);
    if (is === undefined) {
      is = this.sources.has(file) || (existsSync(file) && statSync(file).isFile());
      this.isFile.set(file, is);
    }
    return is;
  }

  /** Every scenario id registered so far (including combinations that failed later checks), in order. */
  registeredIds(): string[] {
    return [...this.ids.keys()];
  }

  /** True when a file read so far holds `__proto__` (its values must not cross a thread boundary). */
  sawProtoKey(): boolean {
    for (const t of this.texts.values()) if (t.includes('__proto__')) return true;
    return false;
  }

  result(): LoadResult {
    for (const d of this.diagnostics) {
      if (d.sourceLine === undefined) {
        const text = this.texts.get(d.file);
        if (text !== undefined) d.sourceLine = sourceLineOf(text, d.line);
      }
    }
    return { scenarios: this.scenarios, diagnostics: sortDiagnostics(this.diagnostics) };
  }

  fixtureNames(kind: string): Set<string> {
    let names = this.fixtureCache.get(kind);
    if (names) return names;
    names = new Set();
    for (const r of this.fixtureRoots) {
      const dir = join(r, kind);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (/\.ya?ml$/.test(f)) names.add(f.replace(/\.ya?ml$/, ''));
    }
    this.fixtureCache.set(kind, names);
    return names;
  }

  private display(file: string): string {
    let shown = this.shownAs.get(file);
    if (shown === undefined) {
      shown = isInside(this.root, file) ? relative(this.root, file) || basename(file) : file;
      this.shownAs.set(file, shown);
    }
    return shown;
  }

  deriveId(file: string, nth: number | undefined): string {
    const scenariosDir = join(this.root, 'scenarios');
    const base = isInside(scenariosDir, file)
      ? relative(scenariosDir, file)
      : isInside(this.root, file)
        ? relative(this.root, file)
        : basename(file);
    const id = base
      .split(sep)
      .join('/')
      .replace(/\.ya?ml$/i, '');
    return nth === undefined ? id : `${id}#${nth}`;
  }

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
        requires: value.requires ?? [],
        bench: value.bench ?? {},
        cards,
        host: {
          rules: value.host?.rules ?? [],
          accounts: (value.host?.accounts ?? {}) as Scenario['host']['accounts'],
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

  private errorCount(): number {
    return this.errors;
  }

  /** Undefined `${var}`, captures used before they are set, matrix variables never used. */
  private checkRefs(doc: YamlDocument, file: string, shown: string, raw: ScenarioDoc): void {
    const used = new Set<string>();
    const defined = new Set<string>(Object.keys(raw.matrix ?? {}));
    const check = (value: unknown, path: YamlPath, names: Set<string>, later?: Set<string>) =>
      walkStrings(value, (text, sub) => {
        for (const ref of findVarRefs(text)) {
          used.add(ref.name);
          if (names.has(ref.name)) continue;
          const full = [...path, ...sub];
          const token = text.slice(ref.index, ref.index + ref.length);
          if (later?.has(ref.name)) {
            this.errorAtRef(
              doc,
              shown,
              full,
              token,
              `'${ref.name}' is used before the step that captures it`,
            );
          } else {
            const near = didYouMean(ref.name, names);
            this.errorAtRef(
              doc,
              shown,
              full,
              token,
              `undefined variable '${ref.name}'`,
              near
                ? `did you mean '${near}'?`
                : 'define it in vars or matrix, or set it with a capture step before',
            );
          }
        }
      });
    for (const [k, v] of Object.entries(raw.vars ?? {})) {
      check(v, ['vars', k], defined);
      defined.add(k);
    }
    for (const [k, v] of Object.entries(raw)) {
      if (k === 'vars' || k === 'matrix' || k === 'steps' || k === 'finally') continue;
      check(v, [k], defined);
    }
    const allCaptures = new Set<string>();
    this.collectCaptures(raw.steps as unknown[], file, allCaptures);
    this.collectCaptures((raw.finally ?? []) as unknown[], file, allCaptures);
    const scope = new Set(defined);
    this.walkStepRefs(raw.steps as unknown[], ['steps'], file, scope, allCaptures, check);
    this.walkStepRefs((raw.finally ?? []) as unknown[], ['finally'], file, scope, allCaptures, check);
    for (const name of Object.keys(raw.matrix ?? {})) {
      if (!used.has(name)) {
        this.errorAtKey(
          doc,
          shown,
          ['matrix', name],
          `matrix variable '${name}' is never used: every combination would run the same scenario`,
          `refer to it as \${${name}} in a step or the title, or remove it`,
        );
      }
    }
  }

  private walkStepRefs(
    steps: unknown[],
    path: YamlPath,
    file: string,
    scope: Set<string>,
    allCaptures: Set<string>,
    check: (value: unknown, path: YamlPath, names: Set<string>, later?: Set<string>) => void,
  ): void {
    steps.forEach((step, i) => {
      const entry = stepEntry(step);
      if (!entry) return;
      const [action, args] = entry;
      const p = [...path, i, action];
      if (action === 'repeat' && args && typeof args === 'object') {
        const { steps: inner, ...other } = args as Raw;
        check(other, p, scope, allCaptures);
        this.walkStepRefs((inner ?? []) as unknown[], [...p, 'steps'], file, scope, allCaptures, check);
        return;
      }
      check(args, p, scope, allCaptures);
      if (action === 'capture' && args && typeof args === 'object')
        for (const k of Object.keys(args)) scope.add(k);
      if (action === 'include' && args && typeof args === 'object') {
        const frag = this.fragmentFor(file, (args as Raw).file);
        for (const c of frag?.captures ?? []) scope.add(c);
      }
    });
  }

  private collectCaptures(steps: unknown[], file: string, out: Set<string>): void {
    for (const step of steps) {
      const entry = stepEntry(step);
      if (!entry) continue;
      const [action, args] = entry;
      if (!args || typeof args !== 'object') continue;
      if (action === 'capture') for (const k of Object.keys(args)) out.add(k);
      if (action === 'repeat') this.collectCaptures(((args as Raw).steps ?? []) as unknown[], file, out);
      if (action === 'include')
        for (const c of this.fragmentFor(file, (args as Raw).file)?.captures ?? []) out.add(c);
    }
  }

  /** Regular expressions in matchers must compile (the schema cannot tell). */
  private checkMatchers(doc: YamlDocument, shown: string, raw: unknown): void {
    walkStrings(raw, (text, path) => {
      if (text.startsWith('/') && text.length > 2) {
        const problem = checkMatcher(text);
        if (problem) this.error(doc, shown, path, problem);
      }
    });
  }

  private checkCardAliases(
    doc: YamlDocument,
    shown: string,
    cards: Record<string, string | InlineCard>,
  ): void {
    const fixtures = this.fixtureNames('cards');
    for (const [alias, card] of Object.entries(cards)) {
      const name = typeof card === 'string' ? card : card.extends;
      const path = typeof card === 'string' ? ['cards', alias] : ['cards', alias, 'extends'];
      if (name.includes('${') || fixtures.has(name)) continue;
      const near = didYouMean(name, fixtures);
      this.error(doc, shown, path, `unknown card fixture '${name}' (no fixtures/cards/${name}.yaml)`, {
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      });
    }
  }

  private checkBench(doc: YamlDocument, shown: string, value: ScenarioDoc): void {
    for (const [key, kind] of Object.entries(BENCH_KINDS)) {
      const name = (value.bench as Record<string, string> | undefined)?.[key];
      if (name === undefined) continue;
      const names = this.fixtureNames(kind);
      if (names.size === 0 || names.has(name)) continue;
      const near = didYouMean(name, names);
      this.error(
        doc,
        shown,
        ['bench', key],
        `unknown ${key} profile '${name}' (no fixtures/${kind}/${name}.yaml)`,
        {
          ...(near ? { hint: `did you mean '${near}'?` } : {}),
        },
      );
    }
  }

  private checkCard(
    doc: YamlDocument,
    shown: string,
    path: YamlPath,
    card: unknown,
    ctx: StepContext,
    where: string,
  ): void {
    if (typeof card !== 'string' || card.includes('${') || ctx.aliases === null) return;
    if (ctx.aliases.has(card)) return;
    const fixtures = this.fixtureNames('cards');
    if (fixtures.has(card)) return;
    const near = didYouMean(card, [...ctx.aliases, ...fixtures]);
    this.error(
      doc,
      shown,
      path,
      `unknown card '${card}': neither an alias in cards nor a fixture in fixtures/cards/${where}`,
      {
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      },
    );
  }

  private buildSteps(list: unknown[], path: YamlPath, walk: StepWalk): LoadedStep[] {
    const { doc, file, ctx, via, where } = walk;
    const shown = this.display(file);
    const out: LoadedStep[] = [];
    list.forEach((step, i) => {
      const entry = stepEntry(step);
      if (!entry) return;
      const [action, args] = entry;
      const p = [...path, i, action];
      const at = { ...doc.locateKey(p), file: shown };
      if (action === 'include') {
        out.push(...this.expandInclude(args as Raw, p, { ...walk, via: [...via, at] }));
        return;
      }
      let steps: LoadedStep[] | undefined;
      if (action === 'repeat') {
        steps = this.buildSteps(((args as Raw).steps ?? []) as unknown[], [...p, 'steps'], walk);
      }
      if (action === 'capture' && args && typeof args === 'object') ctx.captures.push(...Object.keys(args));
      if (CARD_ACTIONS.has(action) && args && typeof args === 'object') {
        this.checkCard(doc, shown, [...p, 'card'], (args as Raw).card, ctx, where);
      }
      out.push({
        action,
        args: args ?? null,
        at,
        ...(via.length ? { via } : {}),
        ...(steps ? { steps } : {}),
      });
    });
    return out;
  }

  private resolveInclude(from: string, target: unknown): string | undefined {
    return typeof target === 'string' ? resolve(dirname(from), target) : undefined;
  }

  /** The parsed steps file an include names, if it resolves inside the root and exists. */
  private fragmentFor(from: string, target: unknown): Fragment | undefined {
    const key = `${from}\0${String(target)}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const frag = this.findFragment(from, target);
    this.resolved.set(key, frag);
    return frag;
  }

  private findFragment(from: string, target: unknown): Fragment | undefined {
    const abs = this.resolveInclude(from, target);
    if (
      !abs ||
      !isStepsFile(abs) ||
      !isInside(this.root, abs) ||
      !this.exists(abs) ||
      this.linkedOutside(abs) !== undefined
    ) {
      return undefined;
    }
    return this.fragment(abs);
  }

  private fragment(file: string): Fragment {
    const hit = this.fragments.get(file);
    if (hit) return hit;
    const frag: Fragment = { file, ok: false, captures: [] };
    this.fragments.set(file, frag);
    const shown = this.display(file);
    const r = this.read(file, true);
    this.texts.set(shown, r.text);
    for (const d of r.diagnostics) this.add({ ...d, file: shown });
    const docs = r.docs.filter((d) => d.value !== null);
    if (r.diagnostics.length > 0) return frag;
    if (docs.length !== 1) {
      this.add({
        file: shown,
        line: 1,
        col: 1,
        severity: 'error',
        message: `a steps file holds exactly one YAML document, found ${docs.length}`,
      });
      return frag;
    }
    const doc = docs[0] as YamlDocument;
    const problems = validateWithSchema(stepsSchemaPath(), doc, shown, { skipValue: hasRef });
    for (const d of problems) this.add(d);
    if (problems.length > 0) return frag;
    const value = doc.value as StepsFile;
    frag.doc = doc;
    frag.value = value;
    const before = this.errorCount();
    const captures = new Set<string>();
    this.collectCaptures(value.steps as unknown[], file, captures);
    frag.captures = [...captures];
    const params = new Set(Object.keys(value.params ?? {}));
    const check = (v: unknown, path: YamlPath, names: Set<string>, later?: Set<string>) =>
      walkStrings(v, (text, sub) => {
        for (const ref of findVarRefs(text)) {
          if (names.has(ref.name)) continue;
          const token = text.slice(ref.index, ref.index + ref.length);
          const near = didYouMean(ref.name, names);
          this.errorAtRef(
            doc,
            shown,
            [...path, ...sub],
            token,
            later?.has(ref.name)
              ? `'${ref.name}' is used before the step that captures it`
              : `undefined variable '${ref.name}' in a steps file`,
            near
              ? `did you mean '${near}'?`
              : later?.has(ref.name)
                ? undefined
                : `declare it under params and pass it with 'with'`,
          );
        }
      });
    this.walkStepRefs(value.steps as unknown[], ['steps'], file, params, captures, check);
    this.checkMatchers(doc, shown, value);
    frag.ok = this.errorCount() === before;
    return frag;
  }

  private checkStepsFile(file: string): void {
    const frag = this.fragment(file);
    if (!frag.ok || !frag.doc || !frag.value) return;
    const scope: Record<string, ScalarValue> = {};
    for (const [k, v] of Object.entries(frag.value.params ?? {}))
      if (v !== null && v !== undefined) scope[k] = v;
    const steps = interpolate(frag.value.steps, scope) as unknown[];
    const ctx: StepContext = { aliases: null, captures: [] };
    this.buildSteps(steps, ['steps'], { doc: frag.doc, file, ctx, stack: [file], via: [], where: '' });
  }

  private expandInclude(args: Raw, path: YamlPath, walk: StepWalk): LoadedStep[] {
    const { doc, file, stack } = walk;
    const shown = this.display(file);
    const target = this.resolveInclude(file, args.file);
    if (!target) return [];
    if (!isInside(this.root, target)) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `include '${String(args.file)}' escapes the project root ${this.root}`,
      );
      return [];
    }
    const real = this.linkedOutside(target);
    if (real !== undefined) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `include '${String(args.file)}' is a symbolic link (or passes through one) to ${real}, outside the project root ${this.root}`,
      );
      return [];
    }
    if (stack.includes(target)) {
      const cycle = [...stack.slice(stack.indexOf(target)), target].map((f) => this.display(f)).join(' → ');
      this.error(doc, shown, [...path, 'file'], `include cycle: ${cycle}`);
      return [];
    }
    if (!this.exists(target)) {
      const dir = dirname(target);
      const near = existsSync(dir)
        ? didYouMean(
            basename(target),
            readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)),
          )
        : undefined;
      this.error(doc, shown, [...path, 'file'], `include file not found: ${this.display(target)}`, {
        ...(near ? { hint: `did you mean '${near}'?` } : {}),
      });
      return [];
    }
    if (!isStepsFile(target)) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `an included file must be a steps file named *.steps.yaml, not ${basename(target)}`,
      );
      return [];
    }
    const frag = this.fragment(target);
    if (!frag.ok || !frag.doc || !frag.value) {
      this.error(
        doc,
        shown,
        [...path, 'file'],
        `included file ${this.display(target)} has errors (reported there)`,
      );
      return [];
    }
    const params = frag.value.params ?? {};
    const given = (args.with ?? {}) as Record<string, ScalarValue>;
    let bad = false;
    for (const k of Object.keys(given)) {
      if (Object.hasOwn(params, k)) continue;
      const near = didYouMean(k, Object.keys(params));
      const takes = Object.keys(params).length
        ? `it takes: ${Object.keys(params).join(', ')}`
        : 'it takes no parameters';
      this.errorAtKey(
        doc,
        shown,
        [...path, 'with', k],
        `unknown parameter '${k}' for ${this.display(target)}`,
        near ? `did you mean '${near}'?` : takes,
      );
      bad = true;
    }
    for (const [k, def] of Object.entries(params)) {
      if (def === null && !Object.hasOwn(given, k)) {
        this.error(
          doc,
          shown,
          path,
          `missing parameter '${k}' for ${this.display(target)} (pass it in 'with')`,
        );
        bad = true;
      }
    }
    if (bad) return [];
    const scope: Scope = {
      ...(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null)) as Scope),
      ...given,
    };
    const steps = interpolate(frag.value.steps, scope) as unknown[];
    return this.buildSteps(steps, ['steps'], {
      ...walk,
      doc: frag.doc,
      file: target,
      stack: [...stack, target],
    });
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
