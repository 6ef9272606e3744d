/**
 * A scenario run as the Allure results render it: what the result and its attachments read of the run
 * and nothing else. Apart from its timeline it is plain data that structured clone copies as it is, so
 * a run crosses to the report thread (report-thread.ts) as {@link ReportRunWire}: the timeline as its
 * list of entries.
 */
import type { Scenario, Severity } from '../scenario/scenario.js';
import type { ScalarValue } from '../scenario/scenario-types.js';
import { epicOf } from '../scenario/epic.js';
import type { ScenarioRun } from '../runner/scenario-run.js';
import { entryList, type TimelineEntries, type TimelineEntry } from '../runner/timeline.js';

/** What a result says of its scenario. */
export interface ReportScenario {
  id: string;
  baseId: string;
  title: string;
  description?: string;
  tags: string[];
  severity: Severity;
  params: Record<string, ScalarValue>;
  file: string;
  /** The line the scenario's document starts on. */
  line: number;
  /** Allure epic: the scenario's folder. */
  epic: string;
  /** Allure feature: the transaction type the scenario exercises. */
  feature: string;
}

/** What the attachments are rendered from: the run's timeline. */
export interface RunTimeline {
  timeline: TimelineEntries;
}

export interface ReportRun extends Omit<ScenarioRun, 'scenario' | 'timeline' | 'captures'> {
  scenario: ReportScenario;
  timeline: TimelineEntries;
}

/** A ReportRun as posted to another thread: the timeline as its entries. */
export interface ReportRunWire extends Omit<ReportRun, 'timeline'> {
  entries: readonly TimelineEntry[];
}

const TRANSACTIONS = ['purchase', 'void', 'refund', 'balance', 'preAuth', 'withdraw', 'settle'];

/** Feature = the transaction type a scenario exercises (its first transaction step), else sign-in or other. */
export function featureOf(s: Scenario): string {
  const walk = (steps: Scenario['steps']): string | undefined => {
    for (const st of steps) {
      if (TRANSACTIONS.includes(st.action)) return st.action;
      if (st.steps) {
        const f = walk(st.steps);
        if (f) return f;
      }
    }
    return undefined;
  };
  return walk(s.steps) ?? (s.steps.some((st) => st.action === 'signIn') ? 'signIn' : 'other');
}

export function reportRunOf(run: ScenarioRun): ReportRun {
  const { scenario: s, timeline, captures: _captures, ...rest } = run;
  return {
    ...rest,
    scenario: {
      id: s.id,
      baseId: s.baseId,
      title: s.title,
      ...(s.description !== undefined ? { description: s.description } : {}),
      tags: s.tags,
      severity: s.severity,
      params: s.params,
      file: s.file,
      line: s.at.line,
      epic: epicOf(s),
      feature: featureOf(s),
    },
    timeline,
  };
}

export function toWire(run: ReportRun): ReportRunWire {
  const { timeline, ...rest } = run;
  return { ...rest, entries: timeline.entries() };
}

export function fromWire(wire: ReportRunWire): ReportRun {
  const { entries, ...rest } = wire;
  return { ...rest, timeline: entryList(entries) };
}
