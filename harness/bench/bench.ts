/**
 * A bench: drivers that provide capabilities, one lifecycle (activate/deactivate), one observation
 * stream. Steps ask the bench for a capability by name, never for a driver.
 */
import { realClock, type Clock } from '../common/clock.js';
import type { Scenario } from '../scenario/index.js';
import {
  ActiveGuard,
  InactiveDriverError,
  type CapabilityMap,
  type CapabilityName,
  type Driver,
  type Observation,
  type ObservationKind,
  type ObservationListener,
  type ScenarioContext,
} from '../capabilities/index.js';
import { CapabilityMissingError } from './errors.js';

/** Facts about the bench for reports (environment.properties). */
export type BenchFacts = Record<string, string>;

export interface BenchOptions {
  name: string;
  /** Lab capability words scenarios may `require` (chip, contactless, host, network…). */
  offers: readonly string[];
  drivers: readonly Driver[];
  capabilities: Partial<CapabilityMap>;
  facts?: BenchFacts;
  /** Step timeout default (ms). */
  stepTimeoutMs?: number;
  /** Scenario timeout default (ms). */
  scenarioTimeoutMs?: number;
  /**
   * Why this bench cannot serve a scenario its capabilities cover (e.g. a step its terminal protocol
   * cannot carry), or undefined. The runner skips the scenario with the reason.
   */
  cannotServe?: (scenario: Scenario) => string | undefined;
  /**
   * The clock everything on this bench waits on (runner deadlines, terminal, host, proxy, cards).
   * Default real time; the embedded bench runs on a SimulatedClock unless told `realTime`.
   */
  clock?: Clock;
}

export class Bench {
  readonly name: string;
  readonly offers: ReadonlySet<string>;
  readonly facts: BenchFacts;
  readonly stepTimeoutMs: number;
  readonly scenarioTimeoutMs: number;
  readonly clock: Clock;
  private readonly drivers: readonly Driver[];
  private readonly caps: Partial<CapabilityMap>;
  private readonly listeners = new Set<ObservationListener>();
  private readonly guard = new ActiveGuard<true>(() => new InactiveDriverError(this.name));
  private readonly faultListeners = new Set<(error: unknown) => void>();
  private readonly cannotServeWhy: ((scenario: Scenario) => string | undefined) | undefined;

  constructor(options: BenchOptions) {
    this.name = options.name;
    this.offers = new Set(options.offers);
    this.drivers = options.drivers;
    this.caps = options.capabilities;
    this.facts = { bench: options.name, ...(options.facts ?? {}) };
    this.stepTimeoutMs = options.stepTimeoutMs ?? 30000;
    this.scenarioTimeoutMs = options.scenarioTimeoutMs ?? 120000;
    this.cannotServeWhy = options.cannotServe;
    this.clock = options.clock ?? realClock;
  }

  get active(): boolean {
    return this.guard.active;
  }

  /** Activates every driver in order; on failure deactivates those already active and rethrows. */
  async activate(): Promise<void> {
    if (this.guard.active) return;
    const done: Driver[] = [];
    try {
      for (const d of this.drivers) {
        await d.activate();
        done.push(d);
      }
    } catch (e) {
      for (const d of done.reverse()) await d.deactivate().catch(() => undefined);
      throw e;
    }
    this.guard.activate(true);
  }

  /** Deactivates every driver in reverse order (errors of one do not stop the others). */
  async deactivate(): Promise<void> {
    if (!this.guard.deactivate()) return;
    for (const d of [...this.drivers].reverse()) await d.deactivate().catch(() => undefined);
  }

  /** Capability words a scenario requires that this bench lacks. */
  missing(requires: readonly string[]): string[] {
    return requires.filter((r) => !this.offers.has(r));
  }

  /** Why this bench cannot serve `scenario` though it offers what it requires; undefined when it can. */
  cannotServe(scenario: Scenario): string | undefined {
    return this.cannotServeWhy?.(scenario);
  }

  /** The capability `name`; throws CapabilityMissingError (broken) or InactiveDriverError. */
  get<K extends CapabilityName>(name: K): CapabilityMap[K] {
    const c = this.caps[name];
    if (!c) throw new CapabilityMissingError(name, this.name);
    this.guard.need(name);
    return c as CapabilityMap[K];
  }

  has(name: CapabilityName): boolean {
    return this.caps[name] !== undefined;
  }

  /** Resets drivers for the next scenario. */
  async beginScenario(scenario: Scenario, context?: ScenarioContext): Promise<void> {
    this.guard.need('beginScenario');
    for (const d of this.drivers) await d.beginScenario?.(scenario, context);
  }

  async endScenario(): Promise<void> {
    for (const d of [...this.drivers].reverse()) await d.endScenario?.().catch(() => undefined);
  }

  /** Observes everything the bench sees; returns the function that stops observing. */
  observe(listener: ObservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A driver reports an error no call of a step could carry: e.g. a payhil bug in a transaction the
   * terminal runs in the background. The runner stops the scenario with it (broken, with its stack).
   */
  fault(error: unknown): void {
    for (const l of this.faultListeners) l(error);
  }

  /** Hears the faults drivers report (see {@link fault}); returns the function that stops hearing. */
  onFault(listener: (error: unknown) => void): () => void {
    this.faultListeners.add(listener);
    return () => this.faultListeners.delete(listener);
  }

  /** Drivers report observations here. */
  emit(kind: ObservationKind, data: Record<string, unknown>, at = this.clock.now()): void {
    const o: Observation = { kind, at, data };
    for (const l of this.listeners) {
      try {
        l(o);
      } catch {
        // An observer must not break a driver.
      }
    }
  }
}
