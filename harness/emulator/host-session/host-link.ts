/**
 * The terminal's line to the acquirer host: one TCP connection per exchange (as dial-up and GPRS POS
 * terminals do), a request frame out, one answer frame back within the timeout. Every message is reported
 * to an observer decoded (the terminal masks it before it reaches the timeline).
 */
import { connect, type Socket } from 'node:net';
import { realClock, type Clock } from '../../common/clock.js';
import type { Dialect, IsoMessage } from '../../iso8583/index.js';
import { FrameParser, decodeFrame, encodeFrame } from '../../iso8583/index.js';
import { HostLinkError } from '../errors.js';

export interface HostAddress {
  host: string;
  port: number;
}

export interface HostLinkOptions {
  dialect: Dialect;
  address: HostAddress;
  /** TPDU / header (hex) when the dialect frames them. */
  tpdu?: string;
  header?: string;
  /** The terminal's clock (answer and connect timeouts). Default real time. */
  clock?: Clock;
  /** Observer of each message sent and received. */
  onMessage?: (direction: 'sent' | 'received', msg: IsoMessage) => void;
}

/** Sends requests to the host and awaits the answers. */
export class HostLink {
  private readonly sockets = new Set<Socket>();

  private readonly clock: Clock;

  constructor(private readonly options: HostLinkOptions) {
    this.clock = options.clock ?? realClock;
  }

  /** Where the host is (may be changed between exchanges, e.g. to go through a proxy). */
  get address(): HostAddress {
    return this.options.address;
  }
  set address(a: HostAddress) {
    this.options.address = a;
  }

  /**
   * Sends `msg` and resolves with the answer. Rejects with HostLinkError: `connect` (no connection),
   * `timeout` (no answer within `timeoutMs`), `closed` (the host hung up), `decode` (an unreadable answer).
   */
  async exchange(msg: IsoMessage, timeoutMs: number): Promise<IsoMessage> {
    const { dialect, tpdu, header } = this.options;
    const frame = encodeFrame(dialect, msg, {
      ...(tpdu && dialect.framing.tpduBytes ? { tpdu } : {}),
      ...(header && dialect.framing.headerBytes ? { header } : {}),
    });
    const deadline = this.clock.now() + timeoutMs;
    const socket = await this.open(timeoutMs, msg.mti);
    this.options.onMessage?.('sent', msg);
    try {
      return await new Promise<IsoMessage>((resolve, reject) => {
        const parser = new FrameParser(dialect, { maxFrameBytes: 65535 });
        const done = (err: Error | undefined, answer?: IsoMessage): void => {
          timer.cancel();
          socket.removeAllListeners('data');
          socket.removeAllListeners('close');
          if (err) reject(err);
          else resolve(answer as IsoMessage);
        };
        const timer = this.clock.setTimeout(
          () => done(new HostLinkError('timeout', `no answer to ${msg.mti} within ${timeoutMs} ms`, msg.mti)),
          Math.max(1, deadline - this.clock.now()),
        );
        socket.on('data', (chunk: Buffer) => {
          let frames: Buffer[];
          try {
            frames = parser.push(chunk);
          } catch (e) {
            return done(
              new HostLinkError(
                'decode',
                `unreadable answer to ${msg.mti}: ${(e as Error).message}`,
                msg.mti,
              ),
            );
          }
          const f = frames[0];
          if (!f) return;
          try {
            const d = decodeFrame(dialect, f, { maxFrameBytes: 65535 });
            const answer: IsoMessage = { mti: d.mti, fields: d.fields };
            this.options.onMessage?.('received', answer);
            done(undefined, answer);
          } catch (e) {
            done(
              new HostLinkError(
                'decode',
                `unreadable answer to ${msg.mti}: ${(e as Error).message}`,
                msg.mti,
              ),
            );
          }
        });
        socket.on('close', () =>
          done(
            new HostLinkError('closed', `host closed the connection before answering ${msg.mti}`, msg.mti),
          ),
        );
        socket.write(frame);
      });
    } finally {
      this.drop(socket);
    }
  }

  /** Closes any open connection. */
  close(): void {
    for (const s of [...this.sockets]) this.drop(s);
  }

  private drop(s: Socket): void {
    this.sockets.delete(s);
    s.removeAllListeners('data');
    s.on('error', () => undefined);
    s.destroy();
  }

  private open(timeoutMs: number, mti: string): Promise<Socket> {
    const { host, port } = this.options.address;
    return new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      s.setNoDelay(true);
      this.sockets.add(s);
      const timer = this.clock.setTimeout(() => {
        this.drop(s);
        reject(new HostLinkError('connect', `no connection to ${host}:${port} within ${timeoutMs} ms`, mti));
      }, timeoutMs);
      s.once('connect', () => {
        timer.cancel();
        s.removeAllListeners('error');
        s.on('error', () => undefined);
        resolve(s);
      });
      s.once('error', (e) => {
        timer.cancel();
        this.drop(s);
        reject(new HostLinkError('connect', `cannot connect to ${host}:${port}: ${e.message}`, mti));
      });
    });
  }
}
