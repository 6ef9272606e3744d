/**
 * Which scenarios a run or a listing takes (`payhil run` and `payhil list`, `--tags` and `--grep`): one
 * selection for both, so `list` shows exactly what `run` would run.
 */
import { ScenarioSelectionError } from './errors.js';
import type { Scenario } from './scenario.js';

export interface ScenarioSelection {
  /** `a,b,!c`: at least one of the plain tags (when any is given) and none of the `!` ones. */
  readonly tags?: string | undefined;
  /** A regular expression (source text or compiled) the id or the title matches. */
  readonly grep?: string | RegExp | undefined;
}

/**
 * The test of a selection, compiled once: check the options (and fail early on a bad `--grep`) before
 * loading any scenario.
 * @throws ScenarioSelectionError when `grep` is not a regular expression.
 */
export function scenarioSelector(selection: ScenarioSelection = {}): (s: Scenario) => boolean {
  const wanted = (selection.tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const plus = wanted.filter((t) => !t.startsWith('!'));
  const minus = wanted.filter((t) => t.startsWith('!')).map((t) => t.slice(1));
  let grep: RegExp | undefined;
  if (typeof selection.grep === 'string') {
    try {
      grep = new RegExp(selection.grep);
    } catch (e) {
      throw new ScenarioSelectionError('--grep', (e as Error).message);
    }
  } else grep = selection.grep;
  return (s) =>
    (plus.length === 0 || plus.some((t) => s.tags.includes(t))) &&
    !minus.some((t) => s.tags.includes(t)) &&
    (!grep || grep.test(s.id) || grep.test(s.title));
}

/** The scenarios of `list` the selection takes, in order. */
export function selectScenarios(list: readonly Scenario[], selection: ScenarioSelection = {}): Scenario[] {
  return list.filter(scenarioSelector(selection));
}
