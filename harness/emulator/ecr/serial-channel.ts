import { existsSync } from 'node:fs';
import { serialPortClass, type SerialPort } from '../../common/serial-port.js';
import { QueuedByteChannel } from './byte-channel.js';
import { EcrLinkClosedError, EcrPortBusyError, EcrPortNotFoundError } from './errors.js';

export interface SerialChannelOptions {
  /** Line speed; default 115200. */
  readonly baudRate?: number;
  /** Take an exclusive lock on the device (default true), so a second user gets `EcrPortBusyError`. */
  readonly lock?: boolean;
}

/** An ECR channel over a serial port (`serialport`): a real RS-232/USB port or one end of a pty pair. */
export class SerialChannel extends QueuedByteChannel {
  readonly description: string;
  override readonly byteTimeMs: number;
  private readonly port: SerialPort;

  private constructor(port: SerialPort, path: string, baudRate: number) {
    super();
    this.port = port;
    this.description = `serial:${path}`;
    // 8N1: a start bit, 8 data bits and a stop bit per byte.
    this.byteTimeMs = 10_000 / baudRate;
    port.on('data', (chunk: Buffer) => this.deliver(chunk));
    port.on('close', () => this.end());
    port.on('error', () => this.end());
  }

  /**
   * Opens the port 8N1 without flow control. Throws `EcrPortNotFoundError` when nothing is at the path
   * and `EcrPortBusyError` when it cannot be opened or locked (both verdict broken).
   */
  static async open(path: string, options: SerialChannelOptions = {}): Promise<SerialChannel> {
    const baudRate = options.baudRate ?? 115_200;
    if (!existsSync(path)) throw new EcrPortNotFoundError(path);
    const SerialPort = await serialPortClass();
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: options.lock ?? true });
    await new Promise<void>((resolve, reject) => {
      port.open((err) => {
        if (!err) return resolve();
        const msg = err.message;
        if (/no such file|ENOENT/i.test(msg)) reject(new EcrPortNotFoundError(path, err));
        else
          reject(
            new EcrPortBusyError(path, /lock|temporarily unavailable|busy/i.test(msg) ? 'in use' : msg, err),
          );
      });
    });
    return new SerialChannel(port, path, baudRate);
  }

  write(data: Buffer): Promise<void> {
    if (this.closed || !this.port.isOpen) return Promise.reject(new EcrLinkClosedError(this.description));
    return new Promise((resolve, reject) => {
      this.port.write(data, (err) => {
        if (err) return reject(new EcrLinkClosedError(this.description, err));
        this.port.drain((e) => (e ? reject(new EcrLinkClosedError(this.description, e)) : resolve()));
      });
    });
  }

  async close(): Promise<void> {
    if (this.port.isOpen) {
      await new Promise<void>((resolve) => this.port.close(() => resolve()));
    }
    this.end();
  }
}
