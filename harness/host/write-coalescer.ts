/**
 * Write coalescing across connections: answers are not written the moment they are computed but queued
 * per connection and written in one pass once per event-loop turn, after every request that the turn's
 * poll delivered has been handled (the flush is scheduled with `setImmediate` by the first answer of
 * the turn).
 *
 * Why: on loopback (and on any fast link) a socket write hands the bytes to the peer inside the
 * writer's system call and wakes the peer if it sleeps. Answers written one by one as they are computed
 * wake an idle client once per answer, and the wake-up is charged to the server's write. Written as one
 * burst, they find the client awake after the first. This is the usual "batch replies per poll cycle"
 * technique of event-driven servers; the latency it adds is at most the rest of the turn.
 *
 * Guarantees: answers of one connection leave in the order they were queued (several in one turn go out
 * as one writev); a connection's answers can be written out ahead of the pass (`flushConnection`, which
 * the server calls before it closes a connection, so a close never drops an answer already given); a
 * connection marked closed gets nothing more written. When a write leaves a socket's buffer over its
 * high-water mark (`write` returned false: the peer is not reading as fast as it is answered), the
 * `onBacklog` callback hears of it, so the server can stop reading that connection (backpressure).
 */

/** The part of a socket the coalescer uses (net.Socket fits). */
export interface CoalescedSocket {
  readonly writable: boolean;
  write(data: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
}

/** A connection as the coalescer sees it; `out` belongs to the coalescer (start it empty). */
export interface CoalescedConnection {
  readonly socket: CoalescedSocket;
  /** Answers waiting for the next pass, oldest first. */
  readonly out: Buffer[];
  /** True once the connection is closed: waiting answers are dropped, nothing more is written. */
  readonly closed: boolean;
}

export class WriteCoalescer {
  /** Connections with answers waiting, in the order of their first waiting answer. */
  private readonly dirty: CoalescedConnection[] = [];
  private scheduled = false;
  private waiting = 0;
  private readonly run = (): void => this.flush();

  /**
   * @param schedule runs the pass later in this turn of the event loop (default `setImmediate`).
   * @param onBacklog called after a write that left `c`'s socket buffer over its high-water mark.
   */
  constructor(
    private readonly schedule: (fn: () => void) => void = (fn) => void setImmediate(fn),
    private readonly onBacklog?: (c: CoalescedConnection) => void,
  ) {}

  /** Answers queued and not written yet. */
  get pending(): number {
    return this.waiting;
  }

  /** Queues `frame` for `c`; the pass that writes it is scheduled if none is. */
  queue(c: CoalescedConnection, frame: Buffer): void {
    if (c.closed) return;
    if (c.out.length === 0) this.dirty.push(c);
    c.out.push(frame);
    this.waiting++;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.run);
    }
  }

  /** Writes `c`'s waiting answers now, in order (before closing it). */
  flushConnection(c: CoalescedConnection): void {
    const frames = c.out;
    const n = frames.length;
    if (n === 0) return;
    this.waiting -= n;
    const socket = c.socket;
    let below = true;
    if (!c.closed && socket.writable) {
      if (n === 1) below = socket.write(frames[0] as Buffer);
      else {
        // Several answers on one connection (pipelined requests): one writev.
        socket.cork();
        for (let i = 0; i < n; i++) below = socket.write(frames[i] as Buffer);
        socket.uncork();
      }
    }
    frames.length = 0;
    if (!below) this.onBacklog?.(c);
  }

  /** Drops `c`'s waiting answers unwritten (its socket is gone). */
  drop(c: CoalescedConnection): void {
    this.waiting -= c.out.length;
    c.out.length = 0;
  }

  /** Writes every waiting answer, connection after connection (the scheduled pass). */
  flush(): void {
    this.scheduled = false;
    const dirty = this.dirty;
    // Should a write run code that queues another answer, that one is written in this same pass.
    for (let i = 0; i < dirty.length; i++) this.flushConnection(dirty[i] as CoalescedConnection);
    dirty.length = 0;
  }
}
