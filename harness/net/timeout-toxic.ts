import type { ClockTimer } from '../common/clock.js';
import { MAX_DELAY_MS, type ToxicDefinition } from './toxic-definition.js';
import { ScheduledStage } from './toxic-stage.js';

/**
 * `timeout`: lets nothing through and closes the connection `timeout` ms after the toxic became active
 * on it. With `timeout` 0 the connection stays open and the data is held until the toxic is removed,
 * then delivered (Toxiproxy's documented behaviour; recent Toxiproxy builds discard it instead).
 */
export class TimeoutToxic extends ScheduledStage {
  private closeTimer: ClockTimer | undefined;
  private timeout = 0;
  private armed = false;

  override configure(a: Readonly<Record<string, number>>): void {
    this.timeout = a.timeout ?? 0;
    this.closeTimer?.cancel();
    this.closeTimer = undefined;
    if (this.timeout > 0) {
      this.closeTimer = this.ctx.clock.setTimeout(() => {
        this.closeTimer = undefined;
        this.armed = true;
        this.discardAll();
        this.out.end('close');
      }, this.timeout);
    }
  }

  write(data: Buffer): void {
    if (!this.armed) this.enqueue(data, Infinity);
  }

  override end(kind: 'eof' | 'close'): void {
    if (!this.armed) this.enqueue(kind, Infinity);
  }

  protected override onDetach(): void {
    this.closeTimer?.cancel();
    this.closeTimer = undefined;
  }
}

export const timeoutToxic: ToxicDefinition = {
  type: 'timeout',
  summary: 'stop all data; close after timeout ms (0: hold until removed)',
  attributes: [{ name: 'timeout', unit: 'ms', default: 0, min: 0, max: MAX_DELAY_MS, integer: true }],
  createStage: () => new TimeoutToxic(),
};
