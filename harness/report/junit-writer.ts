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

/** The JUnit XML of a run. */
export function junitXml(runs: readonly ScenarioRun[], name = 'payhil'): string {
  const groups = new Map<string, ScenarioRun[]>();
  for (const r of runs) {
    const e = epicOf(r.scenario);
    groups.set(e, [...(groups.get(e) ?? []), r]);
  }
  const count = (rs: readonly ScenarioRun[], st: string): number => rs.filter((r) => r.status === st).length;
  const total = (rs: readonly ScenarioRun[]): number => rs.reduce((a, r) => a + (r.stop - r.start), 0);
  const out = [`<?xml version="1.0" encoding="UTF-8"?>`];
  out.push(
    `<testsuites name="${xmlEscape(name)}" tests="${runs.length}" failures="${count(runs, 'failed')}" errors="${count(runs, 'broken')}" skipped="${count(runs, 'skipped')}" time="${secs(total(runs))}">`,
  );
  for (const [epic, rs] of groups) {
    out.push(
      `  <testsuite name="${xmlEscape(epic)}" tests="${rs.length}" failures="${count(rs, 'failed')}" errors="${count(rs, 'broken')}" skipped="${count(rs, 'skipped')}" time="${secs(total(rs))}" timestamp="${new Date(rs[0]?.start ?? Date.now()).toISOString()}">`,
    );
    for (const r of rs) {
      const s = r.scenario;
      out.push(
        `    <testcase classname="${xmlEscape(epic)}" name="${xmlEscape(s.id)}" file="${xmlEscape(s.file)}" line="${s.at.line}" time="${secs(r.stop - r.start)}">`,
      );
      // A payhil bug carries its stack: the body shows where it was thrown.
      const msg = xmlEscape(maskReportText((r.message ?? r.status) + (r.stack ? `\n${r.stack}` : '')));
      const first = xmlEscape(maskReportText((r.message ?? r.status).split('\n')[0] as string));
      if (r.status === 'failed')
        out.push(
          `      <failure message="${first}" type="${xmlEscape(r.errorCode ?? 'failed')}">${msg}</failure>`,
        );
      else if (r.status === 'broken')
        out.push(
          `      <error message="${first}" type="${xmlEscape(r.errorCode ?? 'broken')}">${msg}</error>`,
        );
      else if (r.status === 'skipped') out.push(`      <skipped message="${first}"/>`);
      if (r.status !== 'passed' && r.status !== 'skipped')
        out.push(`      <system-out>${xmlEscape(timelineText(r))}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** Writes the JUnit file at the end of the run. */
export class JunitWriter implements RunReporter {
  constructor(private readonly file: string) {}

  runEnd(summary: RunSummary): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, junitXml(summary.runs));
  }
}
