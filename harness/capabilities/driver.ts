import type { Scenario } from '../scenario/index.js';

/**
 * A driver binds to resources (a serial port, a TCP address, a browser page, a PC/SC reader) and
 * implements capabilities. It refuses capability calls while inactive (see `ActiveGuard`).
 */
export interface Driver {
  readonly name: string;
  /** Binds to its resources; a lab fault rejects with a `broken` error. Activating twice is a no-op. */
  activate(): Promise<void>;
  /** Releases its resources, whatever state they are in. Never rejects for an inactive driver. */
  deactivate(): Promise<void>;
  /** Called before each scenario (after the bench reset): fresh card/terminal state. */
  beginScenario?(scenario: Scenario): Promise<void>;
  /** Called after each scenario, even a failed one. */
  endScenario?(): Promise<void>;
}
