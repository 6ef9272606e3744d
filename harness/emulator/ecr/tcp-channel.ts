import { connect, type Socket } from 'node:net';
import { QueuedByteChannel } from './byte-channel.js';
import { EcrConnectError, EcrLinkClosedError, EcrPeerNotReadingError } from './errors.js';

/** Options of a TCP channel. */
export interface TcpChannelOptions {
  /**
   * Bytes the socket may hold unsent, because the peer does not read, before the channel is closed
   * (default: no limit). A write past it destroys the socket and rejects with `EcrPeerNotReadingError`.
   */
  readonly maxUnsentBytes?: number;
}

/** An ECR channel over a TCP socket (either side: connected by a client or accepted by a server). */
export class TcpChannel extends QueuedByteChannel {
  readonly description: string;
  private readonly socket: Socket;
  private readonly maxUnsentBytes: number;

  constructor(socket: Socket, options: TcpChannelOptions = {}) {
    super();
    this.socket = socket;
    this.maxUnsentBytes = options.maxUnsentBytes ?? Infinity;
    this.description = `tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.deliver(chunk));
    socket.on('close', () => this.end());
    // A reset shows up as 'close' right after; the link reports it as closed.
    socket.on('error', () => this.end());
  }

  write(data: Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.reject(new EcrLinkClosedError(this.description));
    if (this.socket.writableLength + data.length > this.maxUnsentBytes) {
      // The socket's 'close' ends the channel later; the link learns why from this rejection first.
      this.socket.destroy();
      return Promise.reject(new EcrPeerNotReadingError(this.description, this.maxUnsentBytes));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) =>
        err ? reject(new EcrLinkClosedError(this.description, err)) : resolve(),
      );
    });
  }

  async close(): Promise<void> {
    if (this.socket.destroyed) {
      this.end();
      return;
    }
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      // Do not wait for a peer that never closes its side.
      setTimeout(() => this.socket.destroy(), 200).unref();
    });
    this.end();
  }
}

/** Connects to an ECR server (a terminal listening on TCP). Throws `EcrConnectError` (broken). */
export function connectTcpChannel(host: string, port: number, timeoutMs = 5000): Promise<TcpChannel> {
  const address = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new EcrConnectError(address, `no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(new TcpChannel(socket));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new EcrConnectError(address, err.code ?? err.message, err));
    });
  });
}
