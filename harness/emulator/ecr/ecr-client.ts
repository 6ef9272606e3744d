import { EventEmitter } from 'node:events';
import { createLogger } from '../../common/logger.js';
import type { ByteChannel } from './byte-channel.js';
import { EcrLink, type EcrLinkOptions } from './ecr-link.js';
import {
  ECR_ERROR_CODES,
  isTransactionOp,
  type EcrEvent,
  type EcrOp,
  type EcrRequestOf,
  type EcrResponse,
  type EcrResultMap,
} from './ecr-messages.js';
import { EcrLinkClosedError, EcrMessageError, EcrRemoteError, EcrResponseTimeoutError } from './errors.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import { SerialChannel, type SerialChannelOptions } from './serial-channel.js';
import { connectTcpChannel } from './tcp-channel.js';
import { RESPONSE_TIMEOUTS } from './wire-codes.js';

const log = createLogger('payhil:ecr');

export interface EcrRequestOptions {
  /** Wait for the response at most this long; default 120 s for transactions, 5 s otherwise. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly op: string;
  readonly resolve: (r: EcrResponse) => void;
  readonly reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export interface EcrClientEvents {
  /** An unsolicited message from the terminal (display change, state, receipt, result, error). */
  event: [EcrEvent];
  /** A payload that was not a valid message, or a response nobody waits for (late, unknown id). */
  protocolError: [EcrMessageError];
  /** The link closed; every pending request was rejected with `EcrLinkClosedError`. */
  close: [];
}

/**
 * The cash-register side of the ECR link: sends requests, matches responses by `id`, surfaces events.
 * Requests may overlap (a purchase waits while key presses and card events go out); each resolves
 * with its own response. Promise-only; events through `on('event', …)`.
 */
export class EcrClient extends EventEmitter<EcrClientEvents> {
  readonly link: EcrLink;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Responses that arrived after their request timed out, or for an unknown id. */
  lateResponses = 0;
  /** The terminal's TOO_MANY_CONNECTIONS error event, given as the cause when the link closes. */
  private refusal: EcrRemoteError | undefined;

  constructor(channel: ByteChannel, options: EcrLinkOptions = {}) {
    super();
    this.link = new EcrLink(channel, options);
    this.link.start(
      (payload) => this.onPayload(payload),
      (cause) => this.onClosed(cause),
    );
  }

  /** Connects over TCP to a terminal's ECR port. Throws `EcrConnectError` (broken). */
  static async connectTcp(
    host: string,
    port: number,
    options: EcrLinkOptions & { connectTimeoutMs?: number } = {},
  ): Promise<EcrClient> {
    return new EcrClient(await connectTcpChannel(host, port, options.connectTimeoutMs), options);
  }

  /** Opens a serial port to a terminal. Throws `EcrPortNotFoundError` / `EcrPortBusyError` (broken). */
  static async openSerial(
    path: string,
    options: EcrLinkOptions & SerialChannelOptions = {},
  ): Promise<EcrClient> {
    return new EcrClient(await SerialChannel.open(path, options), options);
  }

  /**
   * Sends a request and resolves with the terminal's result. Rejects with `EcrRemoteError` when the
   * terminal refused (`ok: false`), `EcrResponseTimeoutError` when no response came in time, and the
   * link errors (`EcrLinkTimeoutError`, `EcrRetransmissionsExhaustedError`, `EcrLinkClosedError`).
   */
  async request<Op extends EcrOp>(
    body: EcrRequestOf<Op>,
    options: EcrRequestOptions = {},
  ): Promise<EcrResultMap[Op]> {
    const response = await this.exchange(body, options);
    if (!response.ok) throw new EcrRemoteError(response.error.code, response.error.message, response.op);
    return response.result as EcrResultMap[Op];
  }

  /** Like `request`, but resolves with the whole response message, refusals included. */
  exchange<Op extends EcrOp>(body: EcrRequestOf<Op>, options: EcrRequestOptions = {}): Promise<EcrResponse> {
    if (this.link.closed)
      return Promise.reject(new EcrLinkClosedError(this.link.description, this.refusal ?? this.link.cause));
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    const op = body.op;
    const timeoutMs =
      options.timeoutMs ?? (isTransactionOp(op) ? RESPONSE_TIMEOUTS.transaction : RESPONSE_TIMEOUTS.control);
    return new Promise<EcrResponse>((resolve, reject) => {
      const p: Pending = { op, resolve, reject, timer: undefined };
      this.pending.set(id, p);
      p.timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new EcrResponseTimeoutError(op, id, timeoutMs));
      }, timeoutMs);
      this.link.send(encodeMessage({ ...body, v: 1, kind: 'request', id } as never)).catch((e: Error) => {
        if (this.pending.get(id) !== p) return;
        this.pending.delete(id);
        clearTimeout(p.timer);
        reject(e);
      });
    });
  }

  /**
   * Resolves with the first event (from now on) that satisfies `predicate`; rejects with
   * `EcrResponseTimeoutError` (op "event") after `timeoutMs`, or `EcrLinkClosedError`.
   */
  waitForEvent(
    predicate: (e: EcrEvent) => boolean,
    timeoutMs: number = RESPONSE_TIMEOUTS.control,
  ): Promise<EcrEvent> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off('event', onEvent);
        this.off('close', onClose);
      };
      const onEvent = (e: EcrEvent) => {
        if (!predicate(e)) return;
        done();
        resolve(e);
      };
      const onClose = () => {
        done();
        reject(new EcrLinkClosedError(this.link.description));
      };
      const timer = setTimeout(() => {
        done();
        reject(new EcrResponseTimeoutError('event', 0, timeoutMs));
      }, timeoutMs);
      this.on('event', onEvent);
      this.on('close', onClose);
    });
  }

  /** Closes the link; pending requests reject with `EcrLinkClosedError`. */
  close(): Promise<void> {
    return this.link.close();
  }

  private onPayload(payload: Buffer): void {
    let msg;
    try {
      msg = decodeMessage(payload);
    } catch (e) {
      log('bad message', (e as Error).message);
      if (e instanceof EcrMessageError) this.emit('protocolError', e);
      return;
    }
    if (msg.kind === 'event') {
      if (msg.event === 'error' && msg.error.code === ECR_ERROR_CODES.TOO_MANY_CONNECTIONS)
        this.refusal = new EcrRemoteError(msg.error.code, msg.error.message);
      this.emit('event', msg);
      return;
    }
    if (msg.kind !== 'response') {
      this.emit('protocolError', new EcrMessageError('kind', 'a terminal does not send requests'));
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) {
      this.lateResponses++;
      this.emit(
        'protocolError',
        new EcrMessageError('id', `response to unknown or expired request ${msg.id}`),
      );
      return;
    }
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  private onClosed(cause?: unknown): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new EcrLinkClosedError(this.link.description, cause ?? this.refusal));
    }
    this.emit('close');
  }
}
