/**
 * The timeline: one per scenario run, the single source of truth. Every observation of the bench (host
 * messages, display changes, APDUs, card moves, toxics, operator answers, results) lands here with a
 * timestamp; expectations query it and reports render it. Host messages are paired into exchanges
 * (request and its response on the same connection).
 */
import { realClock, type Clock, type ClockTimer } from '../common/clock.js';
import type { Observation, ObservationKind } from '../capabilities/index.js';

export interface TimelineEntry {
  /** From 1, in arrival order. */
  seq: number;
  /** Milliseconds since the epoch, on the bench's clock (simulated time on a simulated bench). */
  at: number;
  /** Milliseconds since the timeline started. */
  t: number;
  kind: ObservationKind | 'step';
  data: Record<string, unknown>;
}

/** A host message on the timeline (fields masked). */
export interface TimelineMessage {
  mti: string;
  fields: Record<string, string>;
  seq: number;
  at: number;
  fault?: string;
}

/** A request the host received and the response it sent (either may be missing). */
export interface HostExchange {
  /** Position in the list of exchanges, from 0. */
  index: number;
  conn: number;
  request?: TimelineMessage;
  response?: TimelineMessage;
}

/** What reports read of a timeline: its entries, oldest first (optionally of some kinds). */
export interface TimelineEntries {
  entries(...kinds: TimelineEntry['kind'][]): readonly TimelineEntry[];
}

/** A list of entries read as a timeline (a run's timeline rebuilt from its entries on another thread). */
export function entryList(list: readonly TimelineEntry[]): TimelineEntries {
  return {
    entries: (...kinds) => (kinds.length === 0 ? list : list.filter((e) => kinds.includes(e.kind))),
  };
}

export class Timeline implements TimelineEntries {
  readonly startedAt: number;
  private readonly list: TimelineEntry[] = [];
  private readonly xs: HostExchange[] = [];
  private readonly open = new Map<number, HostExchange>();
  private waiters = new Set<() => void>();

  /** `clock`: the bench's clock, which stamps entries and times the waits. */
  readonly clock: Clock;
  constructor(startedAt?: number, clock: Clock = realClock) {
    this.clock = clock;
    this.startedAt = startedAt ?? clock.now();
  }

  /** Now on the timeline's clock (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  /** Adds an observation; wakes whoever waits for a change. */
  add(kind: TimelineEntry['kind'], data: Record<string, unknown>, at = this.clock.now()): TimelineEntry {
    const e: TimelineEntry = { seq: this.list.length + 1, at, t: at - this.startedAt, kind, data };
    this.list.push(e);
    if (kind === 'host') this.pair(e);
    const w = this.waiters;
    this.waiters = new Set();
    for (const f of w) f();
    return e;
  }

  /** Adds a bench observation. */
  record(o: Observation): TimelineEntry {
    return this.add(o.kind, o.data, o.at);
  }

  private pair(e: TimelineEntry): void {
    const d = e.data as {
      direction?: string;
      conn?: number;
      mti?: string;
      fields?: Record<string, string>;
      fault?: string;
    };
    const conn = d.conn ?? 0;
    const msg: TimelineMessage = {
      mti: d.mti ?? '',
      fields: d.fields ?? {},
      seq: e.seq,
      at: e.at,
      ...(d.fault ? { fault: d.fault } : {}),
    };
    if (d.direction === 'request') {
      const x: HostExchange = { index: this.xs.length, conn, request: msg };
      this.xs.push(x);
      this.open.set(conn, x);
    } else {
      const x = this.open.get(conn);
      if (x && !x.response) {
        x.response = msg;
        this.open.delete(conn);
      } else this.xs.push({ index: this.xs.length, conn, response: msg });
    }
  }

  /** Entries, oldest first (optionally of some kinds). */
  entries(...kinds: TimelineEntry['kind'][]): readonly TimelineEntry[] {
    return kinds.length === 0 ? this.list : this.list.filter((e) => kinds.includes(e.kind));
  }

  /** Sequence number of the last entry (0 when empty). */
  get lastSeq(): number {
    return this.list.length;
  }

  /** Host exchanges, oldest first. */
  exchanges(): readonly HostExchange[] {
    return this.xs;
  }

  /** Resolves at the next entry, or after `ms` (whichever first); `signal` aborts the wait (resolves). */
  nextChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        timer.cancel();
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer: ClockTimer = this.clock.setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * Evaluates `probe` now and after every change until it returns a value or `deadline` (epoch ms on the clock)
   * passes; the last evaluation happens at the deadline. No fixed sleeps: a match is seen as it lands.
   */
  async waitUntil<T>(
    probe: () => Promise<T | undefined> | T | undefined,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    for (;;) {
      const seen = this.lastSeq;
      const r = await probe();
      if (r !== undefined) return r;
      const left = deadline - this.clock.now();
      if (left <= 0 || signal?.aborted) return undefined;
      // Something landed while an asynchronous probe ran: look again at once.
      if (this.lastSeq !== seen) continue;
      await this.nextChange(left, signal);
    }
  }
}
