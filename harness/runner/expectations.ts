/**
 * Expectations over the timeline. `within` waits until a match or the deadline (re-checked at every
 * timeline change, no fixed sleeps). Host expectations look from a cursor: consecutive expectations may
 * look at the same exchange again (request, then response, then more fields), never further back; once
 * an action step runs, the matched exchange is consumed and the next expectation looks further. `none`
 * asserts that nothing matching appears over the window. A failure names what was expected, the closest
 * candidate (decoded, masked) and the difference field by field.
 */
import {
  describeMatcher,
  matches,
  matchFields,
  type FieldMismatch,
  type Matcher,
} from '../common/matcher.js';
import { maskPansInText } from '../common/mask.js';
import { maskReportText } from '../net/index.js';
import type { Dialect, IsoMessage } from '../iso8583/index.js';
import { getPath } from '../iso8583/index.js';
import type { Expectation, MessageMatcher } from '../scenario/index.js';
import { parseDuration } from '../scenario/index.js';
import { apduViews, describeApdu, type ApduView } from './apdu-view.js';
import { ExpectationFailedError, StepError } from './errors.js';
import type { HostExchange, Timeline, TimelineEntry, TimelineMessage } from './timeline.js';

/** Where the next expectation looks. */
export interface Cursor {
  /** First exchange index the next host expectation may match after an action. */
  hostFrom: number;
  /** The exchange the last host expectation matched (consumed at the next action). */
  lastExchange?: number;
  /** First display entry (seq) that counts. */
  displayFrom: number;
  /** First receipt/result entry (seq) that counts. */
  receiptFrom: number;
  /** First APDU entry (seq) that counts: the card was last presented there. */
  apduFrom: number;
}

export function newCursor(): Cursor {
  return { hostFrom: 0, displayFrom: 0, receiptFrom: 0, apduFrom: 0 };
}

/** Actions that present a card: `expect apdu` looks at the dialogue from there on. */
const PRESENTING_ACTIONS: ReadonlySet<string> = new Set(['insert', 'tap', 'swipe']);

/** Called before a card is presented: APDUs of earlier presentations no longer count. */
export function markPresentation(c: Cursor, timeline: Timeline, action: string): void {
  if (PRESENTING_ACTIONS.has(action)) c.apduFrom = timeline.lastSeq + 1;
}

function apduMatches(spec: Record<string, unknown>, a: ApduView): FieldMismatch[] {
  return matchFields(spec as Record<string, Matcher>, (p) => a.fields[p]).mismatches;
}

/** Called before every action step: consumes the last matched exchange; the display now showing still counts. */
export function advanceCursor(c: Cursor, timeline: Timeline): void {
  if (c.lastExchange !== undefined && c.lastExchange >= c.hostFrom) c.hostFrom = c.lastExchange + 1;
  const displays = timeline.entries('display');
  const last = displays[displays.length - 1];
  c.displayFrom = last ? last.seq : timeline.lastSeq + 1;
  c.receiptFrom = timeline.lastSeq + 1;
}

export interface ExpectEnv {
  timeline: Timeline;
  dialect: Dialect;
  cursor: Cursor;
  /** Terminal fields now (state, signedIn, …). */
  terminalStatus(): Promise<Record<string, unknown>>;
  /** Card state now (9F36, pinTriesLeft, …). */
  cardState(): Promise<Record<string, unknown>>;
  /** `within` when the expectation has none (ms). */
  defaultWithinMs: number;
  /** `within` of a `none` without one (ms). */
  defaultNoneMs: number;
  signal?: AbortSignal;
}

/** The value at a field path of a timeline message (undefined when absent or not addressable). */
export function readMessage(
  dialect: Dialect,
  msg: TimelineMessage | undefined,
  path: string,
): string | undefined {
  if (!msg) return undefined;
  if (path === 'mti') return msg.mti;
  try {
    return getPath(dialect, { mti: msg.mti, fields: msg.fields as unknown as IsoMessage['fields'] }, path);
  } catch {
    return msg.fields[path];
  }
}

interface HostCheck {
  ok: boolean;
  /** Response still to come for a matching request. */
  pending: boolean;
  mismatches: FieldMismatch[];
}

function checkExchange(
  dialect: Dialect,
  x: HostExchange,
  spec: { request?: MessageMatcher; response?: MessageMatcher },
): HostCheck {
  const mismatches: FieldMismatch[] = [];
  if (spec.request) {
    const r = matchFields(spec.request as Record<string, Matcher>, (p) => readMessage(dialect, x.request, p));
    for (const m of r.mismatches) mismatches.push({ ...m, path: `request.${m.path}` });
  }
  if (spec.response) {
    const r = matchFields(spec.response as Record<string, Matcher>, (p) =>
      readMessage(dialect, x.response, p),
    );
    for (const m of r.mismatches) mismatches.push({ ...m, path: `response.${m.path}` });
  }
  const pending =
    mismatches.length > 0 && !x.response && mismatches.every((m) => m.path.startsWith('response.'));
  return { ok: mismatches.length === 0, pending, mismatches };
}

function hostFrom(c: Cursor): number {
  return c.lastExchange !== undefined && c.lastExchange >= c.hostFrom ? c.lastExchange : c.hostFrom;
}

function displayTexts(t: Timeline, from: number): { text: string; seq: number }[] {
  return t
    .entries('display')
    .filter((e) => e.seq >= from)
    .map((e) => ({ text: ((e.data.lines as string[] | undefined) ?? []).join('\n'), seq: e.seq }));
}

function receiptTexts(t: Timeline, from: number): string[] {
  return t
    .entries('receipt')
    .filter((e) => e.seq >= from)
    .map((e) => String(e.data.text ?? ''));
}

/**
 * Terminal status fields plus the last transaction result: its fields (outcome, messageKey, responseCode,
 * entryMode, reference, stan, authCode, amount, transaction, balance…) and its details as
 * `details.<name>` (fieldMs, receiptPrinted, tvr…). Status fields win over result fields of the same name.
 */
async function terminalFields(env: ExpectEnv): Promise<Record<string, unknown>> {
  const status = await env.terminalStatus();
  const results = env.timeline.entries('result');
  const last = results[results.length - 1]?.data.result as Record<string, unknown> | undefined;
  const fromResult: Record<string, unknown> = {};
  if (last)
    for (const [k, v] of Object.entries(last)) {
      if (v === undefined) continue;
      if (k === 'details' && v && typeof v === 'object') {
        for (const [dk, dv] of Object.entries(v as Record<string, unknown>))
          if (dv !== undefined && (dv === null || typeof dv !== 'object')) fromResult[`details.${dk}`] = dv;
      } else if (v === null || typeof v !== 'object') fromResult[k] = v;
    }
  return { ...fromResult, ...status };
}

function stateMatches(m: unknown, fields: Record<string, unknown>): boolean {
  const names = [
    fields.state,
    fields.signedIn === true ? 'signedIn' : fields.signedIn === false ? 'notSignedIn' : undefined,
  ].filter((x) => x !== undefined);
  return names.some((n) => matches(m, n));
}

function matchTerminal(spec: Record<string, unknown>, fields: Record<string, unknown>): FieldMismatch[] {
  const out: FieldMismatch[] = [];
  for (const [k, m] of Object.entries(spec)) {
    const ok = k === 'state' ? stateMatches(m, fields) : matches(m, fields[k]);
    if (!ok) out.push({ path: `terminal.${k}`, expected: m, actual: fields[k] });
  }
  return out;
}

/** Renders a message for a failure text: MTI and fields in order, masked. */
export function formatMessage(m: TimelineMessage | undefined): string {
  if (!m) return '(none)';
  const fields = Object.keys(m.fields)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => `${k}=${m.fields[k]}`)
    .join(' ');
  // Field values come masked from the spy (PAN 6/4, PIN block, track and key data redacted); masked by
  // field once more, so 42 (merchant id) and 64 (MAC) show as sent.
  return maskReportText(`${m.mti} ${fields}${m.fault ? ` [proxy fault: ${m.fault}]` : ''}`);
}

function formatMismatch(m: FieldMismatch): string {
  const got =
    m.actual === undefined ? 'absent' : typeof m.actual === 'string' ? m.actual : JSON.stringify(m.actual);
  // Masked by field: a PAN (2, 55.5A) or track data never in clear, a merchant id (42) or MAC (64) as sent.
  return maskReportText(`  ${m.path}: expected ${describeMatcher(m.expected)}, got ${got}`);
}

function describeSpec(exp: Record<string, unknown>): string {
  return maskReportText(JSON.stringify(exp));
}

/** Milliseconds of a `within`, or the default. */
export function withinOf(exp: { within?: unknown }, fallback: number): number {
  if (exp.within === undefined) return fallback;
  const ms = parseDuration(exp.within);
  if (ms === undefined) throw new StepError(`within '${String(exp.within)}' is not a duration`, 'expect');
  return ms;
}

interface Outcome {
  ok: boolean;
  /** Set when the host part matched. */
  exchange?: number;
  failures: string[];
  mismatches: FieldMismatch[];
  candidate?: unknown;
}

/** Evaluates the positive parts once. */
async function evaluate(exp: Expectation, env: ExpectEnv): Promise<Outcome> {
  const out: Outcome = { ok: true, failures: [], mismatches: [] };
  const { timeline: t, cursor: c, dialect } = env;
  if (exp.host) {
    const want = exp.count !== undefined ? Number(exp.count) : 1;
    const xs = t.exchanges().slice(hostFrom(c));
    const hits = xs.filter((x) => checkExchange(dialect, x, exp.host as never).ok);
    if (hits.length >= want && want > 0) out.exchange = (hits[want - 1] as HostExchange).index;
    else if (want === 0 && hits.length === 0) out.exchange = undefined;
    else {
      out.ok = false;
      let best: { x: HostExchange; r: HostCheck } | undefined;
      const pool = xs.length > 0 ? xs : t.exchanges();
      for (const x of pool) {
        const r = checkExchange(dialect, x, exp.host as never);
        if (r.ok) continue;
        // Closest: a matching request weighs more than a matching response; on a tie, the later one.
        const score = (c: HostCheck): number =>
          c.mismatches.reduce((a, m) => a + (m.path.startsWith('request.') ? 2 : 1), 0);
        if (!best || score(r) <= score(best.r)) best = { x, r };
      }
      const lines = [
        `expected host ${describeSpec(exp.host as Record<string, unknown>)}${want !== 1 ? ` ${want} times (saw ${hits.length})` : ''}`,
      ];
      if (best) {
        lines.push(`closest exchange #${best.x.index + 1} (connection ${best.x.conn}):`);
        lines.push(`  request:  ${formatMessage(best.x.request)}`);
        lines.push(`  response: ${formatMessage(best.x.response)}`);
        lines.push('difference:');
        for (const m of best.r.mismatches) lines.push(formatMismatch(m));
        out.mismatches.push(...best.r.mismatches);
        out.candidate = { request: best.x.request, response: best.x.response };
      } else
        lines.push(`no host exchange ${t.exchanges().length === 0 ? 'at all' : 'after the previous match'}`);
      out.failures.push(lines.join('\n'));
    }
  }
  if (exp.display !== undefined) {
    const ds = displayTexts(t, c.displayFrom);
    if (!ds.some((d) => matches(exp.display, d.text))) {
      out.ok = false;
      const shown =
        ds.map((d) => `  "${d.text.replace(/\n/g, ' | ')}"`).join('\n') || '  (no display change)';
      out.failures.push(`expected display ${describeMatcher(exp.display)}\ndisplay showed:\n${shown}`);
      out.mismatches.push({ path: 'display', expected: exp.display, actual: ds[ds.length - 1]?.text });
    }
  }
  if (exp.receipt !== undefined) {
    const rs = receiptTexts(t, c.receiptFrom);
    // No receipt: the matcher sees "absent" (so `{not: /APPROVED/}` holds, `/APPROVED/` does not).
    if (rs.length ? !rs.some((r) => matches(exp.receipt, r)) : !matches(exp.receipt, undefined)) {
      out.ok = false;
      out.failures.push(
        `expected receipt ${describeMatcher(exp.receipt)}\n${rs.length ? `last receipt:\n${maskPansInText(rs[rs.length - 1] as string)}` : 'no receipt printed'}`,
      );
      out.mismatches.push({ path: 'receipt', expected: exp.receipt, actual: rs[rs.length - 1] });
    }
  }
  if (exp.terminal) {
    const fields = await terminalFields(env);
    const mm = matchTerminal(exp.terminal as Record<string, unknown>, fields);
    if (mm.length) {
      out.ok = false;
      out.failures.push(
        [
          'expected terminal ' + describeSpec(exp.terminal as Record<string, unknown>),
          'difference:',
          ...mm.map(formatMismatch),
        ].join('\n'),
      );
      out.mismatches.push(...mm);
    }
  }
  if (exp.card) {
    const state = await env.cardState();
    const r = matchFields(exp.card as Record<string, Matcher>, (p) => state[p]);
    if (!r.ok) {
      out.ok = false;
      const mm = r.mismatches.map((m) => ({ ...m, path: `card.${m.path}` }));
      out.failures.push(
        [
          'expected card ' + describeSpec(exp.card as Record<string, unknown>),
          'difference:',
          ...mm.map(formatMismatch),
        ].join('\n'),
      );
      out.mismatches.push(...mm);
    }
  }
  if (exp.apdu) {
    const spec = exp.apdu as Record<string, unknown>;
    const views = apduViews(t, c.apduFrom);
    const want = exp.count !== undefined && !exp.host ? Number(exp.count) : 1;
    const hits = views.filter((a) => apduMatches(spec, a).length === 0);
    if (want > 0 ? hits.length < want : hits.length !== 0) {
      out.ok = false;
      let best: { a: ApduView; mm: FieldMismatch[] } | undefined;
      for (const a of views) {
        const mm = apduMatches(spec, a);
        if (mm.length && (!best || mm.length <= best.mm.length)) best = { a, mm };
      }
      const seen = views.map((a) => `  ${describeApdu(a)}`).join('\n') || '  (no command to the card)';
      const mm = (best?.mm ?? []).map((m) => ({ ...m, path: `apdu.${m.path}` }));
      out.failures.push(
        [
          `expected apdu ${describeSpec(spec)}${want !== 1 ? ` ${want} times (saw ${hits.length})` : ''}`,
          ...(best ? [`closest: ${describeApdu(best.a)}`, 'difference:', ...mm.map(formatMismatch)] : []),
          'the card was sent:',
          seen,
        ].join('\n'),
      );
      out.mismatches.push(...mm);
    }
  }
  return out;
}

/** The first violation of a `none` body, or undefined. */
async function violation(
  body: NonNullable<Expectation['none']>,
  env: ExpectEnv,
): Promise<string | undefined> {
  const { timeline: t, cursor: c, dialect } = env;
  if (body.host) {
    const x = t
      .exchanges()
      .slice(hostFrom(c))
      .find((x) => checkExchange(dialect, x, body.host as never).ok);
    if (x)
      return `expected no host ${describeSpec(body.host as Record<string, unknown>)}\nbut exchange #${x.index + 1}:\n  request:  ${formatMessage(x.request)}\n  response: ${formatMessage(x.response)}`;
  }
  if (body.display !== undefined) {
    const d = displayTexts(t, c.displayFrom).find((d) => matches(body.display, d.text));
    if (d)
      return `expected no display ${describeMatcher(body.display)}\nbut the display showed "${d.text.replace(/\n/g, ' | ')}"`;
  }
  if (body.receipt !== undefined) {
    const r = receiptTexts(t, c.receiptFrom).find((r) => matches(body.receipt, r));
    if (r) return `expected no receipt ${describeMatcher(body.receipt)}\nbut printed:\n${maskPansInText(r)}`;
  }
  if (body.terminal) {
    const fields = await terminalFields(env);
    const spec = body.terminal as Record<string, unknown>;
    if (Object.keys(spec).length > 0 && matchTerminal(spec, fields).length === 0)
      return `expected terminal not ${describeSpec(spec)}, but it is`;
  }
  if (body.card) {
    const state = await env.cardState();
    if (
      Object.keys(body.card).length > 0 &&
      matchFields(body.card as Record<string, Matcher>, (p) => state[p]).ok
    )
      return `expected card not ${describeSpec(body.card as Record<string, unknown>)}, but it is`;
  }
  if (body.apdu) {
    const spec = body.apdu as Record<string, unknown>;
    const a = apduViews(t, c.apduFrom).find((a) => apduMatches(spec, a).length === 0);
    if (a) return `expected no apdu ${describeSpec(spec)}\nbut the card was sent ${describeApdu(a)}`;
  }
  return undefined;
}

/**
 * Checks one expectation against the timeline, waiting up to `within`. On success a host match becomes
 * the cursor's last exchange. Throws ExpectationFailedError (verdict failed) otherwise.
 */
export async function checkExpectation(exp: Expectation, env: ExpectEnv): Promise<void> {
  const positive =
    exp.host !== undefined ||
    exp.display !== undefined ||
    exp.receipt !== undefined ||
    exp.terminal !== undefined ||
    exp.card !== undefined ||
    exp.apdu !== undefined;
  const within = withinOf(exp, positive ? env.defaultWithinMs : env.defaultNoneMs);
  const started = env.timeline.now();
  const deadline = started + within;
  // The `none` window has its own default even beside a positive part: a mixed expect without `within`
  // waits up to the `within` default for the positive part and watches the `none` part for the `none`
  // default (both from the step's start; the `none` part is looked at once more after the positive part).
  const noneDeadline = started + withinOf(exp, env.defaultNoneMs);
  let last: Outcome | undefined;
  if (positive) {
    const hit = await env.timeline.waitUntil(
      async () => {
        last = await evaluate(exp, env);
        return last.ok ? last : undefined;
      },
      deadline,
      env.signal,
    );
    if (!hit) {
      const o = last as Outcome;
      throw new ExpectationFailedError(
        `${o.failures.join('\n')}\n(waited ${within} ms)`,
        exp,
        o.candidate,
        o.mismatches,
      );
    }
    if (hit.exchange !== undefined) env.cursor.lastExchange = hit.exchange;
  }
  if (exp.none) {
    const body = exp.none;
    const bad = await env.timeline.waitUntil(() => violation(body, env), noneDeadline, env.signal);
    if (bad) throw new ExpectationFailedError(bad, exp, undefined, []);
  }
}

/** Reads a capture source: request.N, response.N, display, receipt, terminal.X, card.X. */
export async function readCaptureSource(source: string, env: ExpectEnv): Promise<unknown> {
  const [head, ...rest] = source.split('.');
  const path = rest.join('.');
  const t = env.timeline;
  if (head === 'request' || head === 'response') {
    const xs = t.exchanges();
    const x =
      env.cursor.lastExchange !== undefined
        ? xs[env.cursor.lastExchange]
        : [...xs].reverse().find((x) => x[head]);
    return readMessage(env.dialect, x?.[head], path);
  }
  if (head === 'display') {
    const d = t.entries('display');
    return ((d[d.length - 1]?.data.lines as string[] | undefined) ?? []).join('\n');
  }
  if (head === 'receipt') {
    const r = t.entries('receipt');
    return r[r.length - 1]?.data.text;
  }
  if (head === 'terminal') return (await terminalFields(env))[path];
  if (head === 'card') return (await env.cardState())[path];
  throw new StepError(
    `capture source '${source}' is not request.N, response.N, display, receipt, terminal.X or card.X`,
    'capture',
  );
}

export type { TimelineEntry };
