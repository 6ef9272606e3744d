import type { Dialect } from '../iso8583/dialect-types.js';
import { getPath, setPath } from '../iso8583/field-path.js';
import { FrameParser } from '../iso8583/frame-parser.js';
import { decodeFrame, encodeFrame, type DecodedFrame } from '../iso8583/message-codec.js';
import { blankFrame, maskFrame } from '../iso8583/index.js';
import type { MessageFaultSpec, MessageFaults } from './message-fault.js';
import type { AppliedFault, ProxyJournal } from './proxy-journal.js';
import { ScheduledStage, type EndKind, type StreamDirection } from './toxic-stage.js';

/** The value a corruptField fault writes when none is given: the last digit/character changed. */
export function alterValue(value: string, binary: boolean): string {
  if (value.length === 0) return binary ? '00' : '0';
  if (binary) {
    const first = (parseInt(value.slice(0, 2), 16) ^ 0xff).toString(16).toUpperCase().padStart(2, '0');
    return first + value.slice(2);
  }
  const last = value[value.length - 1] as string;
  const next = /\d/.test(last) ? String((Number(last) + 1) % 10) : last === 'X' ? 'Y' : 'X';
  return value.slice(0, -1) + next;
}

/**
 * Sees every frame that decoded, unmasked, as it passed the spy (before any message fault acts on it):
 * the tap of `payhil record`. It must not keep sensitive fields (track, PIN block, keys) beyond its need.
 */
export type MessageTap = (m: { conn: number; dir: StreamDirection; message: DecodedFrame }) => void;

/**
 * The front stage of each link when the proxy has a dialect: the spy and the message-aware faults.
 * Every chunk is framed with the dialect's FrameParser; each complete frame is decoded and journaled
 * (masked), and undecodable bytes are journaled as such. While no fault watches this direction bytes
 * are forwarded as they arrive (the spy changes no timing); while one does, bytes are held until their
 * frame is complete so the fault can act on whole messages. A stream that cannot be framed (garbage
 * length prefix) switches to raw mode: forwarded and journaled as bytes, never dropped.
 */
export class MessageStage extends ScheduledStage {
  private parser: FrameParser;
  private raw = false;
  private active = false;
  /** Bytes of the parser's partial frame that were already forwarded. */
  private forwardedOfPartial = 0;
  /** Recent chunks, enough to hold the parser's partial frame (to flush it when faults go away). */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private busy = false;
  private cut = false;

  constructor(
    private readonly dialect: Dialect,
    private readonly dir: StreamDirection,
    private readonly conn: number,
    private readonly journal: ProxyJournal,
    private readonly faults: MessageFaults,
    private readonly onCut: () => void,
    private readonly tap?: MessageTap,
  ) {
    super();
    this.parser = new FrameParser(dialect);
  }

  /**
   * Journals bytes that did not decode. Field boundaries are unknown there, so track, PIN and key bytes
   * cannot be told from the rest: a whole frame keeps only its length prefix, TPDU and header (the rest
   * zeroed, as in the masked pcap); bytes after framing was lost keep only their length.
   */
  private journalBytes(data: Buffer, reason: string, whole: 'frame' | 'bytes' = 'bytes'): void {
    if (data.length === 0) return;
    const limit = this.journal.hexLimit;
    const hex =
      whole === 'frame'
        ? blankFrame(this.dialect, data).subarray(0, limit).toString('hex').toUpperCase()
        : '';
    const truncated = whole === 'frame' ? data.length > limit : true;
    this.journal.record({
      kind: 'bytes',
      conn: this.conn,
      dir: this.dir,
      length: data.length,
      hex,
      truncated,
      reason,
    });
  }

  private remember(data: Buffer): void {
    this.tail.push(data);
    this.tailBytes += data.length;
    const keep = this.parser.buffered;
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0] as Buffer).length >= keep) {
      this.tailBytes -= (this.tail.shift() as Buffer).length;
    }
    if (keep === 0) {
      this.tail = [];
      this.tailBytes = 0;
    }
  }

  /** The last `n` bytes pushed into the parser. */
  private lastBytes(n: number): Buffer {
    if (n <= 0) return Buffer.alloc(0);
    const all = this.tail.length === 1 ? (this.tail[0] as Buffer) : Buffer.concat(this.tail);
    return all.subarray(all.length - n);
  }

  /** Re-reads the fault set: holding → forwarding flushes the held partial frame. */
  refresh(): void {
    if (this.busy || this.cut) return;
    const want = !this.raw && this.faults.activeFor(this.dir);
    if (want === this.active) return;
    if (!want) {
      const unforwarded = this.parser.buffered - this.forwardedOfPartial;
      if (unforwarded > 0) this.enqueue(Buffer.from(this.lastBytes(unforwarded)), this.ctx.clock.now());
    }
    this.forwardedOfPartial = this.parser.buffered;
    this.active = want;
  }

  write(data: Buffer): void {
    if (this.cut) return;
    this.refresh();
    if (this.raw) {
      this.journalBytes(data, 'undecodable stream (framing lost)');
      this.enqueue(data, this.ctx.clock.now());
      return;
    }
    if (!this.active) this.enqueue(data, this.ctx.clock.now());
    const before = this.parser.buffered;
    let frames: Buffer[];
    try {
      frames = this.parser.push(data);
    } catch (e) {
      // Framing lost: what the parser held plus this chunk goes on (if not forwarded yet) and is journaled.
      const held = Buffer.concat([this.lastBytes(before), data]);
      this.journalBytes(held, `framing: ${(e as Error).message}`);
      if (this.active) this.enqueue(held.subarray(this.forwardedOfPartial), this.ctx.clock.now());
      this.raw = true;
      this.active = false;
      this.tail = [];
      this.tailBytes = 0;
      return;
    }
    this.remember(data);
    this.busy = true;
    try {
      for (const frame of frames) this.onFrame(frame);
    } finally {
      this.busy = false;
    }
    if (!this.active) this.forwardedOfPartial = this.parser.buffered;
    this.refresh();
  }

  private onFrame(frame: Buffer): void {
    if (this.cut) return;
    const skip = this.forwardedOfPartial;
    this.forwardedOfPartial = 0;
    let decoded: DecodedFrame | undefined;
    try {
      decoded = decodeFrame(this.dialect, frame);
    } catch (e) {
      this.journalBytes(frame, `decode: ${(e as Error).message}`, 'frame');
    }
    // Partly forwarded before faults were switched on, or undecodable: passes as is.
    let fault: MessageFaultSpec | undefined;
    if (this.active && skip === 0 && decoded) {
      const msg = decoded;
      fault = this.faults.decide(this.dir, (path) => {
        try {
          return getPath(this.dialect, msg, path);
        } catch {
          return undefined;
        }
      });
    }
    let applied: AppliedFault | undefined;
    let out: Buffer[] = [frame];
    let cutAfter = false;
    let due = this.ctx.clock.now();
    if (fault) {
      switch (fault.action) {
        case 'drop':
          out = [];
          applied = { name: fault.name, action: 'drop' };
          break;
        case 'delay':
          due += fault.delay ?? 0;
          applied = { name: fault.name, action: 'delay', detail: `${fault.delay} ms` };
          break;
        case 'duplicate':
          out = Array.from({ length: (fault.copies ?? 1) + 1 }, () => frame);
          applied = { name: fault.name, action: 'duplicate', detail: `${fault.copies ?? 1} extra` };
          break;
        case 'corruptField':
          applied = this.corrupt(decoded as DecodedFrame, fault, (b) => (out = [b]));
          break;
        case 'cutAfter':
          cutAfter = true;
          if (fault.bytes !== undefined) out = [frame.subarray(0, fault.bytes)];
          applied = {
            name: fault.name,
            action: 'cutAfter',
            ...(fault.bytes !== undefined ? { detail: `after ${fault.bytes} bytes` } : {}),
          };
          break;
      }
    }
    if (decoded && this.tap) this.tap({ conn: this.conn, dir: this.dir, message: decoded });
    if (decoded) {
      const view = maskFrame(this.dialect, decoded);
      this.journal.record({
        kind: 'frame',
        conn: this.conn,
        dir: this.dir,
        length: frame.length,
        ...view,
        ...(applied ? { fault: applied } : {}),
      });
    }
    if (applied)
      this.journal.record({
        kind: 'fault',
        action: 'fired',
        fault: { ...applied, dir: this.dir },
        conn: this.conn,
      });
    if (this.active) {
      const bytes = skip > 0 ? out.map((b) => b.subarray(skip)) : out;
      for (const b of bytes) this.enqueue(b, due);
    }
    if (cutAfter) {
      this.cut = true;
      this.onCut();
      this.enqueue('close', this.lastDue());
    }
  }

  private corrupt(decoded: DecodedFrame, fault: MessageFaultSpec, set: (b: Buffer) => void): AppliedFault {
    const path = fault.field as string;
    try {
      const copy: DecodedFrame = { ...decoded, fields: { ...decoded.fields } };
      const before = getPath(this.dialect, copy, path);
      const n = Number(path);
      const binary = Number.isInteger(n) && this.dialect.fields[n]?.type === 'b';
      const value = fault.value ?? alterValue(before ?? '', binary);
      setPath(this.dialect, copy, path, value);
      set(encodeFrame(this.dialect, copy));
      return { name: fault.name, action: 'corruptField', detail: `field ${path} changed` };
    } catch (e) {
      return { name: fault.name, action: 'corruptField', detail: `not applied: ${(e as Error).message}` };
    }
  }

  override end(kind: EndKind): void {
    if (this.cut) return;
    if (!this.raw && this.parser.buffered > 0) {
      const partial = this.lastBytes(this.parser.buffered);
      this.journalBytes(partial, 'incomplete frame at end of stream');
      if (this.active)
        this.enqueue(Buffer.from(partial.subarray(this.forwardedOfPartial)), this.ctx.clock.now());
      this.parser.reset();
    }
    this.enqueue(kind, this.lastDue());
  }

  override held(): number {
    return super.held() + (this.active ? this.parser.buffered : 0);
  }
}
