/**
 * Bench capabilities a scenario needs because of the steps it takes, whether or not its `requires` lists
 * them: a `clock` step needs `clock` (the bench can set the terminal's and the host's date and time), a
 * `mode` step needs `maintenance` (the bench can switch the terminal's mode). A bench without them
 * reports such a scenario *skipped* with the reason, not broken halfway.
 */
import type { ActionName, LoadedStep } from './scenario.js';

/** Step action → the capability word it needs. */
export const STEP_REQUIRES: Readonly<Partial<Record<ActionName, string>>> = {
  clock: 'clock',
  mode: 'maintenance',
};

/** `requires` plus what the steps (repeats included) need, in the order first seen, no duplicates. */
export function withImpliedRequires(
  requires: readonly string[],
  ...stepLists: readonly (readonly LoadedStep[])[]
): string[] {
  const out = new Set(requires);
  const walk = (steps: readonly LoadedStep[]): void => {
    for (const s of steps) {
      const need = STEP_REQUIRES[s.action];
      if (need) out.add(need);
      if (s.steps) walk(s.steps);
    }
  };
  for (const l of stepLists) walk(l);
  return [...out];
}
