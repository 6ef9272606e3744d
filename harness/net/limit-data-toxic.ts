import type { ToxicDefinition } from './toxic-definition.js';
import { ToxicStage } from './toxic-stage.js';

/**
 * `limit_data`: passes the first `bytes` bytes of the stream, then closes the connection. The count is
 * kept per connection and survives attribute updates (Toxiproxy's stateful toxic).
 */
export class LimitDataToxic extends ToxicStage {
  private limit = 0;
  private transmitted = 0;
  private closed = false;

  override configure(a: Readonly<Record<string, number>>): void {
    this.limit = a.bytes ?? 0;
  }

  write(data: Buffer): void {
    if (this.closed) return;
    const remaining = Math.max(0, this.limit - this.transmitted);
    const part = remaining < data.length ? data.subarray(0, remaining) : data;
    if (part.length > 0) {
      this.transmitted += part.length;
      this.out.write(part);
    }
    if (this.transmitted >= this.limit) {
      this.closed = true;
      this.out.end('close');
    }
  }

  override end(kind: 'eof' | 'close'): void {
    if (this.closed) return;
    this.closed = true;
    this.out.end(kind);
  }
}

export const limitDataToxic: ToxicDefinition = {
  type: 'limit_data',
  summary: 'close the connection after bytes bytes',
  attributes: [{ name: 'bytes', unit: 'bytes', default: 0, min: 0, max: 2 ** 40, integer: true }],
  createStage: () => new LimitDataToxic(),
};
