/**
 * Console progress: the run's seed, a live line per scenario (status, duration, id; for SKIP and BROKEN the
 * reason's first line; a failed or broken one also the command that replays it) and, at the end, a summary
 * table per scenario folder plus the reasons of what did not pass (first lines, masked), each at the
 * file:line of the step that failed (through its include sites), and the seed again.
 */
import { maskReportText } from '../net/index.js';
import type { RunInfo, RunReporter, RunSummary, ScenarioRun, StepRecord } from '../runner/index.js';
import { epicOf } from '../scenario/epic.js';

const MARK: Record<string, string> = {
  passed: 'PASS  ',
  failed: 'FAIL  ',
  broken: 'BROKEN',
  skipped: 'SKIP  ',
};

/** The longest reason shown on a scenario's live line (the summary has the whole text). */
const REASON_CHARS = 160;

/** The deepest step that failed or broke, first in step order (a repeat's or an include's inner step). */
export function failedStepOf(steps: readonly StepRecord[]): StepRecord | undefined {
  for (const s of steps) {
    const inner = failedStepOf(s.children);
    if (inner) return inner;
    if (s.status === 'failed' || s.status === 'broken') return s;
  }
  return undefined;
}

/** Where a run failed: its failing step's file:line (`a.yaml:3 → steps.yaml:7`), else the scenario's. */
export function failureLocation(run: ScenarioRun): string {
  const step = failedStepOf(run.steps);
  return step?.at ? step.at : `${run.scenario.file}:${run.scenario.at.line}`;
}

/** The first line of a reason, masked and bounded. */
function reasonLine(message: string): string {
  const first = maskReportText(message).split('\n')[0] as string;
  return first.length > REASON_CHARS ? `${first.slice(0, REASON_CHARS - 1)}…` : first;
}

function dur(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export interface ConsoleReporterOptions {
  /** Where lines go (the CLI's io.out). */
  write: (line: string) => void;
  /** Lines of each failure message shown in the summary. Default 12. */
  detailLines?: number;
}

export class ConsoleReporter implements RunReporter {
  /** Warnings printed so far (each once a run). */
  private readonly warned = new Set<string>();

  constructor(private readonly options: ConsoleReporterOptions) {}

  runStart(info: RunInfo): void {
    this.options.write(
      `payhil run: ${info.scenarios.length} scenario${info.scenarios.length === 1 ? '' : 's'} on bench '${info.bench.name}'${info.seed !== undefined ? `, seed ${info.seed}` : ''}`,
    );
  }

  scenarioEnd(run: ScenarioRun): void {
    const retry = run.attempt > 1 ? ` (attempt ${run.attempt})` : '';
    // A skipped scenario says why on its line (what the bench lacks), a broken one what broke.
    const why =
      (run.status === 'skipped' || run.status === 'broken') && run.message
        ? ` — ${reasonLine(run.message)}`
        : '';
    this.options.write(
      `${MARK[run.status]} ${dur(run.stop - run.start).padStart(8)}  ${run.scenario.id}${retry}${why}${run.replay ? `  — replay: ${run.replay}` : ''}`,
    );
    // A bench's warnings (a missing Chinese font on the web bench…): once a run, after the scenario that met them.
    for (const e of run.timeline.entries('note')) {
      if (e.data.level !== 'warning') continue;
      const text = maskReportText(String(e.data.text));
      if (this.warned.has(text)) continue;
      this.warned.add(text);
      this.options.write(`WARN    ${text.startsWith('warning: ') ? text.slice(9) : text}`);
    }
  }

  runEnd(summary: RunSummary): void {
    const w = this.options.write;
    const rows = new Map<string, Record<string, number>>();
    for (const r of summary.runs) {
      const e = epicOf(r.scenario);
      const row = rows.get(e) ?? { passed: 0, failed: 0, broken: 0, skipped: 0 };
      row[r.status] = (row[r.status] ?? 0) + 1;
      rows.set(e, row);
    }
    const width = Math.max(6, ...[...rows.keys()].map((k) => k.length));
    w('');
    w(`${'folder'.padEnd(width)}  passed  failed  broken  skipped`);
    for (const [e, row] of rows)
      w(
        `${e.padEnd(width)}  ${String(row.passed).padStart(6)}  ${String(row.failed).padStart(6)}  ${String(row.broken).padStart(6)}  ${String(row.skipped).padStart(7)}`,
      );
    const c = summary.counts;
    w(
      `${'total'.padEnd(width)}  ${String(c.passed).padStart(6)}  ${String(c.failed).padStart(6)}  ${String(c.broken).padStart(6)}  ${String(c.skipped).padStart(7)}   in ${dur(summary.stop - summary.start)}`,
    );
    const bad = summary.runs.filter((r) => r.status === 'failed' || r.status === 'broken');
    if (bad.length) {
      w('');
      for (const r of bad) {
        w(`${r.status.toUpperCase()} ${r.scenario.id} (${failureLocation(r)})`);
        // A payhil bug shows where it was thrown.
        const lines = maskReportText((r.message ?? '') + (r.stack ? `\n${r.stack}` : '')).split('\n');
        const n = this.options.detailLines ?? 12;
        for (const l of lines.slice(0, n)) w(`  ${l}`);
        if (lines.length > n) w(`  … ${lines.length - n} more lines`);
        if (r.replay) w(`  replay: ${r.replay}`);
      }
    }
    if (summary.benchError) w(`bench: ${summary.benchError}`);
    if (summary.seed !== undefined)
      w(`seed: ${summary.seed} (payhil run … --seed ${summary.seed} draws the same values)`);
  }
}
