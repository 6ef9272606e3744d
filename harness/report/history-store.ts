/**
 * Where run records are kept. The contract is small so a shared store (the lab's Redis for distributed
 * runs) can implement it beside the folder store: append a record (never rewrite one), list them oldest
 * first, find one by id.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReportError, RunRecordTooLargeError } from './errors.js';
import { RUN_RECORD_FORMAT, type RunRecord } from './run-record.js';

export interface HistoryStore {
  /** Where the store is, for messages (a folder path, a Redis key). */
  readonly where: string;
  /** Adds a record; refuses an id already there (records are append-only). */
  append(record: RunRecord): Promise<void>;
  /** Records oldest first, those of `bench` only when given. */
  list(filter?: { bench?: string }): Promise<RunRecord[]>;
  /** The record `id`, undefined when there is none. */
  get(id: string): Promise<RunRecord | undefined>;
}

/** A record file larger than this is skipped (a run of thousands of scenarios is a few MB). */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Run ids are `YYYYMMDD-HHMMSS-` + 4 hex digits (UTC). */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** A new run id for a run started at `time`. */
export function newRunId(time: Date, random: () => number = Math.random): string {
  const iso = time.toISOString(); // 2026-12-06T20:15:12.345Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  const tail = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${tail}`;
}

/** A record read back from a file: the fields diff and evidence rely on are there and typed. */
export function checkRunRecord(value: unknown, where: string): RunRecord {
  const r = value as Partial<RunRecord> | null;
  const bad = (what: string): never => {
    throw new ReportError('E_HISTORY_RECORD', `${where}: not a payhil run record (${what})`);
  };
  if (typeof r !== 'object' || r === null) return bad('not a JSON object');
  if (r.format !== RUN_RECORD_FORMAT) return bad(`format ${String(r.format)}, expected ${RUN_RECORD_FORMAT}`);
  if (typeof r.id !== 'string' || !RUN_ID_PATTERN.test(r.id)) return bad('id');
  if (typeof r.time !== 'string') return bad('time');
  if (typeof r.bench !== 'object' || r.bench === null || typeof r.bench.name !== 'string')
    return bad('bench');
  if (!Array.isArray(r.scenarios)) return bad('scenarios');
  for (const s of r.scenarios)
    if (typeof s !== 'object' || s === null || typeof s.id !== 'string' || typeof s.verdict !== 'string')
      return bad('a scenario without id or verdict');
  if (!Array.isArray(r.files)) return bad('files');
  return r as RunRecord;
}

/**
 * The default store: a folder (reports/history/), one JSON file per run named by its id, written once
 * with exclusive create. Files that are not records are skipped by `list` and named in `problems`.
 */
export class FolderHistoryStore implements HistoryStore {
  /** Files `list` skipped, with why (set by each `list`). */
  problems: string[] = [];

  constructor(readonly where: string) {}

  private fileOf(id: string): string {
    return join(this.where, `${id}.json`);
  }

  async append(record: RunRecord): Promise<void> {
    if (!RUN_ID_PATTERN.test(record.id))
      throw new ReportError('E_HISTORY_ID', `run id '${record.id}' is not YYYYMMDD-HHMMSS-xxxx`);
    const cannot = (e: unknown): ReportError =>
      new ReportError('E_HISTORY_WRITE', `cannot write to ${this.where}: ${(e as Error).message}`);
    try {
      mkdirSync(this.where, { recursive: true });
    } catch (e) {
      throw cannot(e);
    }
    try {
      writeFileSync(this.fileOf(record.id), JSON.stringify(record, null, 1) + '\n', { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ReportError('E_HISTORY_EXISTS', `run ${record.id} is already in ${this.where}`);
      throw cannot(e);
    }
  }

  async list(filter: { bench?: string } = {}): Promise<RunRecord[]> {
    this.problems = [];
    if (!existsSync(this.where)) return [];
    const out: RunRecord[] = [];
    let names: string[];
    try {
      names = readdirSync(this.where).sort();
    } catch (e) {
      throw new ReportError(
        'E_HISTORY_READ',
        `cannot read the history ${this.where}: ${(e as Error).message}`,
      );
    }
    for (const f of names) {
      const id = f.replace(/\.json$/, '');
      if (!f.endsWith('.json') || !RUN_ID_PATTERN.test(id)) continue;
      const r = this.read(join(this.where, f));
      if (r && (filter.bench === undefined || r.bench.name === filter.bench)) out.push(r);
    }
    return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    if (!RUN_ID_PATTERN.test(id)) return undefined;
    const file = this.fileOf(id);
    if (!existsSync(file)) return undefined;
    const r = this.read(file);
    if (!r) throw new ReportError('E_HISTORY_RECORD', this.problems.at(-1) ?? `${file}: unreadable`);
    return r;
  }

  private read(file: string): RunRecord | undefined {
    try {
      const size = statSync(file).size;
      if (size > MAX_RECORD_BYTES) throw new RunRecordTooLargeError(file, size, MAX_RECORD_BYTES);
      return checkRunRecord(JSON.parse(readFileSync(file, 'utf8')), file);
    } catch (e) {
      this.problems.push(e instanceof ReportError ? e.message : `${file}: ${(e as Error).message}`);
      return undefined;
    }
  }
}
