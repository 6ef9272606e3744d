/**
 * What changed between two runs: new failures, fixed, still failing (same or changed fingerprint), new
 * and removed scenarios, flaky scenarios, duration regressions. Pure: the sides and the history come in,
 * the difference comes out (formatting in diff-format.ts).
 */
import type { Status } from '../runner/index.js';
import { sameFailure } from './failure-fingerprint.js';
import type { RunRecord } from './run-record.js';
import type { RunView, ViewScenario } from './run-view.js';

export interface DiffOptions {
  /** Records of the bench, oldest first: the window for the status-flip rule of flaky. */
  history?: readonly RunRecord[];
  /** How many recent runs the flip rule looks at (default 5). */
  flakyWindow?: number;
  /** A passed scenario is slower when HEAD ≥ BASE × this (default 1.5)… */
  slowerRatio?: number;
  /** …and HEAD − BASE ≥ this many ms (default 1000). */
  slowerMinMs?: number;
}

export interface DiffEntry {
  id: string;
  base?: ViewScenario;
  head?: ViewScenario;
}

/** Why a scenario is called flaky. */
export type FlakyRule = 'retry' | 'flips';

export interface FlakyEntry extends DiffEntry {
  rule: FlakyRule;
  /** `passed on attempt 2`, or the verdicts of the window oldest first (`P F P`). */
  detail: string;
}

export interface RunDiff {
  base: {
    label: string;
    id?: string;
    bench?: string;
    time?: string;
    source: RunView['source'];
    scenarios: number;
  };
  head: {
    label: string;
    id?: string;
    bench?: string;
    time?: string;
    source: RunView['source'];
    scenarios: number;
  };
  /** Failing in HEAD, not failing (or absent) in BASE. */
  newFailures: DiffEntry[];
  /** Failing in BASE, passed in HEAD. */
  fixed: DiffEntry[];
  /** Failing in both; `same` when the fingerprints name the same failure. */
  stillFailing: (DiffEntry & { same: boolean })[];
  /** In HEAD only (also listed under new failures when failing). */
  added: DiffEntry[];
  /** In BASE only. */
  removed: DiffEntry[];
  flaky: FlakyEntry[];
  /** Passed in both, slower in HEAD beyond the threshold. */
  slower: (DiffEntry & { ratio: number })[];
  options: { flakyWindow: number; slowerRatio: number; slowerMinMs: number };
}

export function failing(v: Status | undefined): boolean {
  return v === 'failed' || v === 'broken';
}

function sideInfo(v: RunView): RunDiff['base'] {
  return {
    label: v.label,
    source: v.source,
    scenarios: v.scenarios.size,
    ...(v.id !== undefined ? { id: v.id } : {}),
    ...(v.bench !== undefined ? { bench: v.bench } : {}),
    ...(v.time !== undefined ? { time: v.time } : {}),
  };
}

/** The runs of the window for the flip rule: the last `n` records up to HEAD (when HEAD is one). */
function window(history: readonly RunRecord[], headId: string | undefined, n: number): readonly RunRecord[] {
  const end = headId !== undefined ? history.findIndex((r) => r.id === headId) : -1;
  const upTo = end >= 0 ? history.slice(0, end + 1) : history;
  return upTo.slice(Math.max(0, upTo.length - n));
}

const LETTER: Record<Status, string> = { passed: 'P', failed: 'F', broken: 'B', skipped: 'S' };

export function diffRuns(base: RunView, head: RunView, options: DiffOptions = {}): RunDiff {
  const flakyWindow = options.flakyWindow ?? 5;
  const slowerRatio = options.slowerRatio ?? 1.5;
  const slowerMinMs = options.slowerMinMs ?? 1000;
  const d: RunDiff = {
    base: sideInfo(base),
    head: sideInfo(head),
    newFailures: [],
    fixed: [],
    stillFailing: [],
    added: [],
    removed: [],
    flaky: [],
    slower: [],
    options: { flakyWindow, slowerRatio, slowerMinMs },
  };
  const ids = [...new Set([...base.scenarios.keys(), ...head.scenarios.keys()])].sort();
  const recent = window(options.history ?? [], head.id, flakyWindow);
  for (const id of ids) {
    const b = base.scenarios.get(id);
    const h = head.scenarios.get(id);
    const e: DiffEntry = { id, ...(b ? { base: b } : {}), ...(h ? { head: h } : {}) };
    if (!b) d.added.push(e);
    if (!h) {
      d.removed.push(e);
      continue;
    }
    if (failing(h.verdict) && !failing(b?.verdict)) d.newFailures.push(e);
    else if (b && failing(b.verdict) && h.verdict === 'passed') d.fixed.push(e);
    else if (b && failing(b.verdict) && failing(h.verdict))
      d.stillFailing.push({
        ...e,
        same:
          b.verdict === h.verdict &&
          b.fingerprint !== undefined &&
          h.fingerprint !== undefined &&
          sameFailure(b.fingerprint, h.fingerprint),
      });
    if (b && b.verdict === 'passed' && h.verdict === 'passed') {
      const ratio = b.durationMs > 0 ? h.durationMs / b.durationMs : Infinity;
      if (h.durationMs - b.durationMs >= slowerMinMs && ratio >= slowerRatio) d.slower.push({ ...e, ratio });
    }
    // Flaky, rule 1: the verdict came from a retry.
    if (h.verdict === 'passed' && (h.attempt ?? 1) > 1) {
      d.flaky.push({ ...e, rule: 'retry', detail: `passed on attempt ${h.attempt}` });
      continue;
    }
    // Flaky, rule 2: passed and failed alternate in the window (two or more changes).
    const verdicts = recent
      .map((r) => r.scenarios.find((s) => s.id === id)?.verdict)
      .filter((v): v is Status => v !== undefined && v !== 'skipped');
    let flips = 0;
    for (let i = 1; i < verdicts.length; i++) if (failing(verdicts[i]) !== failing(verdicts[i - 1])) flips++;
    if (flips >= 2)
      d.flaky.push({
        ...e,
        rule: 'flips',
        detail: `${verdicts.map((v) => LETTER[v]).join(' ')} in the last ${verdicts.length} runs`,
      });
  }
  return d;
}

/** What `--fail-on` can name. */
export const FAIL_ON = ['new-failures', 'still-failing', 'flaky', 'slower', 'removed'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** The kinds of change of `d` among `failOn` that are there (empty: the gate passes). */
export function gateFindings(d: RunDiff, failOn: readonly FailOn[]): FailOn[] {
  const n: Record<FailOn, number> = {
    'new-failures': d.newFailures.length,
    'still-failing': d.stillFailing.length,
    flaky: d.flaky.length,
    slower: d.slower.length,
    removed: d.removed.length,
  };
  return failOn.filter((k) => n[k] > 0);
}
