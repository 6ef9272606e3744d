/**
 * `--shard i/n`: a deterministic split of the expanded scenario list across CI machines. Shard i of n
 * takes the scenarios at positions i-1, i-1+n, i-1+2n… of the catalogue, so every scenario is in exactly
 * one shard, the shards differ in size by at most one, and a folder's scenarios spread over the shards.
 */
import { ShardSpecError } from './errors.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 1000). */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(spec);
  if (!m) throw new ShardSpecError(spec);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 1000 || index < 1 || index > count) throw new ShardSpecError(spec);
  return { index, count };
}

/** The items of shard `shard`, in their original order. */
export function shardOf<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}
