/**
 * `payhil agent`: serves the benches of this machine from their pools' BullMQ queues. Per bench: a health
 * check before its first job and after any broken verdict (LAVA-style: a failing bench takes no work
 * until `payhil lab check` passes, and its scenario goes back to the queue for a healthy bench), a worker
 * of concurrency 1 whose job lock (renewed automatically) is the lease, paused while the bench is
 * reserved or unhealthy. A heartbeat key says the agent is alive. `stop()` lets the running scenarios
 * finish, then deregisters.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Bench } from '../bench/index.js';
import { createBenchOf } from './bench-spec.js';
import type { LabBench } from './inventory.js';
import { LabStore, type BenchHealth } from './lab-store.js';
import {
  bullConnection,
  poolQueueName,
  QUEUE_PREFIX,
  type CancelledJob,
  type ScenarioJob,
} from './lab-queue.js';
import type { RedisAddress } from './redis-address.js';
import { LabError } from './errors.js';
import { checkBench } from './health-check.js';

export interface AgentOptions<R extends { status: string }> {
  address: RedisAddress;
  redis: Redis;
  benches: readonly LabBench[];
  /** Runs one scenario on an (active, kept active) bench and gives its record. */
  execute(bench: Bench, job: ScenarioJob): Promise<R>;
  /** Job lock (lease) in ms; renewed at half. Default 30000. */
  lockMs?: number;
  /** Heartbeat period in ms (the key lives 3 periods). Default 2000. */
  heartbeatMs?: number;
  /** Bound of a health check in ms. Default 60000. */
  checkTimeoutMs?: number;
  /** Progress lines. */
  log(line: string): void;
}

interface Slot {
  lab: LabBench;
  bench?: Bench;
  worker?: Worker;
  healthy: boolean;
  reserved: boolean;
  paused: boolean;
  busy: boolean;
}

export class Agent<R extends { status: string }> {
  readonly id = `${hostname()}:${process.pid}`;
  private readonly store: LabStore;
  private readonly slots: Slot[];
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private stopping = false;

  constructor(private readonly o: AgentOptions<R>) {
    this.store = new LabStore(o.redis);
    this.slots = o.benches.map((lab) => ({
      lab,
      healthy: false,
      reserved: false,
      paused: false,
      busy: false,
    }));
  }

  /** Registers the benches (refused when another live agent serves one), checks them, starts serving. */
  async start(): Promise<void> {
    const live = await this.store.status();
    for (const s of this.slots) {
      const other = live.find((b) => b.name === s.lab.name && b.status !== 'offline' && b.agent !== this.id);
      if (other)
        throw new LabError(
          'E_LAB_BENCH_SERVED',
          `bench '${s.lab.name}' is already served by agent ${other.agent}`,
        );
    }
    await this.store.heartbeat(this.id, this.heartbeatMs * 3);
    for (const s of this.slots) {
      await this.store.register({
        name: s.lab.name,
        pool: s.lab.pool,
        capabilities: s.lab.capabilities,
        tags: s.lab.tags,
        devices: s.lab.devices,
        agent: this.id,
        registeredAt: Date.now(),
      });
      await this.store.setActivity(s.lab.name, { state: 'checking', since: Date.now() });
    }
    await Promise.all(this.slots.map((s) => this.check(s, false)));
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
  }

  private get heartbeatMs(): number {
    return this.o.heartbeatMs ?? 2000;
  }

  /** Runs a bench's health check and records it; `fresh` restarts the bench first (a person fixed it). */
  private async check(s: Slot, fresh: boolean): Promise<BenchHealth> {
    const since = Date.now();
    let h: BenchHealth;
    try {
      s.bench ??= createBenchOf(s.lab.spec);
      h = await checkBench(s.bench, {
        fresh,
        ...(this.o.checkTimeoutMs ? { timeoutMs: this.o.checkTimeoutMs } : {}),
      });
    } catch (e) {
      h = { healthy: false, reason: (e as Error).message, since };
    }
    const before = s.healthy;
    s.healthy = h.healthy;
    await this.store.setHealth(s.lab.name, h);
    await this.store.setActivity(s.lab.name, { state: 'idle', since: Date.now() });
    if (before !== h.healthy || !h.healthy)
      this.o.log(`bench ${s.lab.name}: ${h.healthy ? 'healthy' : `unhealthy: ${h.reason}`}`);
    return h;
  }

  /** Heartbeat, check requests, reservations; starts, pauses and resumes the workers. */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopping) return;
    this.ticking = true;
    try {
      await this.store.heartbeat(this.id, this.heartbeatMs * 3);
      for (const s of this.slots) {
        const request = await this.store.takeCheckRequest(s.lab.name);
        // A bench running a scenario is checked as it is; an idle one is restarted first.
        if (request !== undefined) await this.store.putCheckResult(request, await this.check(s, !s.busy));
        s.reserved = (await this.store.reservation(s.lab.name)) !== undefined;
        const serve = s.healthy && !s.reserved;
        if (serve && !s.worker) this.startWorker(s);
        else if (serve && s.paused) {
          s.worker?.resume();
          s.paused = false;
          this.o.log(`bench ${s.lab.name}: taking work`);
        } else if (!serve && s.worker && !s.paused) {
          s.worker.pause(true).catch(() => undefined);
          s.paused = true;
          this.o.log(`bench ${s.lab.name}: ${s.reserved ? 'reserved' : 'unhealthy'}, takes no work`);
        }
      }
    } catch (e) {
      this.o.log(`agent: ${(e as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private startWorker(s: Slot): void {
    const lockMs = this.o.lockMs ?? 30000;
    const worker = new Worker(poolQueueName(s.lab.pool), (job: Job) => this.process(s, job), {
      connection: bullConnection(this.o.address, true),
      prefix: QUEUE_PREFIX,
      concurrency: 1,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 1,
      name: `${this.id}/${s.lab.name}`,
    });
    worker.on('error', (e) => this.o.log(`bench ${s.lab.name}: queue: ${e.message}`));
    s.worker = worker;
    this.o.log(`bench ${s.lab.name}: serving pool ${s.lab.pool}`);
  }

  private async process(s: Slot, job: Job): Promise<R | CancelledJob> {
    const data = job.data as ScenarioJob<{ id: string }>;
    const name = s.lab.name;
    if (await this.store.isCancelled(data.run)) return { cancelled: true };
    await this.store.setActivity(name, {
      state: 'running',
      run: data.run,
      scenario: data.scenario.id,
      since: Date.now(),
    });
    s.busy = true;
    this.o.log(`bench ${name}: running ${data.scenario.id} (run ${data.run}, try ${job.attemptsStarted})`);
    try {
      s.bench ??= createBenchOf(s.lab.spec);
      const record = await this.o.execute(s.bench, data);
      if (record.status === 'broken') {
        const h = await this.check(s, false);
        if (!h.healthy) {
          s.paused = true;
          void s.worker?.pause(true).catch(() => undefined);
          await this.store.pushRetry(data.run, record);
          throw new LabError(
            'E_LAB_BENCH_UNHEALTHY',
            `bench ${name} became unhealthy: ${h.reason}`,
            'broken',
          );
        }
      }
      return record;
    } finally {
      s.busy = false;
      await this.store.setActivity(name, { state: 'idle', since: Date.now() }).catch(() => undefined);
    }
  }

  /** Stops taking work, lets running scenarios finish, deactivates and deregisters the benches. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.slots.map((s) => s.worker?.close().catch(() => undefined)));
    for (const s of this.slots) if (s.bench?.active) await s.bench.deactivate().catch(() => undefined);
    await this.store.deregister(this.slots.map((s) => s.lab.name)).catch(() => undefined);
    await this.store.agentGone(this.id).catch(() => undefined);
  }
}
