/**
 * The emulated terminal's events as bench observations: which event types land on the timeline and under
 * which observation kind. Indicator (beeps, LEDs) and device events stay inside the emulator.
 */
import { OBSERVATION, type Observation, type ObservationKind } from '../../capabilities/index.js';
import type { TerminalEvent } from '../../emulator/index.js';

/** Terminal event type → observation kind. */
export const OBSERVED_TERMINAL_EVENTS: Readonly<Partial<Record<TerminalEvent['type'], ObservationKind>>> = {
  display: OBSERVATION.DISPLAY,
  state: OBSERVATION.STATE,
  receipt: OBSERVATION.RECEIPT,
  apdu: OBSERVATION.APDU,
  card: OBSERVATION.CARD,
  result: OBSERVATION.RESULT,
  reversal: OBSERVATION.REVERSAL,
  'host-error': OBSERVATION.HOST_ERROR,
  message: OBSERVATION.TERMINAL_MESSAGE,
  note: OBSERVATION.NOTE,
};

/** The observation of a terminal event (its fields but `type`, `at` and `seq`), or undefined. */
export function observationOfTerminalEvent(e: TerminalEvent): Observation | undefined {
  const { type, at, seq: _seq, ...rest } = e as TerminalEvent & Record<string, unknown>;
  void _seq;
  const kind = OBSERVED_TERMINAL_EVENTS[type];
  return kind ? { kind, at, data: rest } : undefined;
}
