/**
 * The state one scenario load shares across its parts (reference checks, steps files, step building,
 * matrix expansion): diagnostics, file reading and the names and ids known so far.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { sortDiagnostics, sourceLineOf, type Diagnostic, type SourcePos } from '../common/diagnostic.js';
import { packFixtureDirs } from '../common/fixture-search.js';
import { packagePath } from '../common/project-root.js';
import { parseYamlText, readYamlFile, type YamlDocument, type YamlPath } from '../common/yaml-file.js';
import type { ActionName, Scenario } from './scenario.js';
import type { StepsFile } from './scenario-types.js';
import { readFragment } from './steps-file-cache.js';

export interface LoadOptions {
  /** Project root: ids derive from paths under `<root>/scenarios`; includes may not leave it. Default: cwd. */
  root?: string;
  /**
   * Folders holding fixtures by kind (`cards/`, `terminals/`, `hosts/`, `dialects/`, `labs/`).
   * Default: the scenario pack's (see common/fixture-search.ts; `<root>/fixtures` when no pack is set) and
   * payhil's bundled `fixtures/`: the folders `run` loads fixtures from.
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

/** A step's arguments (or any YAML mapping) before they are typed. */
export type Raw = Record<string, unknown>;

/** A steps file as includes see it: parsed, checked (`ok`), and the names its capture steps set. */
export interface Fragment {
  file: string;
  doc?: YamlDocument;
  value?: StepsFile;
  ok: boolean;
  captures: string[];
}

export interface StepContext {
  /** Card aliases of the scenario; null when checking a steps file on its own (no card checks). */
  aliases: Set<string> | null;
  /** Names set by capture steps so far (collected while building). */
  captures: string[];
}

/** Where a list of steps is being built: carried down through repeats and includes. */
export interface StepWalk {
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

/** True for a string holding a `${…}` reference (checked after interpolation, not before). */
export const hasRef = (v: unknown): boolean => typeof v === 'string' && v.includes('${');

/** The fixture folders a load searches by default: the pack's (else `<root>/fixtures`), then bundled. */
function defaultFixtureRoots(root: string): string[] {
  const pack = packFixtureDirs();
  return [...(pack.length ? pack : [join(root, 'fixtures')]), packagePath('fixtures')];
}

/** True when `file` is `root` or lies under it (paths already resolved). */
export function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return (
    rel === '' ||
    (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel))
  );
}

/** A step's single `action: args` entry, or undefined when the step is not a one-key mapping. */
export function stepEntry(step: unknown): [ActionName, unknown] | undefined {
  if (!step || typeof step !== 'object' || Array.isArray(step)) return undefined;
  const entries = Object.entries(step);
  return entries.length === 1 ? (entries[0] as [ActionName, unknown]) : undefined;
}

/**
 * What one load shares: options, diagnostics (each error located in its file), file reading with the
 * project-root checks, display names, fixture names and the scenario ids registered so far.
 */
export abstract class LoadContext {
  readonly root: string;
  private readonly fixtureRoots: string[];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private errors = 0;
  protected readonly texts = new Map<string, string>();
  private readonly fixtureCache = new Map<string, Set<string>>();
  protected readonly ids = new Map<string, SourcePos>();
  private readonly isFile = new Map<string, boolean>();
  private readonly shownAs = new Map<string, string>();
  readonly scenarios: Scenario[] = [];
  private readonly sources: ReadonlyMap<string, string>;
  private realRoot: string | undefined;

  constructor(options: LoadOptions) {
    this.root = resolve(options.root ?? process.cwd());
    this.sources = options.sources ?? new Map();
    this.fixtureRoots = [
      ...new Set((options.fixtureRoots ?? defaultFixtureRoots(this.root)).map((r) => resolve(r))),
    ];
  }

  protected add(d: Diagnostic): void {
    const key = `${d.file}:${d.line}:${d.col}:${d.severity}:${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.diagnostics.push(d);
    if (d.severity === 'error') this.errors++;
  }

  protected error(
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

  protected errorAtKey(
    doc: YamlDocument,
    file: string,
    path: YamlPath,
    message: string,
    hint?: string,
  ): void {
    this.error(doc, file, path, message, { hint, key: true });
  }

  /** Points at `${name}` inside the scalar when the source shows it on the scalar's first line. */
  protected errorAtRef(
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

  protected read(file: string, cached: boolean): ReturnType<typeof readYamlFile> {
    const text = this.sources.get(file);
    if (text !== undefined) return { text, ...parseYamlText(text, file) };
    return cached ? readFragment(file) : readYamlFile(file);
  }

  /**
   * Where `file` really is when a symbolic link on its way leads out of the root (undefined when it stays
   * inside, is given in memory, or does not exist: that is reported as not found).
   */
  protected linkedOutside(file: string): string | undefined {
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

  protected exists(file: string): boolean {
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

  protected display(file: string): string {
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

  protected errorCount(): number {
    return this.errors;
  }
}
