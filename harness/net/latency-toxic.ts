import { MAX_DELAY_MS, type ToxicDefinition } from './toxic-definition.js';
import { ScheduledStage } from './toxic-stage.js';

/**
 * `latency`: every chunk leaves `latency ± jitter` ms after it arrived (uniform jitter), in order, so a
 * stream of chunks is delayed as a whole rather than serialised. The end of the stream follows the last
 * chunk. Removing the toxic sends what it holds on at once.
 */
export class LatencyToxic extends ScheduledStage {
  private latency = 0;
  private jitter = 0;

  override configure(a: Readonly<Record<string, number>>): void {
    this.latency = a.latency ?? 0;
    this.jitter = a.jitter ?? 0;
  }

  /** One delay draw in ms: latency + U(-jitter, +jitter), never negative. */
  delay(): number {
    const j = this.jitter > 0 ? (this.ctx.random() * 2 - 1) * this.jitter : 0;
    return Math.max(0, this.latency + j);
  }

  write(data: Buffer): void {
    this.enqueue(data, this.ctx.clock.now() + this.delay());
  }

  override end(kind: 'eof' | 'close'): void {
    this.enqueue(kind, this.lastDue());
  }
}

export const latencyToxic: ToxicDefinition = {
  type: 'latency',
  summary: 'delay every chunk by latency ± jitter ms',
  attributes: [
    { name: 'latency', unit: 'ms', default: 0, min: 0, max: MAX_DELAY_MS, integer: true },
    { name: 'jitter', unit: 'ms', default: 0, min: 0, max: MAX_DELAY_MS, integer: true },
  ],
  createStage: () => new LatencyToxic(),
};
