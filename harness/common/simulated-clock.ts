/**
 * Simulated time: a timer heap and a "now" that only moves when nothing else can happen. Time jumps to
 * the next timer once the process is quiet, i.e. for `quietRounds` turns of the event loop in a row:
 *
 * - no callback ran other than this pump (an async_hooks `before` hook counts every I/O callback,
 *   timer, immediate, nextTick and promise reaction of the process);
 * - no libuv request is in flight (process.getActiveResourcesInfo(): connects, writes, shutdowns, DNS,
 *   file system), so bytes written to a loopback socket are either read already or still counted;
 * - no simulated timer is due now (those fire first, one per turn, in due order).
 *
 * When only guard timers are left (scenario and step budgets) and the process is quiet, nothing can
 * happen any more: the clock tells its stall listeners once (the runner ends the scenario *broken*,
 * "nothing left to happen"); without listeners it jumps to the guard. Real timers of code not on this
 * clock are not waited for (they fire in real time). See docs/simulated-time.md.
 */
import { createHook } from 'node:async_hooks';
import { sleepOn, type Clock, type ClockTimer, type TimerOptions } from './clock.js';

const noop = (): void => undefined;

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  guard: boolean;
  unref: boolean;
  done: boolean;
}

// ---- process-wide quiet detection --------------------------------------------------------------

/** Callbacks the event loop ran (all kinds), and how many of them were the clocks' own pump turns. */
let callbacks = 0;
let pumpTurns = 0;
let hookUsers = 0;
const hook = createHook({
  before() {
    callbacks++;
  },
});

/** libuv request types: work in flight whose completion is still to come. */
const REQUEST = /Req|ConnectWrap$|WriteWrap$|^ShutdownWrap$|^SendWrap$/;

function requestsInFlight(): boolean {
  for (const r of process.getActiveResourcesInfo()) if (REQUEST.test(r)) return true;
  return false;
}

export interface SimulatedClockOptions {
  /** `now()` at the start (epoch ms). Default: the real time when the clock is made. */
  startAt?: number;
  /** Quiet event-loop turns in a row before time may jump. Default 3. */
  quietRounds?: number;
}

/** Figures of a simulated clock (reports, tests). */
export interface SimulatedClockStats {
  /** Simulated milliseconds since the clock was made. */
  elapsedMs: number;
  /** How many times time jumped to a timer. */
  jumps: number;
  /** Timers fired. */
  fired: number;
  /** Stalls reported. */
  stalls: number;
}

export class SimulatedClock implements Clock {
  readonly simulated = true;
  private readonly start: number;
  private t: number;
  private readonly heap: Entry[] = [];
  private seq = 0;
  /** Pending timers that are not guards (unref'd ones included), unref'd ones, guards. */
  private live = 0;
  private unrefd = 0;
  private guards = 0;
  private scheduled = false;
  private quiet = 0;
  private lastActivity = -1;
  /** Activity count when the last stall was reported (a stall is reported once per quiet spell). */
  private stalledAt = -1;
  private readonly stallListeners = new Set<() => void>();
  private readonly quietRounds: number;
  private holdingHook = false;
  private readonly figures = { jumps: 0, fired: 0, stalls: 0 };

  constructor(options: SimulatedClockOptions = {}) {
    this.start = options.startAt ?? Date.now();
    this.t = this.start;
    this.quietRounds = Math.max(1, options.quietRounds ?? 3);
  }

  now(): number {
    return this.t;
  }

  stats(): SimulatedClockStats {
    return { elapsedMs: this.t - this.start, ...this.figures };
  }

  setTimeout(fn: () => void, ms: number, options: TimerOptions = {}): ClockTimer {
    // Whole milliseconds, as Node's timers: `now()` stays an integer number of ms.
    const delay = Number.isFinite(ms) ? Math.max(0, Math.ceil(ms)) : 0;
    const e: Entry = {
      due: this.t + delay,
      seq: ++this.seq,
      fn,
      guard: options.guard === true,
      unref: options.unref === true && options.guard !== true,
      done: false,
    };
    this.push(e);
    if (e.guard) this.guards++;
    else this.live++;
    if (e.unref) this.unrefd++;
    this.wake();
    return {
      cancel: () => {
        if (e.done) return;
        this.finish(e);
        this.wake();
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  onStall(listener: () => void): () => void {
    this.stallListeners.add(listener);
    this.wake();
    return () => {
      this.stallListeners.delete(listener);
    };
  }

  // ---- the pump ------------------------------------------------------------------------------

  /** Keeps the pump turning while anything is pending. */
  private wake(): void {
    if (this.scheduled) return;
    if (!this.keepsGoing()) {
      this.releaseHook();
      return;
    }
    if (!this.holdingHook) {
      this.holdingHook = true;
      if (hookUsers++ === 0) hook.enable();
    }
    this.scheduled = true;
    setImmediate(this.turn);
  }

  /** A ref'd timer, a guard or a stall listener keeps the pump turning (unref'd timers alone do not). */
  private keepsGoing(): boolean {
    return this.live - this.unrefd + this.guards > 0 || this.stallListeners.size > 0;
  }

  private releaseHook(): void {
    if (!this.holdingHook) return;
    this.holdingHook = false;
    if (--hookUsers === 0) hook.disable();
  }

  private readonly turn = (): void => {
    pumpTurns++;
    this.scheduled = false;
    if (!this.keepsGoing()) return this.releaseHook();
    const top = this.top();
    if (top && top.due <= this.t) return this.fire(top);
    const activity = callbacks - pumpTurns;
    if (activity !== this.lastActivity || requestsInFlight()) {
      this.lastActivity = activity;
      this.quiet = 0;
      return this.wake();
    }
    if (++this.quiet < this.quietRounds) return this.wake();
    this.quiet = 0;
    if (this.live > 0 && top) return this.jump(top);
    // Nothing but guards (or nothing at all) and nothing running: a stall, told once per quiet spell.
    if (this.stallListeners.size > 0 && this.stalledAt !== activity) {
      this.stalledAt = activity;
      this.figures.stalls++;
      for (const l of [...this.stallListeners]) l();
      return this.wake();
    }
    if (top) return this.jump(top);
    // Only stall listeners and they did nothing: stop turning until a timer is set.
    this.releaseHook();
  };

  private jump(e: Entry): void {
    this.figures.jumps++;
    this.t = Math.max(this.t, e.due);
    this.fire(e);
  }

  private fire(e: Entry): void {
    const fn = e.fn;
    this.finish(e);
    this.figures.fired++;
    this.lastActivity = -1;
    this.wake();
    fn();
  }

  /** The earliest pending timer (cancelled ones are dropped on the way). */
  private top(): Entry | undefined {
    while (this.heap.length > 0 && (this.heap[0] as Entry).done) this.pop();
    return this.heap[0];
  }

  /**
   * Marks `e` done and lets go of its callback: a cancelled timer stays in the heap until it reaches the
   * top, and must not hold what its closure holds (a whole scenario) until then. When most of the heap
   * is done timers (long timeouts cancelled scenario after scenario), the heap is rebuilt without them.
   */
  private finish(e: Entry): void {
    e.done = true;
    e.fn = noop;
    if (e.guard) this.guards--;
    else this.live--;
    if (e.unref) this.unrefd--;
    const pending = this.live + this.guards;
    if (this.heap.length > 64 && pending < this.heap.length / 4) {
      const kept = this.heap.filter((x) => !x.done).sort((a, b) => (SimulatedClock.before(a, b) ? -1 : 1));
      this.heap.length = 0;
      this.heap.push(...kept);
    }
  }

  // ---- binary heap by (due, seq) -------------------------------------------------------------

  private static before(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!SimulatedClock.before(h[i] as Entry, h[p] as Entry)) break;
      [h[i], h[p]] = [h[p] as Entry, h[i] as Entry];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Entry;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && SimulatedClock.before(h[l] as Entry, h[m] as Entry)) m = l;
      if (r < h.length && SimulatedClock.before(h[r] as Entry, h[m] as Entry)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Entry, h[i] as Entry];
      i = m;
    }
  }
}
