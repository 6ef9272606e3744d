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

/** One numeric attribute of a toxic, with Toxiproxy's JSON name. */
export interface AttributeDefinition {
  readonly name: string;
  /** Unit for people: "ms", "µs", "KB/s", "bytes", "probability". */
  readonly unit: string;
  readonly default: number;
  readonly min: number;
  readonly max?: number;
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
