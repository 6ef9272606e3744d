import { checkMatcher, matchFields, type Matcher } from '../common/matcher.js';
import type { Dialect } from '../iso8583/dialect-types.js';
import { parsePath } from '../iso8583/field-path.js';
import { AlreadyExistsError, NotFoundError, ProxyInputError } from './errors.js';
import { MAX_DELAY_MS } from './toxic-definition.js';
import type { StreamDirection } from './toxic-stage.js';

/**
 * What a message-aware fault does to the message it fires on:
 * - `drop`: the message is not forwarded;
 * - `delay`: forwarded `delay` ms later (messages behind it wait, order is kept);
 * - `duplicate`: forwarded `copies` + 1 times;
 * - `corruptField`: `field` (a path: "64", "39", "55.9F26", "60.2") set to `value`, or altered when no
 *   value is given (last digit/character changed, first byte of binary data inverted), then re-encoded;
 * - `cutAfter`: forwarded (only its first `bytes` bytes when given), then the connection is closed ("the
 *   host approved, the terminal never heard" / "the answer was cut mid-frame").
 */
export type FaultAction = 'drop' | 'delay' | 'duplicate' | 'corruptField' | 'cutAfter';

export const FAULT_ACTIONS: readonly FaultAction[] = [
  'drop',
  'delay',
  'duplicate',
  'corruptField',
  'cutAfter',
];

/** A message fault as given by a caller. */
export interface MessageFaultInput {
  readonly name?: string;
  readonly action: FaultAction | string;
  /** Direction whose messages are considered; default both. */
  readonly stream?: StreamDirection | 'both';
  /** Field path → matcher (`{mti: "0200", "3": "000000"}`); default every message. */
  readonly match?: Readonly<Record<string, Matcher>>;
  /** Fire on the Nth matching message (1-based, counted across connections). Default 1. */
  readonly nth?: number;
  /** Standing: fire on the Nth and every later match. One-shot (default): only on the Nth. */
  readonly standing?: boolean;
  /** delay: milliseconds. */
  readonly delay?: number;
  /** duplicate: extra copies (default 1). */
  readonly copies?: number;
  /** corruptField: the field path. */
  readonly field?: string;
  /** corruptField: the new value (default: altered). */
  readonly value?: string;
  /** cutAfter: bytes of the frame forwarded before the close (default: the whole frame). */
  readonly bytes?: number;
}

/** A validated fault with its counters. */
export interface MessageFaultSpec {
  readonly name: string;
  readonly action: FaultAction;
  readonly stream: StreamDirection | 'both';
  readonly match: Readonly<Record<string, Matcher>>;
  readonly nth: number;
  readonly standing: boolean;
  readonly delay?: number;
  readonly copies?: number;
  readonly field?: string;
  readonly value?: string;
  readonly bytes?: number;
  /** Messages that matched so far. */
  readonly matched: number;
  /** Times the fault acted. */
  readonly fired: number;
  /** A one-shot fault that has fired. */
  readonly spent: boolean;
}

interface FaultState {
  spec: Omit<MessageFaultSpec, 'matched' | 'fired' | 'spent'>;
  matched: number;
  fired: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Bounds of a fault's numbers (docs/proxy.md): each copy of a duplicated frame is held and sent, so
 * `copies` is what bounds the traffic and memory one message can cause.
 */
export const FAULT_BOUNDS = {
  nth: { min: 1, max: 1_000_000_000 },
  delay: { min: 0, max: MAX_DELAY_MS },
  copies: { min: 1, max: 100 },
  bytes: { min: 0, max: 1_048_576 },
} as const;
/** Longest corruptField value (characters) and field path. */
const MAX_VALUE_CHARS = 4096;
const MAX_PATH_CHARS = 64;
const MAX_MATCHERS = 64;

function boundedInt(v: unknown, field: keyof typeof FAULT_BOUNDS): number {
  const { min, max } = FAULT_BOUNDS[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProxyInputError(`${field} must be an integer from ${min} to ${max}`, { field });
  }
  return v;
}

/** Validates a fault from a caller; with a dialect, field paths are checked against it too. */
export function normalizeFault(input: unknown, dialect?: Dialect): FaultState['spec'] {
  if (!isRecord(input)) throw new ProxyInputError('fault must be a JSON object', { field: '(body)' });
  const known = [
    'name',
    'action',
    'stream',
    'match',
    'nth',
    'standing',
    'delay',
    'copies',
    'field',
    'value',
    'bytes',
  ];
  for (const k of Object.keys(input)) {
    if (!known.includes(k))
      throw new ProxyInputError(`${k}: unknown fault property (known: ${known.join(', ')})`, { field: k });
  }
  const action = input.action;
  if (typeof action !== 'string' || !(FAULT_ACTIONS as readonly string[]).includes(action)) {
    throw new ProxyInputError(`action must be one of ${FAULT_ACTIONS.join(', ')}`, { field: 'action' });
  }
  const stream = input.stream ?? 'both';
  if (stream !== 'upstream' && stream !== 'downstream' && stream !== 'both') {
    throw new ProxyInputError('stream must be upstream, downstream or both', { field: 'stream' });
  }
  const match = input.match ?? {};
  if (!isRecord(match))
    throw new ProxyInputError('match must be a map of field path to matcher', { field: 'match' });
  if (Object.keys(match).length > MAX_MATCHERS)
    throw new ProxyInputError(`match takes at most ${MAX_MATCHERS} field paths`, { field: 'match' });
  const checkPath = (path: string, field: string): void => {
    if (!dialect) return;
    try {
      parsePath(dialect, path);
    } catch (e) {
      throw new ProxyInputError(`${field}: ${(e as Error).message}`, { field });
    }
  };
  for (const [path, m] of Object.entries(match)) {
    if (path.length > MAX_PATH_CHARS)
      throw new ProxyInputError(`match: a field path is at most ${MAX_PATH_CHARS} characters`, {
        field: 'match',
      });
    const problem = checkMatcher(m);
    if (problem) throw new ProxyInputError(`match.${path}: ${problem}`, { field: `match.${path}` });
    checkPath(path, `match.${path}`);
  }
  if (input.name !== undefined && (typeof input.name !== 'string' || !/^[\w.-]{1,100}$/.test(input.name))) {
    throw new ProxyInputError('name must be 1-100 characters of letters, digits, _ . -', { field: 'name' });
  }
  if (input.standing !== undefined && typeof input.standing !== 'boolean') {
    throw new ProxyInputError('standing must be true or false', { field: 'standing' });
  }
  const spec: {
    -readonly [K in keyof FaultState['spec']]: FaultState['spec'][K];
  } = {
    name: (input.name as string | undefined) ?? '',
    action: action as FaultAction,
    stream,
    match: match as Record<string, Matcher>,
    nth: input.nth === undefined ? 1 : boundedInt(input.nth, 'nth'),
    standing: input.standing === true,
  };
  if (action === 'delay') {
    if (input.delay === undefined)
      throw new ProxyInputError('delay (ms) is required for action delay', { field: 'delay' });
    spec.delay = boundedInt(input.delay, 'delay');
  }
  if (action === 'duplicate')
    spec.copies = input.copies === undefined ? 1 : boundedInt(input.copies, 'copies');
  if (action === 'corruptField') {
    if (typeof input.field !== 'string' || input.field === '' || input.field.length > MAX_PATH_CHARS) {
      throw new ProxyInputError(
        `field (a field path such as "64" or "55.9F26", at most ${MAX_PATH_CHARS} characters) is required for corruptField`,
        { field: 'field' },
      );
    }
    checkPath(input.field, 'field');
    spec.field = input.field;
    if (input.value !== undefined) {
      if (typeof input.value !== 'string' || input.value.length > MAX_VALUE_CHARS)
        throw new ProxyInputError(`value must be a string of at most ${MAX_VALUE_CHARS} characters`, {
          field: 'value',
        });
      spec.value = input.value;
    }
  }
  if (action === 'cutAfter' && input.bytes !== undefined) spec.bytes = boundedInt(input.bytes, 'bytes');
  for (const k of ['delay', 'copies', 'field', 'value', 'bytes'] as const) {
    if (input[k] !== undefined && spec[k] === undefined) {
      throw new ProxyInputError(`${k} does not apply to action ${action}`, { field: k });
    }
  }
  return spec;
}

/**
 * The message faults of one proxy. Counters are shared by all its connections, so "the 2nd 0200" means
 * the 2nd the proxy saw, whichever connection carried it (terminals often connect per transaction).
 * When several faults fire on one message, the first added acts; every matching fault counts it.
 */
export class MessageFaults {
  private faults: FaultState[] = [];
  private serial = 0;
  /** Called after any change (connections flush or hold partial frames accordingly). */
  onChange: () => void = () => {};

  constructor(private readonly dialect?: Dialect) {}

  add(input: unknown): MessageFaultSpec {
    const spec = normalizeFault(input, this.dialect);
    if (!spec.name) (spec as { name: string }).name = `${spec.action}_${++this.serial}`;
    if (this.faults.some((f) => f.spec.name === spec.name)) throw new AlreadyExistsError('fault', spec.name);
    const state = { spec, matched: 0, fired: 0 };
    this.faults.push(state);
    this.onChange();
    return this.view(state);
  }

  remove(name: string): void {
    const i = this.faults.findIndex((f) => f.spec.name === name);
    if (i < 0) throw new NotFoundError('fault', name);
    this.faults.splice(i, 1);
    this.onChange();
  }

  get(name: string): MessageFaultSpec {
    const f = this.faults.find((x) => x.spec.name === name);
    if (!f) throw new NotFoundError('fault', name);
    return this.view(f);
  }

  list(): MessageFaultSpec[] {
    return this.faults.map((f) => this.view(f));
  }

  clear(): void {
    this.faults = [];
    this.onChange();
  }

  private view(f: FaultState): MessageFaultSpec {
    return { ...f.spec, matched: f.matched, fired: f.fired, spent: !f.spec.standing && f.fired > 0 };
  }

  /** Whether any live fault watches this direction (frames are then held until complete). */
  activeFor(dir: StreamDirection): boolean {
    for (const f of this.faults) {
      if ((f.spec.stream === 'both' || f.spec.stream === dir) && (f.spec.standing || f.fired === 0))
        return true;
    }
    return false;
  }

  /** Counts a message against every fault watching `dir`; returns the fault that acts on it, if any. */
  decide(dir: StreamDirection, read: (path: string) => unknown): MessageFaultSpec | undefined {
    let acting: FaultState | undefined;
    let spentNow = false;
    for (const f of this.faults) {
      const s = f.spec;
      if (s.stream !== 'both' && s.stream !== dir) continue;
      if (!s.standing && f.fired > 0) continue;
      if (!matchFields(s.match as Record<string, Matcher>, read).ok) continue;
      f.matched++;
      const due = s.standing ? f.matched >= s.nth : f.matched === s.nth;
      if (due && !acting) {
        acting = f;
        f.fired++;
        if (!s.standing) spentNow = true;
      }
    }
    if (spentNow) this.onChange();
    return acting ? this.view(acting) : undefined;
  }
}
