/**
 * A `ByteChannel` (the Promise-only transport of the ECR link, harness/emulator/ecr) over any readable +
 * writable stream pair: a child process's stdout/stdin, this process's own stdin/stdout. TCP sockets and
 * serial ports have theirs already (`TcpChannel`/`connectTcpChannel`, `SerialChannel`), so a driver
 * reads every transport through the one interface.
 */
import type { Readable, Writable } from 'node:stream';
import { QueuedByteChannel } from '../../emulator/ecr/index.js';
import { KitChannelClosedError } from './errors.js';

export class StreamChannel extends QueuedByteChannel {
  constructor(
    readonly description: string,
    private readonly input: Readable,
    private readonly output: Writable,
    /** Called by `close()` after the streams are ended (e.g. kill the child). */
    private readonly onClose: () => void = () => undefined,
  ) {
    super();
    input.on('data', (chunk: Buffer) => this.deliver(chunk));
    input.on('end', () => this.end());
    input.on('close', () => this.end());
    input.on('error', () => this.end());
    // A write to a peer that went away (EPIPE) ends the channel; the write itself rejects.
    output.on('error', () => this.end());
  }

  write(data: Buffer): Promise<void> {
    if (this.closed || this.output.destroyed || this.output.writableEnded)
      return Promise.reject(new KitChannelClosedError(this.description));
    return new Promise((resolve, reject) => {
      this.output.write(data, (err) =>
        err ? reject(new KitChannelClosedError(this.description, err)) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    if (!this.output.writableEnded) this.output.end();
    this.input.destroy();
    this.onClose();
    this.end();
  }
}
