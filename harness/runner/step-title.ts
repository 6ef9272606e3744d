/**
 * A step's title in words, as reports show it (Allure steps, the timeline, the console):
 * `expect host request 0200 with 55.9F26 present, response 39 = 00, within 30 s` rather than the step's
 * arguments as JSON. Contract: the title starts with the step's action (reports read the action back from
 * the first word: failure fingerprints of Allure results); a PIN never appears (`enterPin (6 digits)`);
 * titles are at most TITLE_CHARS characters. PANs are masked by the caller (maskPansInText).
 */

/** The longest title (longer ones end in …). */
export const TITLE_CHARS = 200;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A scalar as written: text bare, a regular expression as /…/. */
function scalar(v: unknown): string {
  if (typeof v === 'string') return v === '' ? "''" : v;
  return String(v);
}

/** A duration as written in a scenario (`10s`, `500ms`, 2000) in words: `10 s`, `500 ms`, `2 s`. */
export function durationWords(v: unknown): string {
  if (typeof v === 'number') return v >= 1000 && v % 1000 === 0 ? `${v / 1000} s` : `${v} ms`;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min)$/.exec(String(v).trim());
  if (!m) return String(v);
  const unit = m[2] === 'm' || m[2] === 'min' ? 'min' : m[2];
  return `${m[1]} ${unit}`;
}

/** A matcher on a named value: `39 = 00`, `55.9F26 present`, `display matches /DECLINED/i`. */
export function matcherWords(name: string, m: unknown): string {
  if (!isObj(m)) {
    if (typeof m === 'string' && /^\/.*\/[a-z]*$/.test(m)) return `${name} matches ${m}`;
    return `${name} = ${scalar(m)}`;
  }
  const parts: string[] = [];
  for (const [op, v] of Object.entries(m)) {
    switch (op) {
      case 'equals':
        parts.push(`${name} = ${scalar(v)}`);
        break;
      case 'exists':
        parts.push(v === false ? `${name} absent` : `${name} present`);
        break;
      case 'absent':
        parts.push(v === false ? `${name} present` : `${name} absent`);
        break;
      case 'oneOf':
        parts.push(
          `${name} one of ${(Array.isArray(v) ? v : [v]).map((x) => (isObj(x) ? flow(x) : scalar(x))).join(' | ')}`,
        );
        break;
      case 'not': {
        const inner = matcherWords(name, v);
        parts.push(
          inner.startsWith(`${name} = `) ? `${name} ≠ ${inner.slice(name.length + 3)}` : `not (${inner})`,
        );
        break;
      }
      case 'lt':
        parts.push(`${name} < ${scalar(v)}`);
        break;
      case 'lte':
        parts.push(`${name} ≤ ${scalar(v)}`);
        break;
      case 'gt':
        parts.push(`${name} > ${scalar(v)}`);
        break;
      case 'gte':
        parts.push(`${name} ≥ ${scalar(v)}`);
        break;
      case 'contains':
        parts.push(`${name} contains ${scalar(v)}`);
        break;
      case 'startsWith':
        parts.push(`${name} starts with ${scalar(v)}`);
        break;
      default:
        parts.push(`${name} ${op} ${isObj(v) ? flow(v) : scalar(v)}`);
    }
  }
  return parts.join(', ');
}

/** An ISO 8583 message matcher: `request 0200 with 55.9F26 present, 11 = 000123`. */
function messageWords(side: string, m: unknown): string {
  if (!isObj(m)) return `${side} ${scalar(m)}`;
  const { mti, ...fields } = m;
  const head =
    mti === undefined ? side : isObj(mti) ? `${side} ${matcherWords('MTI', mti)}` : `${side} ${scalar(mti)}`;
  const rest = Object.entries(fields).map(([k, v]) => matcherWords(k, v));
  if (rest.length === 0) return head;
  return `${head}${mti === undefined ? ' ' : ' with '}${rest.join(', ')}`;
}

/** A group of matchers under a word: `terminal state = idle, responseCode = 00`. */
function groupWords(word: string, m: unknown): string {
  if (!isObj(m)) return matcherWords(word, m);
  return `${word} ${Object.entries(m)
    .map(([k, v]) => matcherWords(k, v))
    .join(', ')}`;
}

/** The body of an expectation (what must or must not appear), without `within`/`count`. */
function expectationBody(e: Obj): string[] {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(e)) {
    switch (k) {
      case 'host': {
        const h = isObj(v) ? v : {};
        const sides: string[] = [];
        if (h.request !== undefined) sides.push(messageWords('request', h.request));
        if (h.response !== undefined) sides.push(messageWords('response', h.response));
        parts.push(`host ${sides.join(', ')}`);
        break;
      }
      case 'display':
      case 'receipt':
        parts.push(matcherWords(k, v));
        break;
      case 'apdu': {
        const a = isObj(v) ? v : {};
        const { command, ...rest } = a;
        const head =
          command === undefined
            ? 'apdu'
            : isObj(command)
              ? `apdu ${matcherWords('command', command)}`
              : `apdu ${scalar(command)}`;
        const more = Object.entries(rest).map(([n, x]) => matcherWords(n, x));
        parts.push(more.length ? `${head} with ${more.join(', ')}` : head);
        break;
      }
      case 'terminal':
      case 'card':
        parts.push(groupWords(k, v));
        break;
      case 'none':
        parts.push(`no ${isObj(v) ? expectationBody(v).join(', ') : scalar(v)}`);
        break;
      case 'within':
      case 'count':
        break;
      default:
        parts.push(matcherWords(k, v));
    }
  }
  return parts;
}

/** An expectation in words: `host request 0200 …, within 30 s` (no `expect` word). */
export function expectationWords(e: unknown): string {
  if (!isObj(e)) return scalar(e);
  const parts = expectationBody(e);
  if (e.count !== undefined) parts.push(`${scalar(e.count)} times`);
  if (e.within !== undefined) parts.push(`within ${durationWords(e.within)}`);
  return parts.join(', ');
}

/** Any value as compact flow text without quotes: `{mti: 0200, respond: {fields: {39: 51}}}`. */
export function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (isObj(v))
    return `{${Object.entries(v)
      .map(([k, x]) => `${k}: ${flow(x)}`)
      .join(', ')}}`;
  return scalar(v);
}

/** Top-level arguments as `key value, key value` (nested values in flow text). */
function argWords(a: Obj): string {
  return Object.entries(a)
    .map(([k, v]) => `${k} ${isObj(v) || Array.isArray(v) ? flow(v) : scalar(v)}`)
    .join(', ');
}

function bounded(text: string): string {
  return text.length > TITLE_CHARS ? `${text.slice(0, TITLE_CHARS - 1)}…` : text;
}

/** The title of a step `action` with its (interpolated) arguments. */
export function stepTitle(action: string, args: unknown): string {
  if (args === null || args === undefined || (isObj(args) && Object.keys(args).length === 0)) return action;
  // A PIN never reaches a report, even a test PIN.
  if (action === 'enterPin') {
    const a = isObj(args) ? args : {};
    return a.cancel
      ? 'enterPin (cancel)'
      : a.timeout
        ? 'enterPin (let it time out)'
        : `enterPin (${String(a.pin ?? '').length} digits)`;
  }
  if (!isObj(args)) return bounded(`${action} ${scalar(args)}`);
  switch (action) {
    case 'repeat':
      return `repeat ${scalar(args.times)} times`;
    case 'expect':
      return bounded(`expect ${expectationWords(args)}`);
    case 'wait': {
      if (args.until !== undefined)
        return bounded(
          `wait until ${expectationWords(args.until)}${args.timeout !== undefined ? `, at most ${durationWords(args.timeout)}` : ''}`,
        );
      return `wait ${durationWords(args.ms)}`;
    }
    case 'include': {
      const w = isObj(args.with) ? Object.entries(args.with) : [];
      // An included PIN is a PIN: its value stays out of the title.
      const params = w.map(([k, v]) => (/pin/i.test(k) ? `${k} ****` : `${k} ${scalar(v)}`));
      return bounded(`include ${scalar(args.file)}${params.length ? ` with ${params.join(', ')}` : ''}`);
    }
    case 'capture':
      return bounded(
        `capture ${Object.entries(args)
          .map(([k, v]) => `${k} = ${scalar(v)}`)
          .join(', ')}`,
      );
    case 'operator':
      return bounded(`operator: ${scalar(args.prompt)}${args.input ? ` (${scalar(args.input)})` : ''}`);
    case 'host': {
      const rules = Array.isArray(args.rules) ? args.rules : [];
      const parts = rules.map((r) => `rule ${flow(r)}`);
      if (isObj(args.accounts)) parts.push(`accounts ${flow(args.accounts)}`);
      return bounded(`host ${parts.join('; ')}`);
    }
    default:
      return bounded(`${action} ${argWords(args)}`);
  }
}
