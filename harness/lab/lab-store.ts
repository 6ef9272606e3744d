/**
 * What the lab knows about its benches, kept in Redis beside the BullMQ queues (keys under
 * `payhil:lab:`): registrations, agent heartbeats (keys that expire: an agent that stops beating is
 * offline), bench states, health, reservations (expiring), health-check requests, and the per-run
 * cancel flag and abandoned attempts.
 */
import type { Redis } from 'ioredis';
import type { LabDevice } from './inventory.js';
import { LabError } from './errors.js';

const P = 'payhil:lab:';

/** A bench as its agent registered it. */
export interface BenchRegistration {
  name: string;
  pool: string;
  capabilities: string[];
  tags: Record<string, string>;
  devices: LabDevice[];
  /** Agent id (host:pid). */
  agent: string;
  registeredAt: number;
}

export interface BenchActivity {
  state: 'idle' | 'running' | 'checking';
  run?: string;
  scenario?: string;
  since: number;
}

export interface BenchHealth {
  healthy: boolean;
  reason?: string;
  /** The typed error's code when the check failed with one (`E_LAB_HEALTH_TIMEOUT`…). */
  code?: string;
  since: number;
}

export interface Reservation {
  by: string;
  note?: string;
  /** Epoch ms. */
  until: number;
}

export type BenchStatusWord = 'idle' | 'running' | 'checking' | 'reserved' | 'unhealthy' | 'offline';

/** One line of `payhil lab status`. */
export interface BenchStatus extends BenchRegistration {
  status: BenchStatusWord;
  activity?: BenchActivity;
  health?: BenchHealth;
  reservation?: Reservation;
}

const json = <T>(s: string | null): T | undefined => (s === null ? undefined : (JSON.parse(s) as T));

export class LabStore {
  constructor(readonly redis: Redis) {}

  async register(b: BenchRegistration): Promise<void> {
    await this.redis.hset(`${P}benches`, b.name, JSON.stringify(b));
  }

  async deregister(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.redis.hdel(`${P}benches`, ...names);
    await this.redis.del(...names.map((n) => `${P}state:${n}`));
  }

  /** The agent is alive for `ttlMs` more. */
  async heartbeat(agent: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${P}agent:${agent}`, String(Date.now()), 'PX', ttlMs);
  }

  async agentGone(agent: string): Promise<void> {
    await this.redis.del(`${P}agent:${agent}`);
  }

  async registrations(): Promise<BenchRegistration[]> {
    const all = await this.redis.hgetall(`${P}benches`);
    return Object.values(all)
      .map((v) => JSON.parse(v) as BenchRegistration)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async setActivity(bench: string, a: BenchActivity): Promise<void> {
    await this.redis.set(`${P}state:${bench}`, JSON.stringify(a));
  }

  async setHealth(bench: string, h: BenchHealth): Promise<void> {
    await this.redis.set(`${P}health:${bench}`, JSON.stringify(h));
  }

  async health(bench: string): Promise<BenchHealth | undefined> {
    return json<BenchHealth>(await this.redis.get(`${P}health:${bench}`));
  }

  async reserve(bench: string, r: Reservation): Promise<void> {
    await this.known(bench);
    const current = await this.reservation(bench);
    if (current && current.by !== r.by)
      throw new LabError(
        'E_LAB_RESERVED',
        `bench '${bench}' is reserved by ${current.by} until ${new Date(current.until).toISOString()}`,
      );
    await this.redis.set(
      `${P}reservation:${bench}`,
      JSON.stringify(r),
      'PX',
      Math.max(1, r.until - Date.now()),
    );
  }

  /** Ends a reservation; false when there was none. */
  async release(bench: string): Promise<boolean> {
    await this.known(bench);
    return (await this.redis.del(`${P}reservation:${bench}`)) > 0;
  }

  async reservation(bench: string): Promise<Reservation | undefined> {
    return json<Reservation>(await this.redis.get(`${P}reservation:${bench}`));
  }

  /** Throws LabError (usage) when no agent ever registered `bench`. */
  async known(bench: string): Promise<BenchRegistration> {
    const r = json<BenchRegistration>(await this.redis.hget(`${P}benches`, bench));
    if (!r) {
      const names = (await this.registrations()).map((b) => b.name);
      throw new LabError(
        'E_LAB_UNKNOWN_BENCH',
        `no bench '${bench}' in the lab${names.length ? ` (benches: ${names.join(', ')})` : ' (no agent registered any)'}`,
      );
    }
    return r;
  }

  /** Every registered bench with what it does now. */
  async status(): Promise<BenchStatus[]> {
    const regs = await this.registrations();
    const out: BenchStatus[] = [];
    for (const r of regs) {
      const [alive, activity, health, reservation] = await Promise.all([
        this.redis.exists(`${P}agent:${r.agent}`),
        this.redis.get(`${P}state:${r.name}`).then((s) => json<BenchActivity>(s)),
        this.health(r.name),
        this.reservation(r.name),
      ]);
      const status: BenchStatusWord = !alive
        ? 'offline'
        : health && !health.healthy
          ? 'unhealthy'
          : reservation
            ? 'reserved'
            : (activity?.state ?? 'idle');
      out.push({
        ...r,
        status,
        ...(activity ? { activity } : {}),
        ...(health ? { health } : {}),
        ...(reservation ? { reservation } : {}),
      });
    }
    return out;
  }

  /** Asks the bench's agent to run its health check; resolves with the request id. */
  async requestCheck(bench: string): Promise<string> {
    await this.known(bench);
    const id = `${bench}:${Date.now()}`;
    await this.redis.set(`${P}check:${bench}`, id, 'PX', 60000);
    return id;
  }

  /** The pending check request of a bench (taken: a second call gets none). */
  async takeCheckRequest(bench: string): Promise<string | undefined> {
    return (await this.redis.getdel(`${P}check:${bench}`)) ?? undefined;
  }

  async putCheckResult(id: string, h: BenchHealth): Promise<void> {
    await this.redis.set(`${P}check-result:${id}`, JSON.stringify(h), 'PX', 60000);
  }

  async checkResult(id: string): Promise<BenchHealth | undefined> {
    return json<BenchHealth>(await this.redis.get(`${P}check-result:${id}`));
  }

  async cancelRun(run: string): Promise<void> {
    await this.redis.set(`${P}run:${run}:cancelled`, '1', 'PX', 3600000);
  }

  async isCancelled(run: string): Promise<boolean> {
    return (await this.redis.exists(`${P}run:${run}:cancelled`)) > 0;
  }

  /** An attempt of a run's scenario that was abandoned (bench unhealthy): shown as a retry. */
  async pushRetry(run: string, record: unknown): Promise<void> {
    const key = `${P}run:${run}:retries`;
    await this.redis.rpush(key, JSON.stringify(record));
    await this.redis.pexpire(key, 3600000);
  }

  /** Takes the abandoned attempts of a run (the list is emptied). */
  async takeRetries<R>(run: string): Promise<R[]> {
    const key = `${P}run:${run}:retries`;
    const [[, items]] = (await this.redis.multi().lrange(key, 0, -1).del(key).exec()) as [
      [unknown, string[]],
    ];
    return items.map((s) => JSON.parse(s) as R);
  }

  /** Removes a run's keys (cancel flag, retries). */
  async forgetRun(run: string): Promise<void> {
    await this.redis.del(`${P}run:${run}:cancelled`, `${P}run:${run}:retries`);
  }
}
