import { createLogger } from '../../common/logger.js';
import { maskPansInText } from '../../common/mask.js';
import type { ByteChannel } from './byte-channel.js';
import {
  EcrLinkClosedError,
  EcrLinkIdleError,
  EcrLinkStartedError,
  EcrLinkTimeoutError,
  EcrPeerNotReadingError,
  EcrRetransmissionsExhaustedError,
  EcrSendQueueFullError,
} from './errors.js';
import { encodeAck, encodeFrame, encodeNak } from './frame-codec.js';
import { EcrFrameParser, type ParsedItem } from './frame-parser.js';
import { LINK_DEFAULTS, MAX_BODY_BYTES } from './wire-codes.js';

const log = createLogger('payhil:ecr');

/** Timing and retry settings of a link (milliseconds); defaults in `LINK_DEFAULTS`. */
export interface EcrLinkOptions {
  readonly ackTimeoutMs?: number;
  readonly maxRetransmissions?: number;
  readonly interByteTimeoutMs?: number;
  /** Largest LEN accepted from the peer (default 65535). */
  readonly maxBodyBytes?: number;
  /**
   * Sends the link holds at once, the outstanding frame included (default 256); `send` refuses more with
   * `EcrSendQueueFullError`, so a peer that stops acknowledging cannot make the queue grow.
   */
  readonly maxQueuedSends?: number;
  /**
   * Give up on the peer when a send fails (retransmissions exhausted, silence, queue full): the link
   * closes and `onClosed` gets the error (default false: only that send rejects). The terminal side sets
   * it, so a cash register that stopped answering is dropped instead of holding frames forever.
   */
  readonly closeOnSendFailure?: boolean;
  /** Close the link (`EcrLinkIdleError`) when nothing is received for this long (default 0: never). */
  readonly idleTimeoutMs?: number;
  /** Called for every frame, token and anomaly, for the timeline and the ECR-frames attachment. */
  readonly onTrace?: (record: EcrTraceRecord) => void;
}

/** One line of the link trace. Payload text has PAN-like digit runs masked. */
export interface EcrTraceRecord {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly link: string;
  readonly dir: 'tx' | 'rx';
  readonly type: 'frame' | 'ack' | 'nak' | 'bad' | 'duplicate' | 'retransmit' | 'noise' | 'stray';
  readonly seq?: number;
  /** Bytes on the wire for this record. */
  readonly bytes: number;
  /** Payload as text (frames only), masked. */
  readonly text?: string;
  readonly reason?: string;
}

/** Counters of a link since it started. */
export interface EcrLinkStats {
  framesSent: number;
  framesReceived: number;
  retransmissions: number;
  naksSent: number;
  naksReceived: number;
  duplicatesDropped: number;
  badFrames: number;
  noiseBytes: number;
  strayTokens: number;
  stalledFrames: number;
}

interface Outstanding {
  readonly seq: number;
  readonly frame: Buffer;
  attempts: number;
  naks: number;
  timer: NodeJS.Timeout | undefined;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

/**
 * The ECR link state machine over any `ByteChannel`: stop-and-wait per direction with sequence numbers.
 *
 * Sending: one data frame outstanding at a time (later sends queue); ACK with its sequence number
 * resolves `send`; NAK, or no answer within the ACK timeout, retransmits the same frame up to
 * `maxRetransmissions` times, then `send` rejects with `EcrRetransmissionsExhaustedError` (some NAK
 * seen) or `EcrLinkTimeoutError` (silence), both verdict broken. At most `maxQueuedSends` sends wait
 * (`EcrSendQueueFullError` past that). With `closeOnSendFailure` (the terminal side) a failed send
 * closes the link, `onClosed` getting the error; `idleTimeoutMs` closes it when nothing is received.
 *
 * Receiving: every good frame is ACKed at once; a frame with the sequence number of the one accepted
 * just before is a retransmission whose ACK was lost: ACKed again, dropped. A frame with a wrong ETX or
 * LRC is answered NAK. A partial frame that stalls longer than the inter-byte timeout is discarded.
 */
export class EcrLink {
  readonly stats: EcrLinkStats = {
    framesSent: 0,
    framesReceived: 0,
    retransmissions: 0,
    naksSent: 0,
    naksReceived: 0,
    duplicatesDropped: 0,
    badFrames: 0,
    noiseBytes: 0,
    strayTokens: 0,
    stalledFrames: 0,
  };
  private readonly channel: ByteChannel;
  private readonly parser: EcrFrameParser;
  private readonly ackTimeoutMs: number;
  private readonly maxRetransmissions: number;
  private readonly interByteTimeoutMs: number;
  private readonly onTrace: ((r: EcrTraceRecord) => void) | undefined;
  private onPayload: (payload: Buffer) => void = () => {};
  private onClosed: (cause?: unknown) => void = () => {};
  private nextSeq = 0;
  private lastRxSeq = -1;
  private outstanding: Outstanding | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private stallTimer: NodeJS.Timeout | undefined;
  private isClosed = false;
  private readLoop: Promise<void> | undefined;
  private readonly maxQueuedSends: number;
  private readonly closeOnSendFailure: boolean;
  private readonly idleTimeoutMs: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private queued = 0;
  private closeCause: unknown;

  constructor(channel: ByteChannel, options: EcrLinkOptions = {}) {
    this.channel = channel;
    this.parser = new EcrFrameParser({ maxBodyBytes: options.maxBodyBytes ?? MAX_BODY_BYTES });
    this.ackTimeoutMs = options.ackTimeoutMs ?? LINK_DEFAULTS.ackTimeoutMs;
    this.maxRetransmissions = options.maxRetransmissions ?? LINK_DEFAULTS.maxRetransmissions;
    this.interByteTimeoutMs = options.interByteTimeoutMs ?? LINK_DEFAULTS.interByteTimeoutMs;
    this.onTrace = options.onTrace;
    this.maxQueuedSends = Math.max(1, options.maxQueuedSends ?? LINK_DEFAULTS.maxQueuedSends);
    this.closeOnSendFailure = options.closeOnSendFailure ?? false;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
  }

  /** Where the link goes, e.g. "tcp:127.0.0.1:4000". */
  get description(): string {
    return this.channel.description;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends accepted and not settled yet: the outstanding frame plus those waiting behind it. */
  get queuedSends(): number {
    return this.queued;
  }

  /** Why the link closed: the error that made it give up, the channel's error, or undefined. */
  get cause(): unknown {
    return this.closeCause;
  }

  /**
   * Starts reading. `onPayload` gets each new payload once (duplicates dropped); `onClosed` runs once
   * when the channel ends or `close()` is called.
   */
  start(onPayload: (payload: Buffer) => void, onClosed: (cause?: unknown) => void = () => {}): void {
    if (this.readLoop) throw new EcrLinkStartedError();
    this.onPayload = onPayload;
    this.onClosed = onClosed;
    this.readLoop = this.run();
    this.touch();
  }

  /**
   * Sends one payload as a data frame and resolves once the peer ACKed it. Sends are queued and go out
   * one at a time in call order.
   */
  send(payload: Buffer): Promise<void> {
    if (this.isClosed) return Promise.reject(new EcrLinkClosedError(this.description, this.closeCause));
    if (this.queued >= this.maxQueuedSends) {
      const e = new EcrSendQueueFullError(this.description, this.maxQueuedSends);
      if (this.closeOnSendFailure) this.abort(e);
      return Promise.reject(e);
    }
    const seq = this.nextSeq;
    let frame: Buffer;
    try {
      frame = encodeFrame(seq, payload);
    } catch (e) {
      return Promise.reject(e);
    }
    this.nextSeq = (this.nextSeq + 1) & 0xff;
    this.queued++;
    const p = this.tail
      .then(() => this.transmit(seq, frame, payload))
      .finally(() => {
        this.queued--;
      });
    this.tail = p.catch((e: unknown) => {
      if (this.closeOnSendFailure) this.abort(e);
    });
    return p;
  }

  /** Closes the channel; queued and outstanding sends reject with `EcrLinkClosedError`. */
  async close(): Promise<void> {
    this.shutdown();
    await this.channel.close();
    await this.readLoop;
  }

  /** Gives up on the peer: closes the link with `cause` (given to `onClosed`) and the channel. */
  private abort(cause: unknown): void {
    if (this.isClosed) return;
    log('giving up on', this.description, (cause as Error).message);
    this.shutdown(cause);
    this.channel.close().catch(() => undefined);
  }

  /** Something came from the peer: the idle timer starts again. */
  private touch(): void {
    if (this.idleTimeoutMs <= 0 || this.isClosed) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(
        () => this.abort(new EcrLinkIdleError(this.description, this.idleTimeoutMs)),
        this.idleTimeoutMs,
      );
      this.idleTimer.unref();
    }
  }

  private transmit(seq: number, frame: Buffer, payload: Buffer): Promise<void> {
    if (this.isClosed) return Promise.reject(new EcrLinkClosedError(this.description, this.closeCause));
    return new Promise<void>((resolve, reject) => {
      const o: Outstanding = { seq, frame, attempts: 0, naks: 0, timer: undefined, resolve, reject };
      this.outstanding = o;
      this.trace('tx', 'frame', frame.length, seq, payload);
      this.attempt(o);
    }).finally(() => {
      this.outstanding = undefined;
    });
  }

  private attempt(o: Outstanding): void {
    o.attempts++;
    if (o.attempts > 1) {
      this.stats.retransmissions++;
      this.trace('tx', 'retransmit', o.frame.length, o.seq);
    } else this.stats.framesSent++;
    const wait = this.ackTimeoutMs + Math.ceil(o.frame.length * this.channel.byteTimeMs);
    this.channel.write(o.frame).then(
      () => {
        if (this.outstanding !== o || this.isClosed) return;
        o.timer = setTimeout(() => this.onAckTimeout(o), wait);
      },
      (err: unknown) =>
        this.fail(
          o,
          err instanceof EcrPeerNotReadingError ? err : new EcrLinkClosedError(this.description, err),
        ),
    );
  }

  private onAckTimeout(o: Outstanding): void {
    o.timer = undefined;
    if (this.outstanding !== o) return;
    log('ack timeout', this.description, o.seq, o.attempts);
    if (o.attempts > this.maxRetransmissions) {
      this.fail(
        o,
        o.naks > 0
          ? new EcrRetransmissionsExhaustedError(o.seq, o.attempts, o.naks, this.description)
          : new EcrLinkTimeoutError(o.seq, o.attempts, this.ackTimeoutMs, this.description),
      );
    } else this.attempt(o);
  }

  private fail(o: Outstanding, e: Error): void {
    if (o.timer) clearTimeout(o.timer);
    o.timer = undefined;
    if (this.outstanding === o) this.outstanding = undefined;
    o.reject(e);
  }

  private async run(): Promise<void> {
    let cause: unknown;
    try {
      for (;;) {
        const chunk = await this.channel.read();
        if (chunk === null) break;
        this.touch();
        this.feed(chunk);
      }
    } catch (e) {
      cause = e;
    }
    this.shutdown(cause);
  }

  private feed(chunk: Buffer): void {
    const noiseBefore = this.parser.noiseBytes;
    const items = this.parser.push(chunk);
    const noise = this.parser.noiseBytes - noiseBefore;
    if (noise > 0) {
      this.stats.noiseBytes += noise;
      this.trace('rx', 'noise', noise);
    }
    for (const item of items) this.handle(item);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (this.parser.bufferedBytes > 0 && !this.isClosed) {
      this.stallTimer = setTimeout(() => {
        this.stallTimer = undefined;
        const n = this.parser.discardPartial();
        this.stats.noiseBytes += n;
        this.stats.stalledFrames++;
        this.trace('rx', 'noise', n, undefined, undefined, 'partial frame stalled');
      }, this.interByteTimeoutMs);
    }
  }

  private handle(item: ParsedItem): void {
    switch (item.type) {
      case 'frame': {
        if (item.seq === this.lastRxSeq) {
          this.stats.duplicatesDropped++;
          this.trace('rx', 'duplicate', item.payload.length + 6, item.seq);
          this.control(encodeAck(item.seq), 'ack', item.seq);
          return;
        }
        this.lastRxSeq = item.seq;
        this.stats.framesReceived++;
        this.trace('rx', 'frame', item.payload.length + 6, item.seq, item.payload);
        this.control(encodeAck(item.seq), 'ack', item.seq);
        try {
          this.onPayload(item.payload);
        } catch (e) {
          // A consumer's bug must not take the line down with it.
          log('payload handler threw', (e as Error).message);
        }
        return;
      }
      case 'bad':
        this.stats.badFrames++;
        this.trace('rx', 'bad', item.bytes, item.seq, undefined, item.reason);
        this.stats.naksSent++;
        this.control(encodeNak(item.seq), 'nak', item.seq);
        return;
      case 'ack': {
        this.trace('rx', 'ack', 3, item.seq);
        const o = this.outstanding;
        if (!o || o.seq !== item.seq) {
          this.stats.strayTokens++;
          return;
        }
        if (o.timer) clearTimeout(o.timer);
        o.timer = undefined;
        this.outstanding = undefined;
        o.resolve();
        return;
      }
      case 'nak': {
        this.trace('rx', 'nak', 3, item.seq);
        const o = this.outstanding;
        if (!o) {
          this.stats.strayTokens++;
          return;
        }
        // Any NAK while a frame is outstanding asks for it again: the sequence byte it echoes may be
        // the one that was damaged.
        this.stats.naksReceived++;
        o.naks++;
        if (o.timer) clearTimeout(o.timer);
        o.timer = undefined;
        if (o.attempts > this.maxRetransmissions) {
          this.fail(o, new EcrRetransmissionsExhaustedError(o.seq, o.attempts, o.naks, this.description));
        } else this.attempt(o);
        return;
      }
    }
  }

  private control(token: Buffer, type: 'ack' | 'nak', seq: number): void {
    this.trace('tx', type, token.length, seq);
    this.channel.write(token).catch((e: unknown) => {
      // The transport is gone in that case anyway; closing here keeps the reason.
      if (e instanceof EcrPeerNotReadingError) this.abort(e);
    });
  }

  private shutdown(cause?: unknown): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.closeCause = cause;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const o = this.outstanding;
    if (o) this.fail(o, new EcrLinkClosedError(this.description, cause));
    this.onClosed(cause);
  }

  private trace(
    dir: 'tx' | 'rx',
    type: EcrTraceRecord['type'],
    bytes: number,
    seq?: number,
    payload?: Buffer,
    reason?: string,
  ): void {
    if (log.enabled) log(dir, type, this.description, seq ?? '', reason ?? '');
    if (!this.onTrace) return;
    const record: EcrTraceRecord = {
      at: Date.now(),
      link: this.description,
      dir,
      type,
      bytes,
      ...(seq === undefined ? {} : { seq }),
      ...(payload ? { text: maskPansInText(payload.toString('utf8')) } : {}),
      ...(reason ? { reason } : {}),
    };
    this.onTrace(record);
  }
}
