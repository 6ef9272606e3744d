/**
 * The run history on the lab's Redis, for distributed runs: the team's `payhil run --queue` runs land in
 * one place whichever machine started them. One hash, `payhil:history:runs` (run id → the record as
 * JSON), written with HSETNX so a record is never replaced (append-only, like the folder store). Only
 * the few commands it needs are asked of the client (an ioredis Redis fits).
 */
import { ReportError } from './errors.js';
import { checkRunRecord, RUN_ID_PATTERN, type HistoryStore } from './history-store.js';
import type { RunRecord } from './run-record.js';

/** The Redis hash of run records. */
export const REDIS_HISTORY_KEY = 'payhil:history:runs';

/** A record larger than this is refused on write and skipped on read (as the folder store's limit). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The Redis commands the store uses. */
export interface HistoryRedis {
  hsetnx(key: string, field: string, value: string): Promise<number>;
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
}

export class RedisHistoryStore implements HistoryStore {
  /** Records `list` skipped, with why (set by each `list`). */
  problems: string[] = [];

  /** `display`: the Redis address without its password (for messages). */
  constructor(
    private readonly redis: HistoryRedis,
    display: string,
  ) {
    this.where = `${display} ${REDIS_HISTORY_KEY}`;
  }

  readonly where: string;

  async append(record: RunRecord): Promise<void> {
    if (!RUN_ID_PATTERN.test(record.id))
      throw new ReportError('E_HISTORY_ID', `run id '${record.id}' is not YYYYMMDD-HHMMSS-xxxx`);
    const json = JSON.stringify(record);
    if (json.length > MAX_RECORD_BYTES)
      throw new ReportError(
        'E_HISTORY_WRITE',
        `run ${record.id}: record of ${json.length} bytes is too large`,
      );
    let added: number;
    try {
      added = await this.redis.hsetnx(REDIS_HISTORY_KEY, record.id, json);
    } catch (e) {
      throw new ReportError('E_HISTORY_WRITE', `cannot write to ${this.where}: ${(e as Error).message}`);
    }
    if (added !== 1)
      throw new ReportError('E_HISTORY_EXISTS', `run ${record.id} is already in ${this.where}`);
  }

  async list(filter: { bench?: string } = {}): Promise<RunRecord[]> {
    this.problems = [];
    let all: Record<string, string>;
    try {
      all = await this.redis.hgetall(REDIS_HISTORY_KEY);
    } catch (e) {
      throw new ReportError(
        'E_HISTORY_READ',
        `cannot read the history ${this.where}: ${(e as Error).message}`,
      );
    }
    const out: RunRecord[] = [];
    for (const id of Object.keys(all).sort()) {
      const r = this.read(id, all[id] as string);
      if (r && (filter.bench === undefined || r.bench.name === filter.bench)) out.push(r);
    }
    return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    if (!RUN_ID_PATTERN.test(id)) return undefined;
    let json: string | null;
    try {
      json = await this.redis.hget(REDIS_HISTORY_KEY, id);
    } catch (e) {
      throw new ReportError(
        'E_HISTORY_READ',
        `cannot read the history ${this.where}: ${(e as Error).message}`,
      );
    }
    if (json === null) return undefined;
    const r = this.read(id, json);
    if (!r) throw new ReportError('E_HISTORY_RECORD', this.problems.at(-1) ?? `${id}: unreadable`);
    return r;
  }

  private read(id: string, json: string): RunRecord | undefined {
    const where = `${this.where} ${id}`;
    try {
      if (json.length > MAX_RECORD_BYTES) throw new Error(`record of ${json.length} bytes is too large`);
      const r = checkRunRecord(JSON.parse(json), where);
      if (r.id !== id) throw new Error(`holds run ${r.id}`);
      return r;
    } catch (e) {
      this.problems.push(e instanceof ReportError ? e.message : `${where}: ${(e as Error).message}`);
      return undefined;
    }
  }
}
