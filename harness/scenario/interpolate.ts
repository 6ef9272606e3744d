/**
 * `${name}` interpolation of vars, matrix values and captures. A string that is exactly `${name}` takes
 * the value with its type (a number stays a number); inside longer text the value is written as text.
 * `$${` writes a literal `${`. Names not in scope are left as they are (captures are filled in at run time).
 */
import type { ScalarValue } from './scenario-types.js';

export type Scope = Readonly<Record<string, ScalarValue>>;

const REF = /\$\$\{|\$\{([^}]*)\}/g;

export interface VarRef {
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
    out.push({ name: m[1], index: m.index, length: m[0].length });
  }
  return out;
}

function interpolateString(text: string, scope: Scope): ScalarValue {
  if (!text.includes('${')) return text;
  const whole = /^\$\{([^}]*)\}$/.exec(text);
  if (whole && Object.hasOwn(scope, whole[1] as string)) return scope[whole[1] as string] as ScalarValue;
  return text.replace(REF, (m, name: string | undefined) => {
    if (name === undefined) return '${';
    return Object.hasOwn(scope, name) ? String(scope[name]) : m;
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
