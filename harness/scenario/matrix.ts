import type { ScalarValue } from './scenario-types.js';

/** At most this many combinations per scenario: a typo such as a 100-element list should not explode. */
export const MAX_MATRIX_COMBINATIONS = 256;

/** Number of combinations of a matrix (the product of the list lengths). */
export function matrixSize(matrix: Record<string, readonly unknown[]>): number {
  return Object.values(matrix).reduce((n, list) => n * list.length, 1);
}

/**
 * Cartesian expansion: `{card: [a, b], amount: [1, 2]}` → the four combinations, the first variable
 * varying slowest, in the order written.
 */
export function expandMatrix(
  matrix: Record<string, readonly ScalarValue[]> | undefined,
): Record<string, ScalarValue>[] {
  let out: Record<string, ScalarValue>[] = [{}];
  for (const [name, values] of Object.entries(matrix ?? {})) {
    const next: Record<string, ScalarValue>[] = [];
    for (const combo of out) for (const v of values) next.push({ ...combo, [name]: v });
    out = next;
  }
  return out;
}

/** `card=cup-debit,amount=12.5`: how a combination shows in ids and messages. */
export function describeCombination(combo: Record<string, ScalarValue>): string {
  return Object.entries(combo)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}
