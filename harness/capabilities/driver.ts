import type { Scenario } from '../scenario/index.js';

/** What a driver learns about the scenario run it is reset for. */
export interface ScenarioContext {
  /**
   * The scenario run's seed (common/run-seed.ts `scenarioSeed`): every draw of the bench's own parts
   * (terminal, cards, host simulator, proxy) comes from a stream derived from it.
   */
  seed: number;
}

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
  beginScenario?(scenario: Scenario, context?: ScenarioContext): Promise<void>;
  /** Called after each scenario, even a failed one. */
  endScenario?(): Promise<void>;
}
