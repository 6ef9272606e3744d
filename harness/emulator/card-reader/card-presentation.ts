/**
 * The card slot, the contactless landing zone and the stripe reader of the terminal: presentations are
 * queued until a transaction takes them, so a test may present the card before or after the prompt.
 */
import type { VirtualCard } from '../../cards/index.js';
import { realClock, type Clock } from '../../common/clock.js';

/**
 * What the terminal needs of a card: a virtual card, or any adapter (e.g. a card in a PC/SC reader
 * wrapped by the pcsc driver) with the same Promise-only methods. `powerOn` rejects with the cards
 * layer's CardNoAnswerError for a chip that does not answer; `transmit` may reject with CardRemovedError.
 */
export type PresentedCard = Pick<
  VirtualCard,
  'name' | 'maskedPan' | 'powerOn' | 'transmit' | 'powerOff' | 'swipe'
> & {
  /**
   * The interface the chip is powered through, undefined when unpowered (optional). A card that turns
   * unpowered while the terminal works with it has gone: a PC/SC card source powers the card off when the
   * reader reports it left, a virtual card when it left the field.
   */
  readonly poweredVia?: VirtualCard['poweredVia'];
};

/** How a card was presented. */
export interface Presentation {
  kind: 'insert' | 'tap' | 'swipe';
  card: PresentedCard;
  /** Tap: how long the card stays in the field (ms); undefined = until the read is done. */
  holdMs?: number;
  /** When it was presented (ms since the epoch). */
  at: number;
}

/** A queue of presentations with one waiter. */
export class PresentationQueue {
  /** `clock`: the terminal's (prompt timeouts run on it). */
  constructor(private readonly clock: Clock = realClock) {}
  private readonly queue: Presentation[] = [];
  private waiter: ((p: Presentation) => void) | undefined;

  push(p: Presentation): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(p);
    } else {
      this.queue.push(p);
      if (this.queue.length > 8) this.queue.shift();
    }
  }

  /** Drops the queued insertions of a card that was taken out before anyone read it. */
  dropInserted(card: PresentedCard): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const p = this.queue[i] as Presentation;
      if (p.kind === 'insert' && p.card === card) this.queue.splice(i, 1);
    }
  }

  /** Drops presentations nobody took (a transaction ended). */
  clear(): void {
    this.queue.length = 0;
  }

  /** Resolves with the next presentation; rejects on `signal` abort or after `timeoutMs`. */
  next(timeoutMs: number, signal: AbortSignal, onTimeout: () => Error): Promise<Presentation> {
    const p = this.queue.shift();
    if (p) return Promise.resolve(p);
    return new Promise<Presentation>((resolve, reject) => {
      const cleanup = (): void => {
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        if (this.waiter === take) this.waiter = undefined;
      };
      const take = (x: Presentation): void => {
        cleanup();
        resolve(x);
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason as Error);
      };
      const timer = this.clock.setTimeout(() => {
        cleanup();
        reject(onTimeout());
      }, timeoutMs);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort);
      this.waiter = take;
    });
  }
}
