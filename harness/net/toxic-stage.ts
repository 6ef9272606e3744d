/**
 * The moving parts of a toxic link. One direction of one proxied connection is a chain of stages
 * (`source → stage → stage → … → destination socket`); each toxic contributes one stage per link,
 * after Toxiproxy's ToxicStub. Stages are event driven: `write` hands in a chunk, `end` the end of the
 * stream, and a stage passes data on through `out` now or later (timers). Removing a stage mid-stream
 * calls `detach`, which returns everything the stage still holds, in order, so nothing is dropped.
 */

import type { Clock, ClockTimer } from '../common/clock.js';

/** Upstream = terminal → host (client → server); downstream = host → terminal. Toxiproxy's names. */
export type StreamDirection = 'upstream' | 'downstream';

/**
 * How a stream ends: `eof` is a half-close passed on (FIN after the data), `close` closes the whole
 * connection once everything before it has been delivered (a toxic such as `limit_data` decided so).
 */
export type EndKind = 'eof' | 'close';

/** A held item: bytes, or the end of the stream. */
export type StageItem = Buffer | EndKind;

/** Where a stage sends its output: the next stage, or the link's tail (the destination socket). */
export interface StageSink {
  write(data: Buffer): void;
  end(kind: EndKind): void;
}

/** What a stage may do to its connection besides passing data on. */
export interface StageContext {
  /** Uniform random number in [0, 1) (seeded per proxy when a seed is given). */
  random(): number;
  /** The proxy's clock: every delay of a stage runs on it (simulated time on a simulated bench). */
  readonly clock: Clock;
  /** Abortive close of the whole connection: TCP RST to both peers, held data discarded. */
  reset(): void;
  /** A stage released or dropped held bytes: the link re-checks its back-pressure. */
  released(): void;
}

/** Monotonic real milliseconds (fractional); stages use their context's clock instead. */
export function nowMs(): number {
  return performance.now();
}

/** Base of every stage. The default stage passes everything straight on. */
export abstract class ToxicStage implements StageSink {
  /** Set by the link when the stage is inserted; may be re-pointed when neighbours are removed. */
  out!: StageSink;
  ctx!: StageContext;

  abstract write(data: Buffer): void;

  end(kind: EndKind): void {
    this.out.end(kind);
  }

  /** Applies new attributes in place (per-connection state such as byte counts is kept). */
  configure(_attributes: Readonly<Record<string, number>>): void {}

  /** Bytes held by this stage (for back-pressure). */
  held(): number {
    return 0;
  }

  /** Stops timers and returns every held item, in order. The stage is dead afterwards. */
  detach(): StageItem[] {
    return [];
  }
}

/** Passes data through untouched: the toxic when its toxicity roll said "not this connection". */
export class NoopStage extends ToxicStage {
  write(data: Buffer): void {
    this.out.write(data);
  }
}

/**
 * A stage whose items leave at scheduled times, in order. Subclasses call `enqueue(item, due)`; an item
 * never leaves before the one queued ahead of it. `due = Infinity` holds an item until `detach`/`flushAll`.
 */
export abstract class ScheduledStage extends ToxicStage {
  private queue: { item: StageItem; due: number }[] = [];
  private head = 0;
  private heldBytes = 0;
  private timer: ClockTimer | undefined;
  private timerDue = Infinity;
  private dead = false;

  /** Due time of the last queued item (or -Infinity when empty): the earliest the next may leave. */
  protected lastDue(): number {
    return this.queue.length > this.head
      ? (this.queue[this.queue.length - 1] as { due: number }).due
      : -Infinity;
  }

  protected isEmpty(): boolean {
    return this.queue.length === this.head;
  }

  protected enqueue(item: StageItem, due: number): void {
    if (this.dead) return;
    const last = this.lastDue();
    if (due < last) due = last;
    if (this.isEmpty() && due <= this.ctx.clock.now()) {
      this.deliver(item);
      return;
    }
    this.queue.push({ item, due });
    if (typeof item !== 'string') this.heldBytes += item.length;
    this.pump();
  }

  private deliver(item: StageItem): void {
    if (typeof item === 'string') this.out.end(item);
    else this.out.write(item);
  }

  private onTimer = (): void => {
    this.timer = undefined;
    this.timerDue = Infinity;
    this.pump();
  };

  private pump(): void {
    let released = false;
    const now = this.ctx.clock.now();
    while (!this.dead && this.head < this.queue.length) {
      const next = this.queue[this.head] as { item: StageItem; due: number };
      if (next.due > now + 0.5) break;
      this.head++;
      if (typeof next.item !== 'string') this.heldBytes -= next.item.length;
      released = true;
      this.deliver(next.item);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.dead) return;
    if (this.head < this.queue.length) {
      const due = (this.queue[this.head] as { due: number }).due;
      if (due !== Infinity && due < this.timerDue) {
        this.timer?.cancel();
        this.timerDue = due;
        this.timer = this.ctx.clock.setTimeout(this.onTimer, Math.max(0, due - now));
      }
    }
    if (released) this.ctx.released();
  }

  /** Sends every held item on now (used by `timeout` when removed, and by subclasses on demand). */
  protected flushAll(): void {
    for (const it of this.detachQueue()) this.deliver(it);
    this.ctx.released();
  }

  /** Throws away every held item (the connection is closing). */
  protected discardAll(): void {
    this.detachQueue();
    this.ctx.released();
  }

  private detachQueue(): StageItem[] {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDue = Infinity;
    const items = this.queue.slice(this.head).map((q) => q.item);
    this.queue = [];
    this.head = 0;
    this.heldBytes = 0;
    return items;
  }

  override held(): number {
    return this.heldBytes;
  }

  override detach(): StageItem[] {
    const items = this.detachQueue();
    this.dead = true;
    this.onDetach();
    return items;
  }

  /** Subclass hook: stop own timers. */
  protected onDetach(): void {}
}
