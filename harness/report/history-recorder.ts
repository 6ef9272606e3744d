/**
 * A run reporter that writes the run's record to the history store at the end of the run (see
 * run-record.ts), and a marker `payhil-run.json` in the Allure results folder naming the run, so `payhil
 * evidence` knows whose results the folder holds.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Bench } from '../bench/index.js';
import { packagePath } from '../common/project-root.js';
import { maskReportText } from '../net/index.js';
import type { RunInfo, RunReporter, RunSummary, ScenarioRun } from '../runner/index.js';
import type { LoadedStep, Scenario } from '../scenario/index.js';
import { RUN_MARKER, type RunMarker } from './bench-history.js';
import { failureFingerprint } from './failure-fingerprint.js';
import { newRunId, type HistoryStore } from './history-store.js';
import {
  RUN_RECORD_FORMAT,
  type RecordedFile,
  type RunRecord,
  type ScenarioHistory,
  type TerminalIdentity,
} from './run-record.js';

/** How long the terminal may take to answer the identification status (ms). */
const STATUS_TIMEOUT_MS = 2000;

/** Status fields worth keeping as identification, when a terminal reports them. */
const IDENTITY_KEYS = [
  'serial',
  'serialNumber',
  'terminalId',
  'tid',
  'merchantId',
  'hardware',
  'os',
  'kernel',
];

export interface HistoryRecorderOptions {
  store: HistoryStore;
  /** The project root (scenario paths are shown relative to it; git commit taken there). */
  root: string;
  /** The lab file of the bench, when any. */
  labFile?: string;
  /** The Allure results folder of the run. */
  resultsDir?: string;
  /** The JUnit file the run writes (the JunitWriter must come before this reporter). */
  junit?: string;
  /** Emulator defects switched on for the run. */
  defects?: readonly string[];
  /** Clock for the run id (tests). */
  now?: () => Date;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function payhilVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version?: string }).version ?? ''
    );
  } catch {
    return '';
  }
}

/** The commit of the git work tree holding `dir`, and whether it has uncommitted changes; undefined outside git. */
export function gitState(dir: string): { commit: string; dirty: boolean } | undefined {
  const git = (args: string[]): string | undefined => {
    const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', timeout: 5000 });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const commit = git(['rev-parse', 'HEAD']);
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) return undefined;
  const status = git(['status', '--porcelain', '--untracked-files=no', '--', '.']);
  return { commit, dirty: status === undefined ? true : status.length > 0 };
}

/** Every file a scenario was built from: its own file and the files its steps were included from. */
export function scenarioFiles(scenarios: readonly Scenario[]): string[] {
  const files = new Set<string>();
  const walk = (steps: readonly LoadedStep[]): void => {
    for (const s of steps) {
      files.add(s.at.file);
      for (const v of s.via ?? []) files.add(v.file);
      if (s.steps) walk(s.steps);
    }
  };
  for (const s of scenarios) {
    files.add(s.file);
    walk(s.steps);
    walk(s.finally);
  }
  return [...files].sort();
}

function recordFile(root: string, file: string): RecordedFile | undefined {
  const abs = isAbsolute(file) ? file : resolve(root, file);
  if (!existsSync(abs)) return undefined;
  const rel = relative(root, abs);
  const path = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : abs;
  return { path, sha256: sha256File(abs) };
}

/** The identification of the terminal from the bench's facts and (when given) its status snapshot. */
export function terminalIdentity(
  facts: Record<string, string>,
  status: Record<string, unknown> | undefined,
  defects?: readonly string[],
): TerminalIdentity {
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
  const reported: Record<string, string> = {};
  for (const k of IDENTITY_KEYS) {
    const v = str(status?.[k]);
    if (v !== undefined) reported[k] = maskReportText(v);
  }
  const fromStatus = Array.isArray(status?.defects) ? (status.defects as unknown[]).map(String) : [];
  const factDefects = facts['terminal.defects']?.split(/\s+/).filter(Boolean) ?? [];
  const allDefects = [...new Set([...(defects ?? []), ...factDefects, ...fromStatus])].sort();
  const id: TerminalIdentity = {};
  const profile = str(status?.profile) ?? facts['terminal.profile'];
  const model = str(status?.model) ?? facts['terminal.model'];
  const firmware = str(status?.firmware) ?? facts['terminal.firmware'];
  if (profile !== undefined) id.profile = profile;
  if (model !== undefined) id.model = model;
  if (firmware !== undefined) id.firmware = firmware;
  if (facts['terminal.driver'] !== undefined) id.protocol = facts['terminal.driver'];
  if (facts.dialect !== undefined) id.dialect = facts.dialect;
  if (allDefects.length > 0) id.defects = allDefects;
  if (Object.keys(reported).length > 0) id.reported = reported;
  return id;
}

/** The terminal's status snapshot, or undefined when the bench has none or it does not answer in time. */
async function probeStatus(bench: Bench): Promise<Record<string, unknown> | undefined> {
  if (!bench.has('terminal') || !bench.active) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      bench.get('terminal').status(),
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), STATUS_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** The record of one scenario run. */
export function scenarioHistory(run: ScenarioRun): ScenarioHistory {
  const s = run.scenario;
  const failing = run.status === 'failed' || run.status === 'broken';
  const message = run.message ? maskReportText(run.message) : undefined;
  const refs = s.refs;
  return {
    id: s.id,
    title: s.title,
    file: s.file,
    line: s.at.line,
    verdict: run.status,
    durationMs: Math.max(0, run.stop - run.start),
    attempt: run.attempt,
    ...(failing
      ? {
          fingerprint: failureFingerprint({
            status: run.status,
            ...(run.errorCode ? { code: run.errorCode } : {}),
            ...(message !== undefined ? { message } : {}),
            steps: run.steps,
          }),
        }
      : {}),
    ...(message !== undefined && run.status !== 'passed'
      ? { message: (message.split('\n')[0] as string).slice(0, 300) }
      : {}),
    ...(refs && refs.length > 0 ? { refs: [...refs] } : {}),
  };
}

/**
 * The bench of a run whose scenarios ran elsewhere (`--jobs N` worker processes, `--queue` agents): its
 * name and facts as the merged report shows them, and the scenarios in catalogue order.
 */
export interface MergedBench {
  name: string;
  facts: Record<string, string>;
  scenarios: readonly Scenario[];
}

export class HistoryRecorder implements RunReporter {
  /** The record written at the end of the run (undefined before, or when writing failed). */
  record: RunRecord | undefined;
  /** Why the record could not be written, when it could not (reporter errors do not stop a run). */
  error: Error | undefined;
  private info: RunInfo | undefined;
  private merged: MergedBench | undefined;
  private status: Promise<Record<string, unknown> | undefined> | undefined;
  /** Each scenario's record, made as it ends (the run keeps no timeline for the history). */
  private readonly scenarios: ScenarioHistory[] = [];

  constructor(private readonly options: HistoryRecorderOptions) {}

  runStart(info: RunInfo): void {
    this.info = info;
  }

  scenarioEnd(run?: ScenarioRun): void {
    if (run) this.scenarios.push(scenarioHistory(run));
    // Asked once, while the bench is up (between scenarios; the bench is down again at runEnd).
    if (!this.status && this.info) this.status = probeStatus(this.info.bench);
  }

  /**
   * Records a run merged from records (`--jobs`, `--queue`): the same record as a local run's, the bench
   * named by `bench` (no status probe: the terminals were in other processes; identity from the facts).
   */
  async recordMerged(summary: RunSummary, bench: MergedBench): Promise<void> {
    this.merged = bench;
    await this.runEnd(summary);
  }

  async runEnd(summary: RunSummary): Promise<void> {
    try {
      this.record = await this.build(summary);
      await this.options.store.append(this.record);
      if (this.options.resultsDir)
        writeFileSync(
          join(this.options.resultsDir, RUN_MARKER),
          JSON.stringify({
            run: this.record.id,
            bench: this.record.bench.name,
            history: this.options.store.where,
          } satisfies RunMarker) + '\n',
        );
    } catch (e) {
      this.record = undefined;
      this.error = e instanceof Error ? e : new Error(String(e));
    }
  }

  private async build(summary: RunSummary): Promise<RunRecord> {
    const o = this.options;
    const bench = this.merged ?? this.info?.bench;
    const facts = { ...(bench?.facts ?? {}) };
    const status = await this.status;
    const start = new Date(summary.start);
    const scenarios = this.merged?.scenarios ?? this.info?.scenarios ?? summary.runs.map((r) => r.scenario);
    const files = scenarioFiles(scenarios)
      .map((f) => recordFile(o.root, f))
      .filter((f): f is RecordedFile => f !== undefined);
    const git = gitState(o.root);
    const lab = o.labFile ? recordFile(o.root, o.labFile) : undefined;
    const junit = o.junit ? recordFile(o.root, o.junit) : undefined;
    return {
      format: RUN_RECORD_FORMAT,
      id: newRunId(o.now?.() ?? start),
      time: start.toISOString(),
      durationMs: summary.stop - summary.start,
      payhil: payhilVersion(),
      pack: { root: o.root, ...(git ? { git } : {}) },
      bench: {
        name: bench?.name ?? 'unknown',
        facts,
        terminal: terminalIdentity(facts, status, o.defects),
        ...(lab ? { lab } : {}),
      },
      seed: summary.seed ?? null,
      counts: { ...summary.counts },
      outputs: {
        ...(o.resultsDir ? { results: o.resultsDir } : {}),
        ...(junit ? { junit: { path: resolve(o.root, junit.path), sha256: junit.sha256 } } : {}),
      },
      files,
      // Streamed as the runs ended; a summary handed over whole (tests, merged runs) is read at the end.
      scenarios:
        this.scenarios.length === summary.runs.length ? this.scenarios : summary.runs.map(scenarioHistory),
    };
  }
}
