/**
 * The terminal's timeline sink: everything the emulated terminal does is emitted as an event (state
 * changes, display text, beeps and LEDs, receipts, ISO 8583 messages decoded and masked, APDUs, card
 * movements, results), so the runner can put it on the scenario timeline. No PAN, PIN, key or track
 * data in clear ever reaches an event.
 */
import { realClock, type Clock } from '../common/clock.js';
import type { DeviceCondition, TerminalDevice } from './terminal-devices.js';
import type { TerminalResult } from './terminal-result.js';

interface Base {
  /** Milliseconds since the epoch on the terminal's clock (simulated time on a simulated bench). */
  at: number;
  /** Sequence number within this terminal, from 1. */
  seq: number;
}

export type TerminalEventBody =
  | { type: 'state'; state: TerminalState; previous: TerminalState }
  | { type: 'display'; lines: string[]; key: string }
  | { type: 'indicator'; beep?: number; leds?: Record<string, 'on' | 'off' | 'blink'> }
  | { type: 'receipt'; text: string; copy: 'merchant' | 'customer' }
  | {
      type: 'message';
      direction: 'sent' | 'received';
      mti: string;
      /** Fields masked (PAN first 6/last 4, PIN block, keys and tracks redacted). */
      fields: Record<string, string>;
      /** Field 39 of an answer. */
      responseCode?: string;
    }
  | {
      type: 'host-error';
      reason: 'connect' | 'timeout' | 'closed' | 'decode' | 'bad-mac';
      mti: string;
      text: string;
    }
  | { type: 'apdu'; via: 'contact' | 'contactless'; command: string; response: string; ms: number }
  | {
      type: 'card';
      /**
       * `not-removed`: the card was still inserted `timeouts.cardRemoval` after PLEASE REMOVE CARD;
       * `return`: an ATM out of service (maintenance) gave an inserted card straight back.
       */
      action: 'insert' | 'tap' | 'swipe' | 'remove' | 'retain' | 'left-field' | 'not-removed' | 'return';
      card: string;
      maskedPan?: string;
    }
  | {
      type: 'reversal';
      status: 'queued' | 'sent' | 'answered' | 'failed' | 'abandoned';
      stan: string;
      reason: string;
    }
  | { type: 'result'; result: TerminalResult }
  /** A peripheral changed condition (device fault switched on or off). */
  | { type: 'device'; device: TerminalDevice; condition: DeviceCondition }
  /** A custodian switched maintenance on (`maintenance`: out of service for cardholders) or off. */
  | { type: 'mode'; mode: TerminalMode }
  | { type: 'note'; text: string };

export type TerminalEvent = TerminalEventBody & Base;

/** The terminal's operating mode: `normal`, or `maintenance` (a custodian's supervisor mode). */
export type TerminalMode = 'normal' | 'maintenance';

/** The states of the terminal state machine. */
export type TerminalState =
  | 'powerUp'
  | 'notSignedIn'
  | 'signingIn'
  | 'idle'
  | 'amount'
  | 'waitingForCard'
  | 'applicationSelection'
  | 'readingCard'
  | 'cardholderVerification'
  | 'online'
  | 'completion'
  | 'reversal'
  | 'result'
  | 'removeCard'
  | 'settling';

export type TerminalEventListener = (e: TerminalEvent) => void;

/** Where the terminal's events go; observers subscribe. Keeps the last `historySize` events. */
export class TerminalEvents {
  private readonly listeners = new Set<TerminalEventListener>();
  private readonly buffer: TerminalEvent[] = [];
  private seq = 0;

  /**
   * `clock`: the terminal's clock; it stamps events and every timer of the terminal runs on it (the
   * terminal core reads it from here, so one object carries it to every room).
   */
  constructor(
    private readonly historySize = 2000,
    readonly clock: Clock = realClock,
  ) {}

  /** Observes every event from now on; returns the function that stops observing. */
  on(listener: TerminalEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The last events (oldest first). */
  history(): readonly TerminalEvent[] {
    return this.buffer;
  }

  /** Forgets the history (listeners stay). */
  clear(): void {
    this.buffer.length = 0;
  }

  emit(body: TerminalEventBody): TerminalEvent {
    const e = { ...body, at: this.clock.now(), seq: ++this.seq } as TerminalEvent;
    this.buffer.push(e);
    if (this.buffer.length > this.historySize) this.buffer.splice(0, this.buffer.length - this.historySize);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A failing observer must not break the terminal.
      }
    }
    return e;
  }

  /**
   * Resolves with the first event (from the history since `sinceSeq`, then live) matching `predicate`;
   * rejects after `timeoutMs`.
   */
  waitFor(
    predicate: (e: TerminalEvent) => boolean,
    timeoutMs = 5000,
    sinceSeq = this.seq,
  ): Promise<TerminalEvent> {
    const past = this.buffer.find((e) => e.seq > sinceSeq && predicate(e));
    if (past) return Promise.resolve(past);
    return new Promise<TerminalEvent>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        off();
        reject(new Error(`no matching terminal event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on((e) => {
        if (!predicate(e)) return;
        timer.cancel();
        off();
        resolve(e);
      });
    });
  }

  /** Sequence number of the last event emitted. */
  get lastSeq(): number {
    return this.seq;
  }
}
