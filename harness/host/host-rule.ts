/**
 * Rules a scenario sets on the host at run time to bend its answers. A rule matches a request and says
 * how to answer; the first matching rule wins (rules are tried in the order they were added).
 */
import type { Matcher } from '../common/matcher.js';

/** What the host does with a request a rule matched. */
export interface RuleAction {
  /**
   * Fields set on the answer (field path → value; `null` removes the field). Setting "39" answers without
   * running the issuer (no balance change) unless `process` is true.
   */
  fields?: Record<string, string | null>;
  /**
   * Run the normal acquirer/issuer processing (balances, PIN tries change) before answering. Default true,
   * except when `fields` sets "39" (then the rule's answer replaces the issuer's).
   */
  process?: boolean;
  /** Wait this long (ms) before answering. */
  delayMs?: number;
  /** Do not answer at all. The request is still processed (the "answer lost on the way" case) unless `process: false`. */
  noAnswer?: boolean;
  /** Close the connection instead of answering (the request is processed unless `process: false`). */
  close?: boolean;
  /** Answer with a MAC that does not verify. */
  badMac?: boolean;
  /** Answer with this MTI instead of the right one. */
  mti?: string;
  /** Answer with this STAN (field 11) instead of the request's. */
  stan?: string;
}

export interface HostRule {
  /** Given by the caller or assigned by addRule ("rule-1", …). */
  id?: string;
  /** Field path → value matcher, e.g. {"3": "000000", "55.9F27": "80"}; "mti" matches the MTI. */
  match?: Record<string, Matcher>;
  /** MTI or MTIs of the request. */
  mti?: string | string[];
  /** Amount range on field 4, minor units, inclusive. */
  amount?: { min?: number; max?: number };
  /** Entry mode (field 22) prefix, e.g. "05" chip, "07" contactless, "02" swipe, "80" fallback. */
  entryMode?: string;
  /**
   * Fire only between these times of day (`HH:MM` or `HH:MM:SS`) on the host's calendar: `from`
   * inclusive, `to` exclusive; `from` later than `to` spans midnight (a night-time restriction).
   */
  timeOfDay?: { from: string; to: string };
  /** Fire only on the Nth request this rule matches (1-based); the others pass through. */
  nth?: number;
  /** Fire at most this many times, then the rule is spent. */
  times?: number;
  /** The answer. */
  respond: RuleAction;
}
