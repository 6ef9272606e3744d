/**
 * The host journal: every message in and out (decoded, masked, with time, connection id and the raw
 * bytes with PAN/PIN/track data redacted) plus connection events (connect, close, limits, rules).
 *
 * Bounded: the in-memory ring keeps the last `size` entries. Entries are formatted (masked) lazily when
 * read, so a busy host that nobody is reading pays only for the ring slot and a copy of the frame's
 * bytes: a message that came with its frame is kept as those bytes and decoded again when read (far
 * less for the garbage collector than the decoded fields). With an `entry` listener or a JSONL file
 * attached each entry is formatted as it is recorded.
 */
import { EventEmitter } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createLogger } from '../common/logger.js';
import { redact } from '../common/mask.js';
import type { Dialect, IsoMessage } from '../iso8583/index.js';
import { decodeFrame, encodeFrame, maskFields as maskTableFields, maskFrameBytes } from '../iso8583/index.js';

export type JournalDirection = 'in' | 'out' | 'event';

/** One journal line as readers see it: masked, JSON-ready. */
export interface JournalEntry {
  /** Increasing from 1 for the life of the host (not reset by clear()). */
  seq: number;
  /** ISO 8601 with milliseconds. */
  time: string;
  direction: JournalDirection;
  connectionId: number;
  remote?: string;
  /** Terminal id (field 41) when the message carried one. */
  terminalId?: string;
  mti?: string;
  /** Decoded fields by number, PAN masked (first 6/last 4), PIN/track/key data redacted. */
  fields?: Record<string, string>;
  /**
   * Raw frame as hex (length prefix included), rebuilt from the decoded message with the bytes of PAN,
   * PIN, track and key fields overwritten in place (same positions and lengths as on the wire).
   */
  raw?: string;
  /** Event name for direction 'event': connect, close, idle-timeout, frame-too-large, connection-limit, malformed, rule, no-answer, replay-unmatched (a replay host had no recorded answer: 96). */
  event?: string;
  /** Human text: decode error, rule id, log line. */
  message?: string;
  /** Id of the host rule that shaped this answer. */
  rule?: string;
}

/** What the server hands to the journal (unformatted). */
export interface JournalRecord {
  direction: JournalDirection;
  connectionId: number;
  remote?: string;
  message?: IsoMessage;
  tpdu?: string;
  header?: string;
  /**
   * Raw frame as received/sent (length prefix included). With `message`, it must be the frame of that
   * message: the journal may keep a copy of these bytes instead of the decoded message. Never shown as
   * is (the journal rebuilds a redacted raw form).
   */
  raw?: Buffer | undefined;
  event?: string;
  text?: string;
  rule?: string;
}

/**
 * One ring slot. Slots are allocated once and rewritten in place, so recording allocates nothing that
 * outlives the call (nothing for the garbage collector to promote and later sweep).
 */
interface Slot {
  seq: number;
  at: number;
  direction: JournalDirection;
  connectionId: number;
  remote: string | undefined;
  /** The decoded message, when it came without its frame. */
  message: IsoMessage | undefined;
  tpdu: string | undefined;
  header: string | undefined;
  event: string | undefined;
  text: string | undefined;
  rule: string | undefined;
  /** Size of the raw frame. */
  rawLength: number | undefined;
  /** Storage for a copy of the frame of a message (decoded again when read), reused by the slot. */
  frame: Buffer | undefined;
  /** Bytes of `frame` in use; -1 when the slot holds no frame. */
  frameLength: number;
  formatted: JournalEntry | undefined;
}

function newSlot(): Slot {
  return {
    seq: 0,
    at: 0,
    direction: 'event',
    connectionId: 0,
    remote: undefined,
    message: undefined,
    tpdu: undefined,
    header: undefined,
    event: undefined,
    text: undefined,
    rule: undefined,
    rawLength: undefined,
    frame: undefined,
    frameLength: -1,
    formatted: undefined,
  };
}

const debug = createLogger('payhil:host');

export interface JournalOptions {
  /** Entries kept in memory (default 10000). */
  size?: number;
  dialect: Dialect;
  /**
   * The time of an entry (ms since the epoch); default the real clock. The host passes its calendar, so
   * on the simulated embedded bench journal times are simulated (docs/simulated-time.md).
   */
  now?: () => number;
}

export class HostJournal extends EventEmitter {
  private readonly ring: (Slot | undefined)[];
  private next = 0;
  private count = 0;
  private seq = 0;
  private file: WriteStream | undefined;
  readonly size: number;
  private readonly dialect: Dialect;
  private readonly now: () => number;

  constructor(options: JournalOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.size = Math.max(1, options.size ?? 10000);
    this.ring = new Array<Slot | undefined>(this.size);
    this.dialect = options.dialect;
  }

  /**
   * Whether each entry is formatted (decoded, masked) as it is recorded: a JSONL file or an `entry`
   * listener is attached. Otherwise a message recorded with its frame is kept as the frame's bytes
   * only, and the message object is not read again after `record` returns.
   */
  get formatsOnRecord(): boolean {
    return this.file !== undefined || this.listenerCount('entry') > 0;
  }

  /** Records one entry (copied: the record object may be reused); returns its sequence number. */
  record(rec: JournalRecord): number {
    let slot = this.ring[this.next];
    if (slot === undefined) this.ring[this.next] = slot = newSlot();
    const eager = this.formatsOnRecord;
    slot.seq = ++this.seq;
    slot.at = this.now();
    slot.direction = rec.direction;
    slot.connectionId = rec.connectionId;
    slot.remote = rec.remote;
    slot.event = rec.event;
    slot.text = rec.text;
    slot.rule = rec.rule;
    slot.rawLength = rec.raw?.length;
    slot.formatted = undefined;
    const raw = rec.raw;
    if (raw && rec.message && !eager) {
      // The frame's bytes instead of the decoded message: a copy (a received frame is a view into a
      // socket chunk, which it would otherwise pin) into the slot's own storage.
      if (slot.frame === undefined || slot.frame.length < raw.length)
        slot.frame = Buffer.allocUnsafe(Math.max(256, raw.length));
      slot.frame.set(raw);
      slot.frameLength = raw.length;
      slot.message = undefined;
      slot.tpdu = undefined;
      slot.header = undefined;
    } else {
      slot.frameLength = -1;
      slot.message = rec.message;
      slot.tpdu = rec.tpdu;
      slot.header = rec.header;
    }
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
    if (eager) {
      const entry = this.format(slot);
      if (this.file) this.file.write(JSON.stringify(entry) + '\n');
      this.emit('entry', entry);
    }
    return slot.seq;
  }

  /** The entries in memory, oldest first, formatted and masked. */
  entries(filter?: (e: JournalEntry) => boolean): JournalEntry[] {
    const out: JournalEntry[] = [];
    const start = (this.next - this.count + this.size) % this.size;
    for (let i = 0; i < this.count; i++) {
      const s = this.ring[(start + i) % this.size];
      if (!s) continue;
      const e = this.format(s);
      if (!filter || filter(e)) out.push(e);
    }
    return out;
  }

  /** Number of entries in memory. */
  get length(): number {
    return this.count;
  }

  /** Total entries recorded since start. */
  get total(): number {
    return this.seq;
  }

  /** Drops the in-memory entries (sequence numbers keep counting). */
  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
  }

  /** Appends every further entry to a JSONL file. */
  attachFile(path: string): void {
    const file = createWriteStream(path, { flags: 'a' });
    // A write error (disk full, file removed) stops the file journal, never the host.
    file.on('error', (e) => {
      debug(`journal file ${path}: ${e.message}; no longer written`);
      if (this.file === file) this.file = undefined;
    });
    this.file = file;
  }

  /** Flushes and closes the JSONL file, if any. */
  async close(): Promise<void> {
    const f = this.file;
    this.file = undefined;
    if (f) await new Promise<void>((resolve) => f.end(resolve));
  }

  private format(s: Slot): JournalEntry {
    if (s.formatted) return s.formatted;
    const e: JournalEntry = {
      seq: s.seq,
      time: new Date(s.at).toISOString(),
      direction: s.direction,
      connectionId: s.connectionId,
    };
    if (s.remote !== undefined) e.remote = s.remote;
    if (s.event !== undefined) e.event = s.event;
    if (s.text !== undefined) e.message = s.text;
    if (s.rule !== undefined) e.rule = s.rule;
    let message = s.message;
    let frame: Buffer | undefined;
    if (s.frame && s.frameLength >= 0) {
      frame = s.frame.subarray(0, s.frameLength);
      try {
        const m = decodeFrame(this.dialect, frame, { maxFrameBytes: Math.max(frame.length, 1) });
        message = { mti: m.mti, fields: m.fields };
      } catch {
        // Cannot happen for a frame recorded with its message; show its size only if it does.
        e.raw = redact('raw frame', frame);
        frame = undefined;
      }
    } else if (message) frame = encodedFrame(this.dialect, message, s.tpdu, s.header);
    if (message) {
      e.mti = message.mti;
      const tid = message.fields[41];
      if (tid !== undefined) e.terminalId = tid;
      e.fields = maskFields(this.dialect, message);
      // The frame with its sensitive bytes overwritten in place (positions and lengths stay true).
      if (frame) e.raw = maskFrameBytes(this.dialect, frame).toString('hex').toUpperCase();
    }
    // An undecodable frame (direction 'in', event 'malformed') shows no raw form: it may hold
    // cardholder data we cannot locate.
    // Cache only when it can no longer change (it cannot): formatting is pure.
    s.formatted = e;
    return e;
  }
}

/**
 * The decoded fields of a message as the journal shows them: the one masking table of iso8583/frame-masking.ts
 * (PAN first 6 / last 4, PIN, track and key data redacted, tags 5A and track tags inside field 55 masked,
 * PAN-like digit runs in free-text fields masked).
 */
export function maskFields(dialect: Dialect, msg: IsoMessage): Record<string, string> {
  const fields: Record<number, string> = {};
  for (const [k, v] of Object.entries(msg.fields)) if (v !== undefined) fields[Number(k)] = v;
  return maskTableFields(dialect, fields);
}

/** The frame of a message recorded without one, or undefined when it does not encode. */
function encodedFrame(dialect: Dialect, msg: IsoMessage, tpdu?: string, header?: string): Buffer | undefined {
  try {
    const opts: { tpdu?: string; header?: string } = {};
    if (tpdu !== undefined) opts.tpdu = tpdu;
    if (header !== undefined) opts.header = header;
    return encodeFrame(dialect, msg, opts);
  } catch {
    return undefined;
  }
}
