/**
 * The observers of a driver: `add` returns the unsubscribe, `emit` hands an observation to each in turn.
 * An observer that throws is reported through `onError` and does not stop the others.
 */
import type { Observation, ObservationListener } from './observation.js';

export class ObserverSet {
  private readonly listeners = new Set<ObservationListener>();

  constructor(private readonly onError: (e: Error) => void) {}

  add(listener: ObservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(o: Observation): void {
    for (const l of this.listeners) {
      try {
        l(o);
      } catch (e) {
        this.onError(e as Error);
      }
    }
  }
}
