import type { ClockTimer } from '../common/clock.js';
import { MAX_DELAY_MS, type ToxicDefinition } from './toxic-definition.js';
import { ToxicStage } from './toxic-stage.js';

/**
 * `reset_peer`: on the first data (or end of stream) after the toxic became active, waits `timeout` ms
 * and resets the connection: both peers get a TCP RST (ECONNRESET), unsent data is discarded. Data
 * arriving meanwhile is dropped, as in Toxiproxy.
 */
export class ResetPeerToxic extends ToxicStage {
  private timeout = 0;
  private timer: ClockTimer | undefined;
  private triggered = false;

  override configure(a: Readonly<Record<string, number>>): void {
    this.timeout = a.timeout ?? 0;
  }

  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    if (this.timeout <= 0) {
      this.ctx.reset();
      return;
    }
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      this.ctx.reset();
    }, this.timeout);
  }

  write(_data: Buffer): void {
    this.trigger();
  }

  override end(_kind: 'eof' | 'close'): void {
    this.trigger();
  }

  override detach(): [] {
    this.timer?.cancel();
    this.timer = undefined;
    return [];
  }
}

export const resetPeerToxic: ToxicDefinition = {
  type: 'reset_peer',
  summary: 'TCP RST timeout ms after data arrives',
  attributes: [{ name: 'timeout', unit: 'ms', default: 0, min: 0, max: MAX_DELAY_MS, integer: true }],
  createStage: () => new ResetPeerToxic(),
};
