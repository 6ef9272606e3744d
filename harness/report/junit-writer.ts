/**
 * JUnit XML for CI servers: one <testsuite> per scenario folder, one <testcase> per scenario; failed →
 * <failure>, broken → <error> (a lab fault is not a product failure), skipped → <skipped>.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { maskReportText } from '../net/index.js';
import type { RunReporter, RunSummary, ScenarioRun } from '../runner/index.js';
import { epicOf } from '../runner/index.js';
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
    ...(r.status === 'failed' || r.status === 'broken' ? { systemOut: timelineText(r) } : {}),
  };
}

/** The JUnit XML of test cases, grouped by scenario folder in the order the cases come. */
export function junitXmlOfCases(cases: readonly JunitCase[], name = 'payhil'): string {
  const groups = new Map<string, JunitCase[]>();
  for (const c of cases) groups.set(c.epic, [...(groups.get(c.epic) ?? []), c]);
  const count = (cs: readonly JunitCase[], st: string): number => cs.filter((c) => c.status === st).length;
  const total = (cs: readonly JunitCase[]): number => cs.reduce((a, c) => a + (c.stop - c.start), 0);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`];
  out.push(
    `<testsuites name="${xmlEscape(name)}" tests="${cases.length}" failures="${count(cases, 'failed')}" errors="${count(cases, 'broken')}" skipped="${count(cases, 'skipped')}" time="${secs(total(cases))}">`,
  );
  for (const [epic, cs] of groups) {
    out.push(
      `  <testsuite name="${xmlEscape(epic)}" tests="${cs.length}" failures="${count(cs, 'failed')}" errors="${count(cs, 'broken')}" skipped="${count(cs, 'skipped')}" time="${secs(total(cs))}" timestamp="${new Date(cs[0]?.start ?? Date.now()).toISOString()}">`,
    );
    for (const c of cs) {
      out.push(
        `    <testcase classname="${xmlEscape(epic)}" name="${xmlEscape(c.id)}" file="${xmlEscape(c.file)}" line="${c.line}" time="${secs(c.stop - c.start)}">`,
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
        out.push(
          `      <error message="${first}" type="${xmlEscape(c.errorCode ?? 'broken')}">${msg}</error>`,
        );
      else if (c.status === 'skipped') out.push(`      <skipped message="${first}"/>`);
      if (c.systemOut !== undefined) out.push(`      <system-out>${xmlEscape(c.systemOut)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** The JUnit XML of a run. */
export function junitXml(runs: readonly ScenarioRun[], name = 'payhil'): string {
  return junitXmlOfCases(runs.map(junitCaseOf), name);
}

/** Writes the JUnit file at the end of the run. */
export class JunitWriter implements RunReporter {
  constructor(private readonly file: string) {}

  runEnd(summary: RunSummary): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, junitXml(summary.runs));
  }
}
