import { ProxyInputError } from './errors.js';
import { MAX_DELAY_MS, type ToxicDefinition } from './toxic-definition.js';
import { ScheduledStage } from './toxic-stage.js';

/**
 * Cut points for a chunk of `size` bytes: halves recursively, moving each cut by a random amount within
 * ±variation, until a piece is no more than `average + variation` bytes. Returns the piece lengths.
 * (Toxiproxy's slicer splits the same way, so pieces vary evenly over the chunk.)
 */
export function slicePieces(
  size: number,
  average: number,
  variation: number,
  random: () => number,
): number[] {
  const out: number[] = [];
  const split = (len: number): void => {
    if (len - average <= variation || len <= 1) {
      if (len > 0) out.push(len);
      return;
    }
    let mid = Math.floor(len / 2);
    if (variation > 0) mid += Math.floor(random() * (2 * variation + 1)) - variation;
    mid = Math.min(len - 1, Math.max(1, mid));
    split(mid);
    split(len - mid);
  };
  split(size);
  return out;
}

/**
 * `slicer`: cuts every chunk into pieces of about `average_size` ± `size_variation` bytes and sends them
 * `delay` µs apart (timer resolution is about 1 ms; 0 sends the pieces back to back as separate writes).
 */
export class SlicerToxic extends ScheduledStage {
  private average = 1;
  private variation = 0;
  private delayMs = 0;
  private cursor = 0;

  override configure(a: Readonly<Record<string, number>>): void {
    this.average = a.average_size ?? 1;
    this.variation = a.size_variation ?? 0;
    this.delayMs = (a.delay ?? 0) / 1000;
  }

  write(data: Buffer): void {
    let t = Math.max(this.ctx.clock.now(), this.cursor);
    let off = 0;
    for (const len of slicePieces(data.length, this.average, this.variation, () => this.ctx.random())) {
      this.enqueue(data.subarray(off, off + len), t);
      off += len;
      t += this.delayMs;
    }
    this.cursor = t;
  }

  override end(kind: 'eof' | 'close'): void {
    this.enqueue(kind, this.lastDue());
  }
}

export const slicerToxic: ToxicDefinition = {
  type: 'slicer',
  summary: 'slice data into average_size ± size_variation byte pieces, delay µs apart',
  attributes: [
    { name: 'average_size', unit: 'bytes', default: 1, min: 1, max: 1_048_576, integer: true },
    { name: 'size_variation', unit: 'bytes', default: 0, min: 0, max: 1_048_576, integer: true },
    { name: 'delay', unit: 'µs', default: 0, min: 0, max: MAX_DELAY_MS * 1000, integer: true },
  ],
  validate(a) {
    if ((a.size_variation ?? 0) >= (a.average_size ?? 1)) {
      throw new ProxyInputError('attributes.size_variation must be smaller than attributes.average_size', {
        field: 'attributes.size_variation',
      });
    }
  },
  createStage: () => new SlicerToxic(),
};
