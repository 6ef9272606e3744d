/**
 * The value matchers of the scenario language, shared by scenario expectations, host rules and
 * message-aware proxy faults.
 *
 * - a plain scalar matches exactly; numbers and numeric strings compare as decimal numbers
 *   (`"000100"` matches `100`, exactly, whatever the number of digits);
 * - a string written `/re/flags` matches a regular expression (against the value as text);
 * - an object is the AND of its operators: `{exists}`, `{absent}`, `{oneOf: [m…]}`, `{not: m}`,
 *   `{lt, lte, gt, gte}` (decimal comparison), `{contains}` (substring, or an element of a list),
 *   `{startsWith}`.
 *
 * A message matcher is a map of field path → matcher, e.g.
 * `{mti: "0200", "3": "000000", "39": {not: "00"}, "55.9F27": "80"}`; see `matchFields`.
 */
export type Scalar = string | number | boolean | null;

export interface MatcherObject {
  exists?: boolean;
  absent?: boolean;
  oneOf?: Matcher[];
  not?: Matcher;
  lt?: number | string;
  lte?: number | string;
  gt?: number | string;
  gte?: number | string;
  contains?: Scalar;
  startsWith?: string;
  /** Exactly this value (decimals compare as decimals); never a regular expression. */
  equals?: Scalar;
}

export type Matcher = Scalar | MatcherObject;

/** The operator keys of a matcher object. */
export const MATCHER_OPERATORS = [
  'exists',
  'absent',
  'oneOf',
  'not',
  'lt',
  'lte',
  'gt',
  'gte',
  'contains',
  'startsWith',
  'equals',
] as const;

const REGEX_FORM = /^\/(.+)\/([dgimsuvy]*)$/s;
const regexCache = new Map<string, RegExp | null>();

/** The RegExp of a `/re/flags` matcher string; undefined when the string is not in that form or invalid. */
export function regexOf(text: string): RegExp | undefined {
  let hit = regexCache.get(text);
  if (hit === undefined) {
    const m = REGEX_FORM.exec(text);
    hit = null;
    if (m) {
      try {
        // 'g' and 'y' make test() stateful; they are meaningless for a one-shot match.
        hit = new RegExp(m[1] as string, (m[2] as string).replace(/[gy]/g, ''));
      } catch {
        hit = null;
      }
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(text, hit);
  }
  return hit ?? undefined;
}

/** True when the string has the `/…/flags` form (whether or not the pattern compiles). */
export function looksLikeRegex(text: string): boolean {
  return REGEX_FORM.test(text);
}

/**
 * Checks a matcher written by a person: returns a problem description (invalid regular expression,
 * unknown operator, operator of the wrong kind) or undefined when it is well formed.
 */
export function checkMatcher(m: unknown): string | undefined {
  if (m === null || typeof m !== 'object') {
    if (typeof m === 'string' && looksLikeRegex(m) && !regexOf(m)) {
      const match = REGEX_FORM.exec(m) as RegExpExecArray;
      try {
        new RegExp(match[1] as string, match[2]);
      } catch (e) {
        return `invalid regular expression ${m}: ${(e as Error).message}`;
      }
    }
    return undefined;
  }
  if (Array.isArray(m)) return 'a matcher is a value or an operator map, not a list (use {oneOf: [...]})';
  const keys = Object.keys(m);
  if (keys.length === 0) return 'empty matcher';
  for (const [k, v] of Object.entries(m)) {
    if (!(MATCHER_OPERATORS as readonly string[]).includes(k)) return `unknown matcher operator '${k}'`;
    if (k === 'oneOf') {
      if (!Array.isArray(v)) return 'oneOf takes a list';
      for (const x of v) {
        const p = checkMatcher(x);
        if (p) return p;
      }
    }
    if (k === 'not') {
      const p = checkMatcher(v);
      if (p) return p;
    }
    if ((k === 'lt' || k === 'lte' || k === 'gt' || k === 'gte') && decimalOf(v) === undefined) {
      return `${k} takes a number, found ${JSON.stringify(v)}`;
    }
  }
  return undefined;
}

interface Decimal {
  negative: boolean;
  int: string;
  frac: string;
}

/** A number or numeric string as a normalised decimal (exact for any number of digits). */
function decimalOf(v: unknown): Decimal | undefined {
  let text: string;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    text = Math.abs(v) >= 1e21 || (v !== 0 && Math.abs(v) < 1e-6) ? v.toFixed(20) : String(v);
  } else if (typeof v === 'string') text = v.trim();
  else if (typeof v === 'bigint') text = v.toString();
  else return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const int = (m[2] as string).replace(/^0+/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zero = int === '' && frac === '';
  return { negative: m[1] === '-' && !zero, int, frac };
}

function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const sign = a.negative ? -1 : 1;
  if (a.int.length !== b.int.length) return sign * (a.int.length < b.int.length ? -1 : 1);
  if (a.int !== b.int) return sign * (a.int < b.int ? -1 : 1);
  const width = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(width, '0');
  const fb = b.frac.padEnd(width, '0');
  return fa === fb ? 0 : sign * (fa < fb ? -1 : 1);
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null;
}

function asText(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('hex').toUpperCase();
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

function scalarMatches(expected: Scalar, actual: unknown, literal = false): boolean {
  if (expected === null) return isMissing(actual);
  if (isMissing(actual)) return false;
  if (typeof expected === 'string' && !literal) {
    const re = regexOf(expected);
    if (re) return re.test(asText(actual));
  }
  if (typeof expected === 'boolean') return actual === expected || asText(actual) === String(expected);
  const de = decimalOf(expected);
  const da = decimalOf(actual);
  if (de && da) return compareDecimal(de, da) === 0;
  return asText(actual) === String(expected);
}

function compare(actual: unknown, bound: unknown, ok: (c: number) => boolean): boolean {
  const a = decimalOf(actual);
  const b = decimalOf(bound);
  return a !== undefined && b !== undefined && ok(compareDecimal(a, b));
}

/** True when `actual` satisfies `matcher`. Never throws; a malformed matcher simply does not match. */
export function matches(matcher: Matcher | unknown, actual: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return scalarMatches(matcher as Scalar, actual);
  if (Array.isArray(matcher)) return false;
  const m = matcher as Record<string, unknown>;
  const keys = Object.keys(m);
  if (keys.length === 0) return false;
  for (const k of keys) {
    const v = m[k];
    let ok: boolean;
    switch (k) {
      case 'exists':
        ok = v === false ? isMissing(actual) : !isMissing(actual);
        break;
      case 'absent':
        ok = v === false ? !isMissing(actual) : isMissing(actual);
        break;
      case 'oneOf':
        ok = Array.isArray(v) && v.some((x) => matches(x, actual));
        break;
      case 'not':
        ok = !matches(v, actual);
        break;
      case 'lt':
        ok = compare(actual, v, (c) => c < 0);
        break;
      case 'lte':
        ok = compare(actual, v, (c) => c <= 0);
        break;
      case 'gt':
        ok = compare(actual, v, (c) => c > 0);
        break;
      case 'gte':
        ok = compare(actual, v, (c) => c >= 0);
        break;
      case 'contains':
        ok = Array.isArray(actual)
          ? actual.some((x) => matches(v, x))
          : !isMissing(actual) && asText(actual).includes(String(v));
        break;
      case 'startsWith':
        ok = !isMissing(actual) && asText(actual).startsWith(String(v));
        break;
      case 'equals':
        ok = (v === null || typeof v !== 'object') && scalarMatches(v as Scalar, actual, true);
        break;
      default:
        ok = false;
    }
    if (!ok) return false;
  }
  return true;
}

export interface FieldMismatch {
  path: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Applies a message matcher (field path → matcher) through `read`, which returns the value at a path
 * (undefined when absent). Every failing path is reported, in the spec's key order
 * (JavaScript puts integer-like keys such as "39" first, ascending).
 */
export function matchFields(
  spec: Record<string, Matcher>,
  read: (path: string) => unknown,
): { ok: boolean; mismatches: FieldMismatch[] } {
  const mismatches: FieldMismatch[] = [];
  for (const [path, expected] of Object.entries(spec)) {
    const actual = read(path);
    if (!matches(expected, actual)) mismatches.push({ path, expected, actual });
  }
  return { ok: mismatches.length === 0, mismatches };
}

/** A short human rendering of a matcher for reports: `= 00`, `/^9/`, `not 00`, `>= 100`, `one of 51, 61`. */
export function describeMatcher(m: unknown): string {
  if (m === null) return 'absent';
  if (typeof m !== 'object') return typeof m === 'string' && looksLikeRegex(m) ? `~ ${m}` : `= ${String(m)}`;
  if (Array.isArray(m)) return JSON.stringify(m);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    switch (k) {
      case 'exists':
        parts.push(v === false ? 'absent' : 'present');
        break;
      case 'absent':
        parts.push(v === false ? 'present' : 'absent');
        break;
      case 'oneOf':
        parts.push(
          `one of ${(Array.isArray(v) ? v : []).map((x) => describeMatcher(x).replace(/^= /, '')).join(', ')}`,
        );
        break;
      case 'not':
        parts.push(`not ${describeMatcher(v).replace(/^= /, '')}`);
        break;
      case 'lt':
        parts.push(`< ${String(v)}`);
        break;
      case 'lte':
        parts.push(`<= ${String(v)}`);
        break;
      case 'gt':
        parts.push(`> ${String(v)}`);
        break;
      case 'gte':
        parts.push(`>= ${String(v)}`);
        break;
      case 'contains':
        parts.push(`contains ${JSON.stringify(v)}`);
        break;
      case 'startsWith':
        parts.push(`starts with ${JSON.stringify(v)}`);
        break;
      case 'equals':
        parts.push(`= ${String(v)}`);
        break;
      default:
        parts.push(`${k}?`);
    }
  }
  return parts.join(' and ');
}
