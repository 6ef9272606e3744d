/**
 * JUnit XML for CI servers: one <testsuite> per scenario folder, one <testcase> per scenario; failed →
 * <failure>, broken → <error> (a lab fault is not a product failure), skipped → <skipped>.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { maskReportText } from '../net/index.js';
import type { RunReporter, RunSummary, ScenarioRun } from '../runner/index.js';
import { epicOf } from '../scenario/epic.js';
import { timelineText } from './attachments.js';

/** Escapes text for XML (and drops characters XML 1.0 cannot carry). */
export function xmlEscape(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * One JUnit test case as plain data: what a worker or an agent sends back with a scenario's result, and
 * what `junitXmlOfCases` writes. Texts are masked when the case is made.
 */
export interface JunitCase {
  /** The scenario folder (the `<testsuite>`). */
  epic: string;
  id: string;
  file: string;
  line: number;
  status: ScenarioRun['status'];
  /** Masked failure text (failed, broken, skipped). */
  message?: string;
  /** Masked stack of a payhil bug (broken), shown under the message. */
  stack?: string;
  errorCode?: string;
  /** Epoch ms. */
  start: number;
  stop: number;
  /** Masked timeline for a failed or broken case. */
  systemOut?: string;
}

/** The JUnit case of a scenario run. */
export function junitCaseOf(r: ScenarioRun): JunitCase {
  const s = r.scenario;
  return {
    epic: epicOf(s),
    id: s.id,
    file: s.file,
    line: s.at.line,
    status: r.status,
    message: maskReportText(r.message ?? r.status),
    ...(r.stack ? { stack: maskReportText(r.stack) } : {}),
    ...(r.errorCode ? { errorCode: r.errorCode } : {}),
    start: r.start,
    stop: r.stop,
    ...(r.status === 'failed' || r.status === 'broken'
      ? { systemOut: (r.replay ? `replay: ${r.replay}\n` : '') + timelineText(r) }
      : {}),
  };
}

/** What a `<testsuite>` header needs of a case. */
interface CaseStat {
  epic: string;
  status: ScenarioRun['status'];
  start: number;
  stop: number;
}

/** One `<testcase>` element (indented, with its trailing newline). */
export function junitCaseXml(c: JunitCase): string {
  const out: string[] = [];
  out.push(
    `    <testcase classname="${xmlEscape(c.epic)}" name="${xmlEscape(c.id)}" file="${xmlEscape(c.file)}" line="${c.line}" time="${secs(c.stop - c.start)}">`,
  );
  const text = c.message ?? c.status;
  // A payhil bug carries its stack: the body shows where it was thrown.
  const msg = xmlEscape(text + (c.stack ? `\n${c.stack}` : ''));
  const first = xmlEscape(text.split('\n')[0] as string);
  if (c.status === 'failed')
    out.push(
      `      <failure message="${first}" type="${xmlEscape(c.errorCode ?? 'failed')}">${msg}</failure>`,
    );
  else if (c.status === 'broken')
    out.push(`      <error message="${first}" type="${xmlEscape(c.errorCode ?? 'broken')}">${msg}</error>`);
  else if (c.status === 'skipped') out.push(`      <skipped message="${first}"/>`);
  if (c.systemOut !== undefined) out.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`);
  out.push('    </testcase>');
  return out.join('\n') + '\n';
}

/**
 * Writes the JUnit XML of cases known by their stats, in chunks: grouped by scenario folder in the order
 * the folders first come, each case's element from `caseXml(i)`. Only the stats are held, not the cases.
 */
function writeJunitXml(
  stats: readonly CaseStat[],
  caseXml: (i: number) => string,
  out: (chunk: string) => void,
  name: string,
): void {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < stats.length; i++) {
    const e = (stats[i] as CaseStat).epic;
    let g = groups.get(e);
    if (!g) groups.set(e, (g = []));
    g.push(i);
  }
  const count = (is: readonly number[], st: string): number =>
    is.reduce((a, i) => a + ((stats[i] as CaseStat).status === st ? 1 : 0), 0);
  const total = (is: readonly number[]): number =>
    is.reduce((a, i) => a + ((stats[i] as CaseStat).stop - (stats[i] as CaseStat).start), 0);
  const all = stats.map((_, i) => i);
  out(`<?xml version="1.0" encoding="UTF-8"?>\n`);
  out(
    `<testsuites name="${xmlEscape(name)}" tests="${stats.length}" failures="${count(all, 'failed')}" errors="${count(all, 'broken')}" skipped="${count(all, 'skipped')}" time="${secs(total(all))}">\n`,
  );
  for (const [epic, is] of groups) {
    const first = stats[is[0] as number] as CaseStat;
    out(
      `  <testsuite name="${xmlEscape(epic)}" tests="${is.length}" failures="${count(is, 'failed')}" errors="${count(is, 'broken')}" skipped="${count(is, 'skipped')}" time="${secs(total(is))}" timestamp="${new Date(first.start).toISOString()}">\n`,
    );
    for (const i of is) out(caseXml(i));
    out('  </testsuite>\n');
  }
  out('</testsuites>\n');
}

/** The JUnit XML of test cases, grouped by scenario folder in the order the cases come. */
export function junitXmlOfCases(cases: readonly JunitCase[], name = 'payhil'): string {
  const chunks: string[] = [];
  writeJunitXml(
    cases,
    (i) => junitCaseXml(cases[i] as JunitCase),
    (c) => chunks.push(c),
    name,
  );
  return chunks.join('');
}

/** The JUnit XML of a run. */
export function junitXml(runs: readonly ScenarioRun[], name = 'payhil'): string {
  return junitXmlOfCases(runs.map(junitCaseOf), name);
}

/**
 * Writes the JUnit file of a run. Streaming: each case's element is made as its run ends and appended to
 * a spool file beside the output (`FILE.cases.tmp`); at the end the file is assembled from it in the
 * run's order, grouped by folder, reading one case at a time. Memory: a few numbers per case.
 */
export class JunitWriter implements RunReporter {
  private spool: number | undefined;
  private spoolAt = 0;
  private readonly stats: (CaseStat & { offset: number; length: number })[] = [];

  constructor(private readonly file: string) {}

  private get spoolFile(): string {
    return `${this.file}.cases.tmp`;
  }

  scenarioEnd(run: ScenarioRun): void {
    if (this.spool === undefined) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.spool = openSync(this.spoolFile, 'w+');
    }
    const body = Buffer.from(junitCaseXml(junitCaseOf(run)), 'utf8');
    writeSync(this.spool, body, 0, body.length, this.spoolAt);
    this.stats.push({
      epic: epicOf(run.scenario),
      status: run.status,
      start: run.start,
      stop: run.stop,
      offset: this.spoolAt,
      length: body.length,
    });
    this.spoolAt += body.length;
  }

  runEnd(summary: RunSummary): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const spool = this.spool;
    this.spool = undefined;
    try {
      // A summary handed over whole (no scenarioEnd calls): written from its runs.
      if (spool === undefined || this.stats.length !== summary.runs.length) {
        writeFileSync(this.file, junitXml(summary.runs));
        return;
      }
      const out = openSync(this.file, 'w');
      try {
        writeJunitXml(
          this.stats,
          (i) => {
            const st = this.stats[i] as { offset: number; length: number };
            const b = Buffer.alloc(st.length);
            readSync(spool, b, 0, st.length, st.offset);
            return b.toString('utf8');
          },
          (chunk) => writeSync(out, chunk),
          'payhil',
        );
      } finally {
        closeSync(out);
      }
    } finally {
      if (spool !== undefined) {
        closeSync(spool);
        rmSync(this.spoolFile, { force: true });
      }
    }
  }
}
