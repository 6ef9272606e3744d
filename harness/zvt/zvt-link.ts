/**
 * One ZVT link over a byte channel, in either transport form: `tcp` (APDUs back to back) or `serial`
 * (DLE STX … DLE ETX CRC frames, each answered by a single ACK/NAK byte, repeated up to three times on
 * NAK or silence). The link hands on complete APDUs in order; what cannot be read is reported through
 * `onBadInput` (a serial frame with a wrong CRC is answered NAK here). Every wait is bounded.
 */
import { apduLabel, decodeApdu, type Apdu } from './apdu-codec.js';
import { ZvtApduParser } from './apdu-parser.js';
import { ZvtLinkError, type ZvtError } from './errors.js';
import { encodeSerialFrame, SERIAL_ACK, SERIAL_NAK, ZvtSerialParser } from './serial-codec.js';

/** What the link needs from a transport (the emulator's ECR channels fit it: TCP socket, serial port). */
export interface ZvtChannel {
  readonly description: string;
  write(data: Buffer): Promise<void>;
  /** The next chunk, or null once closed. */
  read(): Promise<Buffer | null>;
  close(): Promise<void>;
  readonly closed: boolean;
}

export type ZvtTransport = 'tcp' | 'serial';

/** A trace record: one APDU or transport byte in or out (APDU bytes in hex; card data is masked by callers). */
export interface ZvtTraceRecord {
  dir: 'in' | 'out';
  /** "06 01 (AUTHORIZATION)", "ACK", "NAK", "bad". */
  what: string;
  bytes: number;
}

export interface ZvtLinkOptions {
  transport: ZvtTransport;
  /** Serial: how long to wait for the ACK byte of a frame (ms). Default 1000. */
  ackTimeoutMs?: number;
  /** Serial: sends of one frame before giving up (first + repeats). Default 3. */
  maxSends?: number;
  /** Called for input that cannot be read (wrong CRC, truncated frame). */
  onBadInput?: (error: ZvtError) => void;
  onTrace?: (r: ZvtTraceRecord) => void;
}

/** ZVT link defaults. */
export const ZVT_LINK_DEFAULTS = { ackTimeoutMs: 1000, maxSends: 3 } as const;

/** Most APDUs kept unread before the link stops reading (a peer flooding the link). */
const MAX_QUEUED = 256;

export class ZvtLink {
  private readonly queue: Apdu[] = [];
  private waiter: ((a: Apdu | null) => void) | undefined;
  private readonly tcpParser = new ZvtApduParser();
  private readonly serialParser = new ZvtSerialParser();
  private ackWaiter: ((ok: boolean) => void) | undefined;
  private ended = false;
  private closeListeners: (() => void)[] = [];
  /** Serializes sends (one frame waits for its ACK before the next). */
  private sending: Promise<void> = Promise.resolve();

  constructor(
    readonly channel: ZvtChannel,
    private readonly options: ZvtLinkOptions,
  ) {
    void this.pump();
  }

  get description(): string {
    return this.channel.description;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Called once when the link closes (either side). */
  onClose(listener: () => void): void {
    if (this.ended) listener();
    else this.closeListeners.push(listener);
  }

  /**
   * Sends one APDU. Serial: resolves once the peer ACKed the frame; rejects `ZvtLinkError`
   * E_ZVT_NO_ACK after `maxSends` sends without ACK.
   */
  send(apdu: Buffer): Promise<void> {
    const run = this.sending.then(() => this.sendNow(apdu));
    this.sending = run.catch(() => undefined);
    return run;
  }

  private async sendNow(apdu: Buffer): Promise<void> {
    if (this.ended) throw new ZvtLinkError('E_ZVT_CLOSED', this.description, 'link closed');
    this.trace('out', describe(apdu), apdu.length);
    if (this.options.transport === 'tcp') {
      await this.write(apdu);
      return;
    }
    const frame = encodeSerialFrame(apdu);
    const maxSends = this.options.maxSends ?? ZVT_LINK_DEFAULTS.maxSends;
    const ackTimeoutMs = this.options.ackTimeoutMs ?? ZVT_LINK_DEFAULTS.ackTimeoutMs;
    for (let i = 0; i < maxSends; i++) {
      const acked = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.ackWaiter = undefined;
          resolve(false);
        }, ackTimeoutMs);
        this.ackWaiter = (ok) => {
          clearTimeout(timer);
          this.ackWaiter = undefined;
          resolve(ok);
        };
      });
      await this.write(frame);
      if (await acked) return;
      if (this.ended) break;
    }
    throw new ZvtLinkError(
      'E_ZVT_NO_ACK',
      this.description,
      `${describe(apdu)} not acknowledged after ${maxSends} sends`,
    );
  }

  /**
   * The next APDU received, within `timeoutMs`. Rejects `ZvtLinkError` E_ZVT_TIMEOUT when the peer says
   * nothing for that long (Infinity: no bound), E_ZVT_CLOSED when the link closes.
   */
  receive(timeoutMs: number, waitingFor = 'an APDU'): Promise<Apdu> {
    const next = this.queue.shift();
    if (next) return Promise.resolve(next);
    if (this.ended)
      return Promise.reject(
        new ZvtLinkError('E_ZVT_CLOSED', this.description, `closed while waiting for ${waitingFor}`),
      );
    return new Promise((resolve, reject) => {
      // An infinite bound is for a server waiting for its next command (the link's close ends the wait).
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.waiter = undefined;
            reject(
              new ZvtLinkError(
                'E_ZVT_TIMEOUT',
                this.description,
                `no answer within ${timeoutMs} ms while waiting for ${waitingFor}`,
              ),
            );
          }, timeoutMs)
        : undefined;
      this.waiter = (a) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (a) resolve(a);
        else
          reject(
            new ZvtLinkError('E_ZVT_CLOSED', this.description, `closed while waiting for ${waitingFor}`),
          );
      };
    });
  }

  /** Takes the APDUs received and not yet read (stale answers before a new command). */
  drain(): Apdu[] {
    return this.queue.splice(0);
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    this.end();
  }

  private async write(b: Buffer): Promise<void> {
    try {
      await this.channel.write(b);
    } catch (e) {
      throw new ZvtLinkError('E_ZVT_CLOSED', this.description, `write failed: ${(e as Error).message}`, e);
    }
  }

  private async pump(): Promise<void> {
    for (;;) {
      const chunk = await this.channel.read();
      if (chunk === null) break;
      try {
        if (this.options.transport === 'tcp') for (const a of this.tcpParser.push(chunk)) this.deliver(a);
        else await this.serial(chunk);
      } catch (e) {
        this.options.onBadInput?.(e as ZvtError);
      }
      if (this.queue.length > MAX_QUEUED) {
        this.options.onBadInput?.(
          new ZvtLinkError('E_ZVT_FLOOD', this.description, `more than ${MAX_QUEUED} APDUs left unread`),
        );
        await this.channel.close().catch(() => undefined);
        break;
      }
    }
    this.end();
  }

  private async serial(chunk: Buffer): Promise<void> {
    for (const item of this.serialParser.push(chunk)) {
      if (item.kind === 'ack' || item.kind === 'nak') {
        this.trace('in', item.kind.toUpperCase(), 1);
        this.ackWaiter?.(item.kind === 'ack');
      } else if (item.kind === 'bad') {
        this.trace('in', 'bad', 0);
        this.trace('out', 'NAK', 1);
        await this.channel.write(SERIAL_NAK).catch(() => undefined);
        this.options.onBadInput?.(item.error);
      } else {
        this.trace('out', 'ACK', 1);
        await this.channel.write(SERIAL_ACK).catch(() => undefined);
        this.deliver(item.apdu);
      }
    }
  }

  private deliver(a: Apdu): void {
    this.trace('in', apduLabel(a), a.data.length);
    const w = this.waiter;
    if (w) w(a);
    else this.queue.push(a);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.ackWaiter?.(false);
    this.waiter?.(null);
    const ls = this.closeListeners;
    this.closeListeners = [];
    for (const l of ls) l();
  }

  private trace(dir: 'in' | 'out', what: string, bytes: number): void {
    this.options.onTrace?.({ dir, what, bytes });
  }
}

function describe(apdu: Buffer): string {
  try {
    return apduLabel(decodeApdu(apdu));
  } catch {
    return `${apdu.length} bytes`;
  }
}
