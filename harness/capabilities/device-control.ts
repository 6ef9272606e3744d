/** A peripheral of the terminal whose condition a scenario can change. */
export type DeviceName = 'reader' | 'contactless' | 'pinpad' | 'printer';

/**
 * A peripheral's condition: `ok`, `fault` (does not work at all: a broken chip reader, a dead PIN pad, a
 * printer out of paper), or — contactless only — `weak` (a weakened field: a brief tap fails, a longer
 * hold works).
 */
export type DeviceCondition = 'ok' | 'fault' | 'weak';

/** The peripherals, in a stable order. */
export const DEVICE_NAMES: readonly DeviceName[] = ['reader', 'contactless', 'pinpad', 'printer'];

/** Changes the condition of the terminal's peripherals at run time (the `device` step). */
export interface DeviceControl {
  /**
   * Puts each named device into its condition; the others keep theirs. Takes effect from the next card,
   * PIN entry or receipt. Rejects a condition a device cannot be in (`weak` is for `contactless` only).
   */
  set(conditions: Partial<Record<DeviceName, DeviceCondition>>): Promise<void>;
}
