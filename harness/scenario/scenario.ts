import type { SourcePos } from '../common/diagnostic.js';
import type {
  AccountOverride,
  BenchOverrides,
  HostRule,
  InlineCard,
  ScalarValue,
  Step,
} from './scenario-types.js';

/** The action names of the scenario language (the keys of a step). */
export type ActionName = keyof Step;
/** The argument type of one action, as written (after interpolation). */
export type ActionArgs<A extends ActionName> = NonNullable<Step[A]> | (Step[A] & null);

export type Severity = 'blocker' | 'critical' | 'normal' | 'minor' | 'trivial';

/**
 * One step of a loaded scenario: includes are expanded in place (their steps carry the position in the
 * included file and `via`, the include sites), vars and matrix values are interpolated; captured names
 * stay as `${name}` for the runner to fill in.
 */
export interface LoadedStep {
  action: ActionName;
  /** The action's arguments (null for actions without arguments). For `repeat`, `args.steps` is raw. */
  args: unknown;
  /** Where the action key is written. */
  at: SourcePos;
  /** The include steps this step came through, outermost first. */
  via?: SourcePos[];
  /** For `repeat`: the repeated steps, loaded. */
  steps?: LoadedStep[];
}

/** A scenario ready to run: one per matrix combination. */
export interface Scenario {
  /** Unique id: the `id` key or the path under scenarios/, plus `[k=v,…]` for a matrix combination. */
  id: string;
  /** The id before matrix expansion. */
  baseId: string;
  title: string;
  description?: string;
  tags: string[];
  /** Test-plan case ids the scenario covers (`refs:`), when it names any. */
  refs?: string[];
  severity: Severity;
  requires: string[];
  bench: BenchOverrides;
  /** alias → fixture name, or an inline card extending one. */
  cards: Record<string, string | InlineCard>;
  /** Host rules, account overrides, and `replay`: the absolute path of a recording folder (`payhil record`). */
  host: { rules: HostRule[]; accounts: Record<string, AccountOverride>; replay?: string };
  /** vars after interpolation, plus the matrix values. */
  vars: Record<string, ScalarValue>;
  /** This combination's matrix values ({} without a matrix). */
  params: Record<string, ScalarValue>;
  timeoutMs?: number;
  retries: number;
  steps: LoadedStep[];
  finally: LoadedStep[];
  /** Where the scenario's document starts. */
  at: SourcePos;
  file: string;
  /** Names set by `capture` steps (their `${name}` references are resolved at run time). */
  captures: string[];
}
