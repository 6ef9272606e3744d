/**
 * Console progress: the run's seed, a live line per scenario (status, duration, id; a failed or broken one
 * also the command that replays it) and, at the end, a summary table per scenario folder plus the reasons
 * of what did not pass (first lines, masked) and the seed again.
 */
import { maskReportText } from '../net/index.js';
import type { RunInfo, RunReporter, RunSummary, ScenarioRun } from '../runner/index.js';
import { epicOf } from '../runner/index.js';

const MARK: Record<string, string> = {
  passed: 'PASS  ',
  failed: 'FAIL  ',
  broken: 'BROKEN',
  skipped: 'SKIP  ',
};

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
  constructor(private readonly options: ConsoleReporterOptions) {}

  runStart(info: RunInfo): void {
    this.options.write(
      `payhil run: ${info.scenarios.length} scenario${info.scenarios.length === 1 ? '' : 's'} on bench '${info.bench.name}'${info.seed !== undefined ? `, seed ${info.seed}` : ''}`,
    );
  }

  scenarioEnd(run: ScenarioRun): void {
    const retry = run.attempt > 1 ? ` (attempt ${run.attempt})` : '';
    // A skipped scenario says why on its line (what the bench lacks).
    const why = run.status === 'skipped' && run.message ? ` — ${maskReportText(run.message)}` : '';
    this.options.write(
      `${MARK[run.status]} ${dur(run.stop - run.start).padStart(8)}  ${run.scenario.id}${retry}${why}${run.replay ? `  — replay: ${run.replay}` : ''}`,
    );
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
        w(`${r.status.toUpperCase()} ${r.scenario.id} (${r.scenario.file}:${r.scenario.at.line})`);
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
