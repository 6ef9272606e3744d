import type { ToxicDefinition } from './toxic-definition.js';
import { ScheduledStage } from './toxic-stage.js';

/**
 * `bandwidth`: passes data at `rate` KB/s (1 KB = 1000 bytes, Toxiproxy's unit: rate bytes per ms).
 * A chunk larger than 100 ms worth of data is cut into 100 ms pieces so the far end sees a steady
 * trickle. `rate` 0 means unlimited.
 */
export class BandwidthToxic extends ScheduledStage {
  private rate = 0;
  /** When the link is next free (ms). */
  private cursor = 0;

  override configure(a: Readonly<Record<string, number>>): void {
    this.rate = a.rate ?? 0;
  }

  write(data: Buffer): void {
    if (this.rate <= 0) {
      this.enqueue(data, this.ctx.clock.now());
      return;
    }
    const piece = this.rate * 100;
    let t = Math.max(this.ctx.clock.now(), this.cursor);
    for (let off = 0; off < data.length; off += piece) {
      const part = data.subarray(off, Math.min(data.length, off + piece));
      t += part.length / this.rate;
      this.enqueue(part, t);
    }
    this.cursor = t;
  }

  override end(kind: 'eof' | 'close'): void {
    this.enqueue(kind, this.lastDue());
  }
}

export const bandwidthToxic: ToxicDefinition = {
  type: 'bandwidth',
  summary: 'limit throughput to rate KB/s',
  attributes: [{ name: 'rate', unit: 'KB/s', default: 0, min: 0, max: 10_000_000, integer: true }],
  createStage: () => new BandwidthToxic(),
};
