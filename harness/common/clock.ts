/**
 * The clock every part of a bench waits on: timers, sleeps and "now". One clock per bench, injected
 * (never read from a global), so the embedded bench can run on simulated time (see
 * simulated-clock.ts and docs/simulated-time.md) while lab benches keep real time.
 *
 * Contract: `now()` is milliseconds since the epoch on this clock; a timer set for `ms` fires when
 * `now()` has advanced by at least `ms`, after timers due earlier (ties: in the order they were set).
 */
export interface ClockTimer {
  /** Stops the timer; nothing happens when it already fired or was cancelled. */
  cancel(): void;
}

export interface TimerOptions {
  /**
   * A guard, not an event: a scenario or step budget that only ends a wait nothing else ends. On a
   * simulated clock, when nothing else can happen and only guards are left, the clock reports a stall
   * (listeners of {@link Clock.onStall}) instead of jumping to the guard.
   */
  guard?: boolean;
  /**
   * Does not keep the clock going by itself (Node's `unref`): a real timer does not keep the process
   * alive; a simulated one fires only while something else (a timer, a guard, a running scenario)
   * keeps simulated time moving.
   */
  unref?: boolean;
}

export interface Clock {
  /** True for simulated time. */
  readonly simulated: boolean;
  /** Milliseconds since the epoch on this clock. */
  now(): number;
  /** Calls `fn` once after `ms` of this clock's time (negative or NaN counts as 0). */
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): ClockTimer;
  /** Resolves after `ms`; rejects with the signal's reason when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Hears that nothing is left to happen (simulated clock only: no work in flight, no timer but
   * guards); returns the function that stops hearing. A real clock never calls it.
   */
  onStall(listener: () => void): () => void;
}

/** Cancels `t` when defined (the `clearTimeout` of a clock timer). */
export function cancelTimer(t: ClockTimer | undefined): void {
  t?.cancel();
}

/** `sleep` built on a clock's `setTimeout` (both clocks use it). */
export function sleepOn(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      t.cancel();
      reject(signal?.reason as Error);
    };
    const t = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Real time: Node's timers and Date.now(). */
class RealClock implements Clock {
  readonly simulated = false;
  now(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number, options: TimerOptions = {}): ClockTimer {
    const t = setTimeout(fn, Number.isFinite(ms) ? Math.max(0, ms) : 0);
    if (options.unref) t.unref();
    return { cancel: () => clearTimeout(t) };
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
  onStall(): () => void {
    return () => undefined;
  }
}

/** The process's real clock (lab benches, CLI servers, the default of every component). */
export const realClock: Clock = new RealClock();
