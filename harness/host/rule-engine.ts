/**
 * Holds the run-time rules and picks the one that answers a request: first match wins. Matching uses
 * the scenario language's matchers (harness/common/matcher.ts) over field paths of the request.
 */
import { matchFields } from '../common/matcher.js';
import { HostRuleError } from './errors.js';
import type { HostRule, RuleAction } from './host-rule.js';

interface LiveRule {
  rule: HostRule & { id: string };
  matched: number;
  fired: number;
}

/** The rule that answers a request, with its action. */
export interface RuleHit {
  id: string;
  action: RuleAction;
}

export class RuleEngine {
  private rules: LiveRule[] = [];
  private counter = 0;

  /** Adds a rule after the existing ones; returns its id. */
  add(rule: HostRule): string {
    if (!rule || typeof rule !== 'object' || !rule.respond || typeof rule.respond !== 'object')
      throw new HostRuleError('a host rule needs a `respond` action');
    const a = rule.respond;
    const hasAction =
      a.fields !== undefined ||
      a.delayMs !== undefined ||
      a.noAnswer ||
      a.close ||
      a.badMac ||
      a.mti !== undefined ||
      a.stan !== undefined;
    if (!hasAction)
      throw new HostRuleError(
        'a host rule `respond` must do something (fields, delayMs, noAnswer, close, badMac, mti, stan)',
      );
    if (a.delayMs !== undefined && (!Number.isFinite(a.delayMs) || a.delayMs < 0 || a.delayMs > 600000))
      throw new HostRuleError(`delayMs must be 0..600000, got ${a.delayMs}`);
    if (rule.nth !== undefined && (!Number.isInteger(rule.nth) || rule.nth < 1))
      throw new HostRuleError(`nth must be a whole number >= 1`);
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1))
      throw new HostRuleError(`times must be a whole number >= 1`);
    if (
      rule.amount &&
      rule.amount.min !== undefined &&
      rule.amount.max !== undefined &&
      rule.amount.min > rule.amount.max
    )
      throw new HostRuleError(`amount range is empty (min ${rule.amount.min} > max ${rule.amount.max})`);
    if (rule.timeOfDay !== undefined) {
      const { from, to } = rule.timeOfDay;
      if (secondOfDayOf(from) === undefined || secondOfDayOf(to) === undefined)
        throw new HostRuleError(
          `timeOfDay needs from and to as HH:MM or HH:MM:SS, got ${JSON.stringify(rule.timeOfDay)}`,
        );
      if (from === to) throw new HostRuleError(`timeOfDay is empty (from ${from} = to ${to})`);
    }
    const id = rule.id ?? `rule-${++this.counter}`;
    if (this.rules.some((r) => r.rule.id === id))
      throw new HostRuleError(`a rule with id '${id}' exists already`);
    this.rules.push({ rule: { ...rule, id }, matched: 0, fired: 0 });
    return id;
  }

  /** Removes one rule; false when there was none with that id. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  /** The rules in order, with how often each matched and fired. */
  list(): { rule: HostRule; matched: number; fired: number }[] {
    return this.rules.map((r) => ({ rule: r.rule, matched: r.matched, fired: r.fired }));
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * The first rule that fires for a request. `read(path)` gives a field path's value ("mti" included);
   * `secondOfDay` is the host's time of day (seconds since its local midnight) for `timeOfDay` rules.
   * A rule whose matcher matches counts the request (for `nth`) even when it does not fire.
   */
  evaluate(read: (path: string) => unknown, secondOfDay?: number): RuleHit | undefined {
    if (this.rules.length === 0) return undefined;
    for (const live of this.rules) {
      const r = live.rule;
      if (r.times !== undefined && live.fired >= r.times) continue;
      if (r.timeOfDay && (secondOfDay === undefined || !withinTimeOfDay(r.timeOfDay, secondOfDay))) continue;
      if (!this.matches(r, read)) continue;
      live.matched++;
      if (r.nth !== undefined && live.matched !== r.nth) continue;
      live.fired++;
      return { id: r.id, action: r.respond };
    }
    return undefined;
  }

  private matches(r: HostRule, read: (path: string) => unknown): boolean {
    if (r.mti !== undefined) {
      const mti = String(read('mti'));
      if (Array.isArray(r.mti) ? !r.mti.includes(mti) : r.mti !== mti) return false;
    }
    if (r.amount) {
      const raw = read('4');
      if (raw === undefined) return false;
      const amount = Number(raw);
      if (r.amount.min !== undefined && amount < r.amount.min) return false;
      if (r.amount.max !== undefined && amount > r.amount.max) return false;
    }
    if (r.entryMode !== undefined) {
      const em = read('22');
      if (typeof em !== 'string' || !em.startsWith(r.entryMode)) return false;
    }
    if (r.match && !matchFields(r.match, read).ok) return false;
    return true;
  }
}

/** Seconds since midnight of `HH:MM` or `HH:MM:SS`, or undefined for anything else. */
function secondOfDayOf(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

/** True when `second` (of the day) lies in [from, to), the window spanning midnight when from > to. */
export function withinTimeOfDay(window: { from: string; to: string }, second: number): boolean {
  const from = secondOfDayOf(window.from) ?? 0;
  const to = secondOfDayOf(window.to) ?? 0;
  return from < to ? second >= from && second < to : second >= from || second < to;
}
