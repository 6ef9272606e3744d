import { EcrLinkClosedError } from './errors.js';
import { QueuedByteChannel } from './byte-channel.js';

/**
 * What the wire does to one written chunk on its way to the peer: return it (maybe altered), or `null`
 * to lose it. Installed with `MemoryChannel.tamper` to simulate a noisy or lossy line in unit tests.
 */
export type Tamper = (chunk: Buffer, index: number) => Buffer | null;

/**
 * One end of an in-memory duplex, the mock peer of the ECR transports (after node-serialport's
 * binding-mock): whatever one end writes, the other reads on a later tick, through optional test
 * controls to inject noise, corrupt or drop chunks, and record the traffic.
 */
export class MemoryChannel extends QueuedByteChannel {
  readonly description: string;
  /** Every chunk this end wrote, as written (before tampering). */
  readonly written: Buffer[] = [];
  private peer: MemoryChannel | undefined;
  private tamperFn: Tamper | undefined;
  private writes = 0;

  constructor(name: string) {
    super();
    this.description = `memory:${name}`;
  }

  /** Links two ends; `createMemoryChannelPair` does this. */
  static connect(a: MemoryChannel, b: MemoryChannel): void {
    a.peer = b;
    b.peer = a;
  }

  /** Alters or drops what this end writes from now on; `undefined` restores a clean wire. */
  tamper(fn: Tamper | undefined): void {
    this.tamperFn = fn;
    this.writes = 0;
  }

  /** Bytes that reach this end as if the line picked them up (noise), delivered on a later tick. */
  emitData(bytes: Uint8Array): void {
    const chunk = Buffer.from(bytes);
    setImmediate(() => this.deliver(chunk));
  }

  async write(data: Buffer): Promise<void> {
    if (this.closed) throw new EcrLinkClosedError(this.description);
    const copy = Buffer.from(data);
    this.written.push(copy);
    const out = this.tamperFn ? this.tamperFn(copy, this.writes++) : copy;
    const peer = this.peer;
    if (out && peer) setImmediate(() => peer.deliver(out));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.end();
    const peer = this.peer;
    if (peer) setImmediate(() => peer.end());
  }
}

/** Two connected in-memory ends: `a` is usually the client (cash register), `b` the terminal. */
export function createMemoryChannelPair(): [MemoryChannel, MemoryChannel] {
  const a = new MemoryChannel('a');
  const b = new MemoryChannel('b');
  MemoryChannel.connect(a, b);
  return [a, b];
}
