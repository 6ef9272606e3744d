/**
 * `payhil diff` output: a console table, Markdown for a pull-request comment, JSON for tools. The
 * messages shown are the (masked) first lines the sides carry.
 */
import { maskPansInText } from '../common/mask.js';
import type { DiffEntry, RunDiff } from './run-diff.js';
import type { ViewScenario } from './run-view.js';

interface Row {
  id: string;
  change: string;
  note: string;
}

function verdictOf(s: ViewScenario | undefined): string {
  return s ? s.verdict : '—';
}

function secs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function failureNote(s: ViewScenario | undefined): string {
  if (!s?.fingerprint) return '';
  return `${s.fingerprint}${s.message ? `  ${maskPansInText(s.message)}` : ''}`;
}

/** The sections of a diff, in the order they are shown. */
function sections(d: RunDiff): { title: string; rows: Row[] }[] {
  const change = (e: DiffEntry): string => `${verdictOf(e.base)} → ${verdictOf(e.head)}`;
  return [
    {
      title: 'new failures',
      rows: d.newFailures.map((e) => ({ id: e.id, change: change(e), note: failureNote(e.head) })),
    },
    { title: 'fixed', rows: d.fixed.map((e) => ({ id: e.id, change: change(e), note: '' })) },
    {
      title: 'still failing',
      rows: d.stillFailing.map((e) => ({
        id: e.id,
        change: e.same ? 'same failure' : 'changed failure',
        note: e.same
          ? failureNote(e.head)
          : `${e.base?.fingerprint ?? '?'} → ${failureNote(e.head) || (e.head?.fingerprint ?? '?')}`,
      })),
    },
    { title: 'new scenarios', rows: d.added.map((e) => ({ id: e.id, change: verdictOf(e.head), note: '' })) },
    {
      title: 'removed scenarios',
      rows: d.removed.map((e) => ({ id: e.id, change: `was ${verdictOf(e.base)}`, note: '' })),
    },
    {
      title: 'flaky',
      rows: d.flaky.map((e) => ({
        id: e.id,
        change: e.rule === 'retry' ? 'passed on retry' : 'status flips',
        note: e.detail,
      })),
    },
    {
      title: 'slower',
      rows: d.slower.map((e) => ({
        id: e.id,
        change: `${secs(e.base?.durationMs ?? 0)} → ${secs(e.head?.durationMs ?? 0)}`,
        note: Number.isFinite(e.ratio) ? `×${e.ratio.toFixed(1)}` : '',
      })),
    },
  ];
}

function sideLine(s: RunDiff['base']): string {
  const what = s.id && s.id !== s.label ? `${s.label} (run ${s.id})` : s.label;
  const facts = [s.bench, s.time?.replace('T', ' ').slice(0, 16), `${s.scenarios} scenarios`].filter(Boolean);
  return `${what} [${s.source}; ${facts.join(', ')}]`;
}

/** One line of counts. */
export function diffSummary(d: RunDiff): string {
  const n = (k: number, one: string, many = `${one}s`): string => `${k} ${k === 1 ? one : many}`;
  return [
    n(d.newFailures.length, 'new failure'),
    `${d.fixed.length} fixed`,
    `${d.stillFailing.length} still failing`,
    n(d.added.length, 'new scenario'),
    `${d.removed.length} removed`,
    `${d.flaky.length} flaky`,
    `${d.slower.length} slower`,
  ].join(', ');
}

/** The console table. */
export function diffText(d: RunDiff): string {
  const out = [`base: ${sideLine(d.base)}`, `head: ${sideLine(d.head)}`, ''];
  const all = sections(d);
  const idWidth = Math.min(60, Math.max(8, ...all.flatMap((s) => s.rows.map((r) => r.id.length))));
  const changeWidth = Math.max(6, ...all.flatMap((s) => s.rows.map((r) => r.change.length)));
  for (const s of all) {
    if (s.rows.length === 0) continue;
    out.push(`${s.title} (${s.rows.length})`);
    for (const r of s.rows)
      out.push(`  ${r.id.padEnd(idWidth)}  ${r.change.padEnd(changeWidth)}  ${r.note}`.trimEnd());
    out.push('');
  }
  out.push(
    `${diffSummary(d)} (flaky: passed on retry, or passed/failed changing twice or more in the last ${d.options.flakyWindow} runs; slower: ×${d.options.slowerRatio} and +${secs(d.options.slowerMinMs)})`,
  );
  return out.join('\n');
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown for a pull-request comment. */
export function diffMarkdown(d: RunDiff): string {
  const out = [
    `### payhil diff: ${diffSummary(d)}`,
    '',
    `- base: ${md(sideLine(d.base))}`,
    `- head: ${md(sideLine(d.head))}`,
    '',
  ];
  for (const s of sections(d)) {
    if (s.rows.length === 0) continue;
    out.push(
      `#### ${s.title} (${s.rows.length})`,
      '',
      '| scenario | change | details |',
      '| --- | --- | --- |',
    );
    for (const r of s.rows)
      out.push(`| \`${md(r.id)}\` | ${md(r.change)} | ${r.note ? `\`${md(r.note)}\`` : ''} |`);
    out.push('');
  }
  out.push(
    `<sub>flaky: passed on retry, or passed/failed changing twice or more in the last ${d.options.flakyWindow} runs of the bench; slower: ×${d.options.slowerRatio} and +${secs(d.options.slowerMinMs)}</sub>`,
  );
  return out.join('\n');
}

/** JSON (stable keys; scenario entries as the sides have them). */
export function diffJson(
  d: RunDiff,
  gate: { failOn: readonly string[]; findings: readonly string[] },
): string {
  return JSON.stringify({ ...d, summary: diffSummary(d), gate }, null, 2);
}
