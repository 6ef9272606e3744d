// Curated public API of harness/lab: shards, the local worker pool, the lab inventory, agents and
// distributed runs on BullMQ + Redis, lab errors.
export { parseShard, shardOf } from './shard.js';
export type { Shard } from './shard.js';
export { runPool } from './worker-pool.js';
export type { PoolWorker, PoolOptions, PoolOutcome } from './worker-pool.js';
export { createBenchOf } from './bench-spec.js';
export type { BenchSpec } from './bench-spec.js';
export { loadInventory, matchesTags, INVENTORY_SCHEMA } from './inventory.js';
export type { LabBench, LabDevice } from './inventory.js';
export { parseRedisAddress, connectRedis, redisOptions } from './redis-address.js';
export type { RedisAddress } from './redis-address.js';
export { LabStore } from './lab-store.js';
export type {
  BenchRegistration,
  BenchStatus,
  BenchStatusWord,
  BenchActivity,
  BenchHealth,
  Reservation,
} from './lab-store.js';
export { QUEUE_PREFIX, poolQueueName, jobId } from './lab-queue.js';
export type { ScenarioJob } from './lab-queue.js';
export { Agent } from './agent.js';
export { checkBench } from './health-check.js';
export type { AgentOptions } from './agent.js';
export { runDistributed, poolsOf } from './distributed-run.js';
export type { DistributedRunOptions, QueuedScenario } from './distributed-run.js';
export { LabError, ShardSpecError, WorkerLostError, BenchHealthError } from './errors.js';
