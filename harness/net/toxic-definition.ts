import type { ToxicStage } from './toxic-stage.js';

/** Toxic types: Toxiproxy's TCP toxics by their Toxiproxy names, plus `corrupt` (bit flips). */
export type ToxicType =
  | 'latency'
  | 'bandwidth'
  | 'timeout'
  | 'down'
  | 'reset_peer'
  | 'slicer'
  | 'limit_data'
  | 'slow_close'
  | 'corrupt';

/** Longest time a toxic or fault may hold data or wait (ms): one hour. */
export const MAX_DELAY_MS = 3_600_000;

/** One numeric attribute of a toxic, with Toxiproxy's JSON name and its documented bounds. */
export interface AttributeDefinition {
  readonly name: string;
  /** Unit for people: "ms", "µs", "KB/s", "bytes", "probability". */
  readonly unit: string;
  readonly default: number;
  readonly min: number;
  /** Every attribute is bounded (docs/proxy.md lists the bounds); beyond them the API answers 400. */
  readonly max: number;
  readonly integer: boolean;
}

/** What the registry knows of a toxic type: attributes (with defaults and ranges) and a stage factory. */
export interface ToxicDefinition {
  readonly type: ToxicType;
  readonly summary: string;
  readonly attributes: readonly AttributeDefinition[];
  /** Cross-attribute checks; throws ProxyInputError naming the attribute (`attributes.x`). */
  validate?(attributes: Readonly<Record<string, number>>): void;
  /** A fresh per-connection stage; the link calls `configure(attributes)` right after. */
  createStage(): ToxicStage;
}
