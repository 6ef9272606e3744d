// Curated public API of harness/lab: shards, the local worker pool, lab errors.
export { parseShard, shardOf } from './shard.js';
export type { Shard } from './shard.js';
export { runPool } from './worker-pool.js';
export type { PoolWorker, PoolOptions, PoolOutcome } from './worker-pool.js';
export { LabError, ShardSpecError, WorkerLostError } from './errors.js';
