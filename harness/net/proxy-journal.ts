import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { StreamDirection } from './toxic-stage.js';

/** Fields every journal entry has. */
export interface JournalBase {
  /** Sequence number within the proxy, from 1. */
  readonly seq: number;
  /** Time on the proxy's clock (simulated on the simulated embedded bench), ISO 8601 with milliseconds. */
  readonly at: string;
  /** Milliseconds since the proxy started (monotonic, fractional). */
  readonly t: number;
  /** Proxy name. */
  readonly proxy: string;
}

/** A fault applied to a frame (message-aware faults). */
export interface AppliedFault {
  readonly name: string;
  readonly action: string;
  readonly detail?: string;
}

export type JournalEntry = JournalBase &
  (
    | { readonly kind: 'connect'; readonly conn: number; readonly client: string; readonly upstream: string }
    | {
        readonly kind: 'close';
        readonly conn: number;
        /** eof, reset (a peer reset), toxic-close, toxic-reset, cut (message fault), proxy-down, proxy-closed, upstream-error. */
        readonly reason: string;
        readonly error?: string;
      }
    | {
        readonly kind: 'frame';
        readonly conn: number;
        readonly dir: StreamDirection;
        readonly length: number;
        readonly mti: string;
        /** Field number → value, sensitive data masked. */
        readonly fields: Readonly<Record<string, string>>;
        readonly tpdu?: string;
        readonly header?: string;
        readonly fault?: AppliedFault;
      }
    | {
        /** Bytes that did not decode (with a dialect), or raw data (no dialect: `reason` "no dialect"). */
        readonly kind: 'bytes';
        readonly conn: number;
        readonly dir: StreamDirection;
        readonly length: number;
        /**
         * Upper-case hex of at most `hexLimit` bytes, PAN-like digit runs masked; empty for a raw chunk
         * (no dialect) unless the proxy was started with `spyRawUnmasked`.
         */
        readonly hex: string;
        readonly truncated: boolean;
        readonly reason: string;
      }
    | { readonly kind: 'toxic'; readonly action: 'added' | 'updated' | 'removed'; readonly toxic: unknown }
    | {
        readonly kind: 'fault';
        readonly action: 'added' | 'removed' | 'fired';
        readonly fault: unknown;
        readonly conn?: number;
      }
    | {
        readonly kind: 'proxy';
        readonly action: 'started' | 'enabled' | 'disabled' | 'closed';
        readonly detail?: string;
      }
  );

/** An entry before the journal numbers and stamps it. */
export type JournalInput = JournalEntry extends infer E
  ? E extends JournalEntry
    ? Omit<E, 'seq' | 'at' | 't' | 'proxy'>
    : never
  : never;

export interface ProxyJournalOptions {
  /** Entries kept in memory (oldest dropped first, counted in `evicted`). Default 10,000. */
  readonly capacity?: number;
  /** Bytes of undecodable/raw data shown as hex per entry. Default 256. */
  readonly hexLimit?: number;
  /** Append every entry as a JSON line to this file. */
  readonly jsonl?: string;
  /** The time source of entry stamps (ms since the epoch); default the real clock. The proxy passes its clock. */
  readonly now?: () => number;
}

/**
 * The spy's record: connections, every frame both ways (decoded, masked), undecodable bytes, toxics and
 * faults switched on and off. Bounded in memory (a ring of `capacity` entries); emits `entry` for each
 * new entry (for the scenario timeline: `on(journal, 'entry')` is an async iterator) and can stream
 * every entry to a JSONL file.
 */
export class ProxyJournal extends EventEmitter<{ entry: [JournalEntry] }> {
  readonly capacity: number;
  readonly hexLimit: number;
  private ring: (JournalEntry | undefined)[];
  private next = 0;
  private count = 0;
  private seq = 0;
  /** Entries dropped from memory because the ring was full. */
  evicted = 0;
  private readonly origin = performance.now();
  private file: WriteStream | undefined;
  private lastMs = 0;
  private lastIso = '';

  private readonly now: () => number;

  constructor(
    readonly proxyName: string,
    options: ProxyJournalOptions = {},
  ) {
    super();
    this.capacity = Math.max(1, options.capacity ?? 10_000);
    this.hexLimit = Math.max(0, options.hexLimit ?? 256);
    this.ring = new Array(this.capacity);
    this.now = options.now ?? Date.now;
    if (options.jsonl) this.file = createWriteStream(options.jsonl, { flags: 'a' });
  }

  /** Stamps, stores, writes and emits an entry; returns it. */
  record(input: JournalInput): JournalEntry {
    const ms = this.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    const entry = {
      seq: ++this.seq,
      at: this.lastIso,
      t: Math.round((performance.now() - this.origin) * 1000) / 1000,
      proxy: this.proxyName,
      ...input,
    } as JournalEntry;
    if (this.count === this.capacity) this.evicted++;
    else this.count++;
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.file?.write(JSON.stringify(entry) + '\n');
    if (this.listenerCount('entry') > 0) this.emit('entry', entry);
    return entry;
  }

  /** The entries in memory, oldest first (optionally only those with seq > `after`). */
  entries(after = 0): JournalEntry[] {
    const out: JournalEntry[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const e = this.ring[(start + i) % this.capacity] as JournalEntry;
      if (e.seq > after) out.push(e);
    }
    return out;
  }

  /** Frames only, oldest first. */
  frames(): Extract<JournalEntry, { kind: 'frame' }>[] {
    return this.entries().filter((e): e is Extract<JournalEntry, { kind: 'frame' }> => e.kind === 'frame');
  }

  /** Empties the in-memory ring (the JSONL file keeps everything). */
  clear(): void {
    this.ring = new Array(this.capacity);
    this.next = 0;
    this.count = 0;
  }

  /** Flushes and closes the JSONL file, if any. */
  async close(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    if (f) await new Promise<void>((resolve) => f.end(() => resolve()));
  }
}
