/**
 * A transport under the ECR link, after node-serialport's bindings-interface: Promise-only, pull-based
 * reads. Serial ports, TCP sockets and the in-memory mock peer all implement it, so the link state
 * machine never knows which one it drives.
 */
export interface ByteChannel {
  /** Where the bytes go, for messages and traces: "tcp:127.0.0.1:4000", "serial:/dev/pts/3", "memory:a". */
  readonly description: string;
  /**
   * Milliseconds one byte takes on the line (serial: 10 bits / baud rate), added to the ACK timeout
   * for each byte of a frame; 0 for transports where transmission time does not matter.
   */
  readonly byteTimeMs: number;
  /** Resolves once the bytes are handed to the transport (drained for serial ports). */
  write(data: Buffer): Promise<void>;
  /** The next chunk received, or `null` once the channel is closed and everything was read. */
  read(): Promise<Buffer | null>;
  /** Closes the channel; pending and later reads resolve `null`. Idempotent. */
  close(): Promise<void>;
  /** True once closed (by either side). */
  readonly closed: boolean;
}

/**
 * Shared plumbing for channels over a push source (a socket, a serial port stream): received chunks wait
 * in a queue until `read()` takes them.
 */
export abstract class QueuedByteChannel implements ByteChannel {
  abstract readonly description: string;
  readonly byteTimeMs: number = 0;
  private readonly queue: Buffer[] = [];
  private waiter: ((chunk: Buffer | null) => void) | undefined;
  private ended = false;

  abstract write(data: Buffer): Promise<void>;
  abstract close(): Promise<void>;

  get closed(): boolean {
    return this.ended;
  }

  read(): Promise<Buffer | null> {
    const chunk = this.queue.shift();
    if (chunk) return Promise.resolve(chunk);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** For subclasses: a chunk arrived. */
  protected deliver(chunk: Buffer): void {
    if (this.ended) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(chunk);
    } else this.queue.push(chunk);
  }

  /** For subclasses: no more data will arrive. */
  protected end(): void {
    if (this.ended) return;
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(this.queue.shift() ?? null);
  }
}
