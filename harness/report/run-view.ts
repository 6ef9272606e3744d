/**
 * One side of a `payhil diff`: a run as the scenarios' verdicts, durations and failure fingerprints,
 * read from a history record, an Allure results folder or a JUnit XML file. All three give the same
 * fingerprint for the same failure (JUnit without the failing step; see failure-fingerprint.ts).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Status } from '../runner/index.js';
import { readRunMarker } from './bench-history.js';
import { ReportError } from './errors.js';
import { failureFingerprint, type FingerprintStep } from './failure-fingerprint.js';
import { RUN_ID_PATTERN, type HistoryStore } from './history-store.js';
import type { RunRecord } from './run-record.js';

/** A file larger than this is not read (a results file or JUnit file of a run is far smaller). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface ViewScenario {
  id: string;
  verdict: Status;
  durationMs: number;
  /** Unknown for JUnit. */
  attempt?: number;
  fingerprint?: string;
  message?: string;
}

export interface RunView {
  /** How the side was named (run id, folder, file). */
  label: string;
  source: 'history' | 'results' | 'junit';
  /** Run id, when the side is (or its results folder names) a recorded run. */
  id?: string;
  bench?: string;
  time?: string;
  scenarios: Map<string, ViewScenario>;
}

/** The view of a history record. */
export function viewOfRecord(r: RunRecord): RunView {
  const scenarios = new Map<string, ViewScenario>();
  for (const s of r.scenarios)
    scenarios.set(s.id, {
      id: s.id,
      verdict: s.verdict,
      durationMs: s.durationMs,
      attempt: s.attempt,
      ...(s.fingerprint !== undefined ? { fingerprint: s.fingerprint } : {}),
      ...(s.message !== undefined ? { message: s.message } : {}),
    });
  return { label: r.id, source: 'history', id: r.id, bench: r.bench.name, time: r.time, scenarios };
}

function readBounded(file: string): string {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES)
    throw new ReportError('E_DIFF_SOURCE', `${file}: ${size} bytes, more than a run's file can be`);
  return readFileSync(file, 'utf8');
}

const ALLURE_STATUS: Record<string, Status> = {
  passed: 'passed',
  failed: 'failed',
  broken: 'broken',
  skipped: 'skipped',
  unknown: 'broken',
};

interface AllureResult {
  fullName?: string;
  name?: string;
  status?: string;
  statusDetails?: { message?: string; trace?: string };
  steps?: FingerprintStep[];
  parameters?: { name: string; value: string }[];
  start?: number;
  stop?: number;
}

/** The view of an Allure results folder (the `*-result.json` files payhil's AllureWriter writes). */
export function viewOfResults(dir: string): RunView {
  const scenarios = new Map<string, ViewScenario & { stop: number }>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('-result.json')) continue;
    let r: AllureResult;
    try {
      r = JSON.parse(readBounded(join(dir, f))) as AllureResult;
    } catch (e) {
      throw new ReportError(
        'E_DIFF_SOURCE',
        `${join(dir, f)}: not an Allure result (${(e as Error).message})`,
      );
    }
    const id = r.fullName ?? r.name;
    if (typeof id !== 'string') continue;
    const verdict = ALLURE_STATUS[r.status ?? 'unknown'] ?? 'broken';
    const stop = typeof r.stop === 'number' ? r.stop : 0;
    const prev = scenarios.get(id);
    if (prev && prev.stop > stop) continue;
    const message = r.statusDetails?.message;
    // payhil writes the trace as `CODE (category) at file:line`.
    const code = /^(E_[A-Z0-9_]+)\b/.exec(r.statusDetails?.trace ?? '')?.[1];
    const attempt = Number(r.parameters?.find((p) => p.name === 'attempt')?.value ?? 1);
    const failing = verdict === 'failed' || verdict === 'broken';
    scenarios.set(id, {
      id,
      verdict,
      durationMs: Math.max(0, stop - (typeof r.start === 'number' ? r.start : stop)),
      attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
      ...(failing
        ? {
            fingerprint: failureFingerprint({
              status: verdict,
              ...(code ? { code } : {}),
              ...(message !== undefined ? { message } : {}),
              steps: r.steps ?? [],
            }),
          }
        : {}),
      ...(message && verdict !== 'passed' ? { message: message.split('\n')[0] as string } : {}),
      stop,
    });
  }
  const marker = readRunMarker(dir);
  const out = new Map<string, ViewScenario>();
  for (const [id, { stop: _stop, ...s }] of scenarios) out.set(id, s);
  return {
    label: dir,
    source: 'results',
    ...(marker ? { id: marker.run, bench: marker.bench } : {}),
    scenarios: out,
  };
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXml(m[1] as string) : undefined;
}

/** The view of a JUnit XML file (payhil's, or any with `<testcase name=… time=…>`). */
export function viewOfJunit(file: string): RunView {
  const xml = readBounded(file);
  if (!/<testsuites?\b/.test(xml))
    throw new ReportError('E_DIFF_SOURCE', `${file}: not a JUnit XML file (no <testsuite>)`);
  const scenarios = new Map<string, ViewScenario>();
  const testcase = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(testcase)) {
    const open = m[1] as string;
    const body = m[3] ?? '';
    const id = attr(open, 'name');
    if (id === undefined) continue;
    const problem = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    const verdict: Status = problem
      ? problem[1] === 'failure'
        ? 'failed'
        : 'broken'
      : /<skipped\b/.test(body)
        ? 'skipped'
        : 'passed';
    const seconds = Number(attr(open, 'time') ?? 0);
    let fingerprint: string | undefined;
    let message: string | undefined;
    if (problem) {
      const text = unescapeXml(problem[3] ?? '') || (attr(problem[2] as string, 'message') ?? '');
      const type = attr(problem[2] as string, 'type');
      fingerprint = failureFingerprint({
        status: verdict,
        ...(type && type !== verdict ? { code: type } : {}),
        message: text,
      });
      message = text.split('\n')[0] as string;
    }
    scenarios.set(id, {
      id,
      verdict,
      durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
      ...(fingerprint !== undefined ? { fingerprint } : {}),
      ...(message ? { message } : {}),
    });
  }
  return { label: file, source: 'junit', scenarios };
}

/**
 * A side named on the command line: a run id of the history store, an Allure results folder, or a
 * JUnit XML file (paths resolved by the caller).
 */
export async function loadRunView(spec: string, path: string, store: HistoryStore): Promise<RunView> {
  if (RUN_ID_PATTERN.test(spec)) {
    const r = await store.get(spec);
    if (!r) throw new ReportError('E_DIFF_SOURCE', `no run ${spec} in ${store.where}`);
    return viewOfRecord(r);
  }
  if (!existsSync(path))
    throw new ReportError(
      'E_DIFF_SOURCE',
      `'${spec}' is neither a run id of ${store.where} (YYYYMMDD-HHMMSS-xxxx) nor a results folder or JUnit file`,
    );
  if (statSync(path).isDirectory()) {
    if (!readdirSync(path).some((f) => f.endsWith('-result.json')))
      throw new ReportError('E_DIFF_SOURCE', `${path}: no Allure results (*-result.json) in this folder`);
    return viewOfResults(path);
  }
  return viewOfJunit(path);
}
