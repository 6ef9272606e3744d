/**
 * `${name}` interpolation of vars, matrix values and captures. A string that is exactly `${name}` takes
 * the value with its type (a number stays a number); inside longer text the value is written as text.
 * `$${` writes a literal `${`. Names not in scope are left as they are (captures are filled in at run time).
 * `${name + 1}` / `${name - 0.5}` compute with a decimal: a digit string keeps its width (STAN
 * `000123` + 1 = `000124`).
 */
import type { ScalarValue } from './scenario-types.js';

export type Scope = Readonly<Record<string, ScalarValue>>;

const REF = /\$\$\{|\$\{([^}]*)\}/g;

export interface VarRef {
  /** The variable (without the `+ N` / `- N` of a computed reference). */
  name: string;
  /** Index of the `$` in the string. */
  index: number;
  length: number;
}

/** Every `${name}` in a string (escaped `$${` excluded). */
export function findVarRefs(text: string): VarRef[] {
  const out: VarRef[] = [];
  if (!text.includes('${')) return out;
  for (const m of text.matchAll(REF)) {
    if (m[1] === undefined) continue;
    out.push({ name: refOf(m[1]).name, index: m.index, length: m[0].length });
  }
  return out;
}

/** A reference's variable and its offset: `stan + 1` → {name: 'stan', offset: '+1'}. */
function refOf(body: string): { name: string; sign?: string; operand?: string } {
  const m = COMPUTED.exec(body);
  if (!m) return { name: body };
  return m[2] === undefined
    ? { name: m[1] as string }
    : { name: m[1] as string, sign: m[2], operand: m[3] as string };
}

const COMPUTED = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:([+-])\s*(\d+(?:\.\d+)?))?\s*$/;

/** Exact decimal arithmetic on `value ± operand`; undefined when the value is not a decimal. */
function compute(value: ScalarValue, sign: string, operand: string): ScalarValue | undefined {
  const text = String(value);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const scale = Math.max(text.split('.')[1]?.length ?? 0, operand.split('.')[1]?.length ?? 0);
  const units = (s: string): bigint => {
    const [i, f = ''] = s.replace('-', '').split('.');
    const n = BigInt((i as string) + f.padEnd(scale, '0'));
    return s.startsWith('-') ? -n : n;
  };
  const sum = sign === '+' ? units(text) + units(operand) : units(text) - units(operand);
  const neg = sum < 0n;
  let digits = (neg ? -sum : sum).toString().padStart(scale + 1, '0');
  if (scale > 0) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  if (typeof value === 'number') return Number((neg ? '-' : '') + digits);
  // A digit string (a STAN, an amount in fen) keeps its width.
  if (!neg && /^\d+$/.test(text) && scale === 0) digits = digits.padStart(text.length, '0');
  return (neg ? '-' : '') + digits;
}

/** The value of a reference in scope, or undefined. */
function resolve(body: string, scope: Scope): ScalarValue | undefined {
  const r = refOf(body);
  if (!Object.hasOwn(scope, r.name)) return undefined;
  const v = scope[r.name] as ScalarValue;
  if (r.sign === undefined) return v;
  return compute(v, r.sign, r.operand as string);
}

function interpolateString(text: string, scope: Scope): ScalarValue {
  if (!text.includes('${')) return text;
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole) {
    const v = resolve(whole[1] as string, scope);
    if (v !== undefined) return v;
  }
  return text.replace(REF, (m, name: string | undefined) => {
    if (name === undefined) return '${';
    const v = resolve(name, scope);
    return v !== undefined ? String(v) : m;
  });
}

/** A deep copy of `value` with every `${name}` in scope replaced (keys are not interpolated). */
export function interpolate<T>(value: T, scope: Scope): T {
  if (typeof value === 'string') return interpolateString(value, scope) as T;
  if (Array.isArray(value)) return value.map((v) => interpolate(v, scope)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, scope);
    return out as T;
  }
  return value;
}

/** Calls `visit` for every string in `value` with its path. */
export function walkStrings(
  value: unknown,
  visit: (text: string, path: (string | number)[]) => void,
  path: (string | number)[] = [],
): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, visit, [...path, i]));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walkStrings(v, visit, [...path, k]);
  }
}
