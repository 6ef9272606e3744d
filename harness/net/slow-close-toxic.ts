import { MAX_DELAY_MS, type ToxicDefinition } from './toxic-definition.js';
import { ScheduledStage } from './toxic-stage.js';

/** `slow_close`: data passes at once; the end of the stream (FIN) is delayed by `delay` ms. */
export class SlowCloseToxic extends ScheduledStage {
  private delay = 0;

  override configure(a: Readonly<Record<string, number>>): void {
    this.delay = a.delay ?? 0;
  }

  write(data: Buffer): void {
    this.enqueue(data, this.ctx.clock.now());
  }

  override end(kind: 'eof' | 'close'): void {
    this.enqueue(kind, this.ctx.clock.now() + this.delay);
  }
}

export const slowCloseToxic: ToxicDefinition = {
  type: 'slow_close',
  summary: 'delay the close of the stream by delay ms',
  attributes: [{ name: 'delay', unit: 'ms', default: 0, min: 0, max: MAX_DELAY_MS, integer: true }],
  createStage: () => new SlowCloseToxic(),
};
