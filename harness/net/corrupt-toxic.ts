import type { ToxicDefinition } from './toxic-definition.js';
import { ToxicStage } from './toxic-stage.js';

/**
 * Flips each bit of `data` independently with `probability` (in a copy). Draws the gap to the next
 * flipped bit from a geometric distribution, so the cost is proportional to the flips, not the bits.
 */
export function flipBits(
  data: Buffer,
  probability: number,
  random: () => number,
): { data: Buffer; flips: number } {
  if (probability <= 0 || data.length === 0) return { data, flips: 0 };
  const out = Buffer.from(data);
  const bits = out.length * 8;
  if (probability >= 1) {
    for (let i = 0; i < out.length; i++) out[i] = ~(out[i] as number) & 0xff;
    return { data: out, flips: bits };
  }
  const logq = Math.log(1 - probability);
  let flips = 0;
  let bit = -1;
  for (;;) {
    const u = 1 - random(); // (0, 1]
    bit += 1 + Math.floor(Math.log(u) / logq);
    if (bit >= bits || !Number.isFinite(bit)) break;
    out[bit >> 3] = (out[bit >> 3] as number) ^ (0x80 >> (bit & 7));
    flips++;
  }
  return { data: out, flips };
}

/** `corrupt`: flips bits of the data with the given per-bit `probability` (Toxiproxy's corrupt toxic). */
export class CorruptToxic extends ToxicStage {
  private probability = 0;

  override configure(a: Readonly<Record<string, number>>): void {
    this.probability = a.probability ?? 0;
  }

  write(data: Buffer): void {
    this.out.write(flipBits(data, this.probability, () => this.ctx.random()).data);
  }
}

export const corruptToxic: ToxicDefinition = {
  type: 'corrupt',
  summary: 'flip each bit with probability',
  attributes: [{ name: 'probability', unit: 'probability', default: 0, min: 0, max: 1, integer: false }],
  createStage: () => new CorruptToxic(),
};
