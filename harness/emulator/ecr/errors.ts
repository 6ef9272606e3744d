import { PayhilError, type Verdict } from '../../common/payhil-error.js';

/**
 * Errors of the ECR link. Lab faults (port missing or busy, a silent or noisy line, a dropped
 * connection) are `broken`; something the terminal sent or failed to send (a malformed message, no
 * response to an acknowledged request, a refusal) is `failed`; bad arguments from a caller are `usage`.
 */
export class EcrError extends PayhilError {
  constructor(code: string, message: string, options: { verdict?: Verdict; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** The peer never answered a frame with ACK or NAK, whatever the number of attempts. */
export class EcrLinkTimeoutError extends EcrError {
  readonly seq: number;
  readonly attempts: number;
  readonly ackTimeoutMs: number;
  constructor(seq: number, attempts: number, ackTimeoutMs: number, link: string) {
    super(
      'E_ECR_LINK_TIMEOUT',
      `ECR link ${link}: no ACK for frame ${seq} after ${attempts} attempt(s) of ${ackTimeoutMs} ms`,
      { verdict: 'broken' },
    );
    this.seq = seq;
    this.attempts = attempts;
    this.ackTimeoutMs = ackTimeoutMs;
  }
}

/** The peer kept answering NAK (or ACK went missing after NAKs) until the retransmissions ran out. */
export class EcrRetransmissionsExhaustedError extends EcrError {
  readonly seq: number;
  readonly attempts: number;
  readonly naks: number;
  constructor(seq: number, attempts: number, naks: number, link: string) {
    super(
      'E_ECR_RETRANSMISSIONS_EXHAUSTED',
      `ECR link ${link}: frame ${seq} not accepted after ${attempts} attempt(s) (${naks} NAK)`,
      { verdict: 'broken' },
    );
    this.seq = seq;
    this.attempts = attempts;
    this.naks = naks;
  }
}

/** The transport closed (cable pulled, socket reset, link closed) while something was under way. */
export class EcrLinkClosedError extends EcrError {
  readonly link: string;
  constructor(link: string, cause?: unknown) {
    // Why the terminal gave up on the link (silence, NAKs, idle…) belongs in the message.
    const why = cause instanceof EcrError ? ` (${cause.message})` : '';
    super('E_ECR_LINK_CLOSED', `ECR link ${link} is closed${why}`, { verdict: 'broken', cause });
    this.link = link;
  }
}

/**
 * More sends waiting on a link than its queue holds: the peer does not take frames as fast as they come
 * (a cash register that stopped reading or acknowledging). Lab fault.
 */
export class EcrSendQueueFullError extends EcrError {
  readonly link: string;
  /** The queue's capacity (frames waiting plus the one outstanding). */
  readonly limit: number;
  constructor(link: string, limit: number) {
    super(
      'E_ECR_SEND_QUEUE_FULL',
      `ECR link ${link}: ${limit} frame(s) already waiting for the peer to ACK`,
      {
        verdict: 'broken',
      },
    );
    this.link = link;
    this.limit = limit;
  }
}

/** Nothing came from the peer for the idle timeout: the link is closed. Lab fault. */
export class EcrLinkIdleError extends EcrError {
  readonly link: string;
  readonly idleTimeoutMs: number;
  constructor(link: string, idleTimeoutMs: number) {
    super('E_ECR_LINK_IDLE', `ECR link ${link}: nothing received for ${idleTimeoutMs} ms, closed`, {
      verdict: 'broken',
    });
    this.link = link;
    this.idleTimeoutMs = idleTimeoutMs;
  }
}

/** A TCP peer that does not read: more than the allowed bytes wait unsent in the socket. Lab fault. */
export class EcrPeerNotReadingError extends EcrError {
  readonly link: string;
  readonly maxUnsentBytes: number;
  constructor(link: string, maxUnsentBytes: number) {
    super(
      'E_ECR_PEER_NOT_READING',
      `ECR link ${link}: the peer left more than ${maxUnsentBytes} bytes unread`,
      {
        verdict: 'broken',
      },
    );
    this.link = link;
    this.maxUnsentBytes = maxUnsentBytes;
  }
}

/** A cash register connected while the terminal already served its limit of TCP connections. */
export class EcrConnectionLimitError extends EcrError {
  readonly link: string;
  readonly limit: number;
  constructor(link: string, limit: number) {
    super(
      'E_ECR_CONNECTION_LIMIT',
      `ECR connection ${link} refused: the terminal serves at most ${limit} ECR connection(s)`,
      { verdict: 'broken' },
    );
    this.link = link;
    this.limit = limit;
  }
}

/** No serial device at the path. */
export class EcrPortNotFoundError extends EcrError {
  readonly path: string;
  constructor(path: string, cause?: unknown) {
    super('E_ECR_PORT_NOT_FOUND', `serial port ${path} not found`, { verdict: 'broken', cause });
    this.path = path;
  }
}

/** The serial device exists but another process holds it (or it refused to open). */
export class EcrPortBusyError extends EcrError {
  readonly path: string;
  constructor(path: string, detail: string, cause?: unknown) {
    super('E_ECR_PORT_BUSY', `serial port ${path} cannot be opened: ${detail}`, { verdict: 'broken', cause });
    this.path = path;
  }
}

/** A TCP connection to the terminal could not be made. */
export class EcrConnectError extends EcrError {
  readonly address: string;
  constructor(address: string, detail: string, cause?: unknown) {
    super('E_ECR_CONNECT', `cannot connect to ECR ${address}: ${detail}`, { verdict: 'broken', cause });
    this.address = address;
  }
}

/** A byte sequence that is not a well-formed frame (wrong STX/ETX, length or LRC). */
export class EcrFrameError extends EcrError {
  /** Offset in the frame of the offending byte. */
  readonly offset: number;
  readonly reason:
    'stx' | 'length' | 'etx' | 'lrc' | 'truncated' | 'trailing' | 'too-large' | 'payload' | 'sequence';
  constructor(reason: EcrFrameError['reason'], offset: number, message: string, verdict: Verdict = 'failed') {
    super('E_ECR_BAD_FRAME', `bad ECR frame at byte ${offset}: ${message}`, { verdict });
    this.reason = reason;
    this.offset = offset;
  }
}

/** A frame whose payload is not a valid ECR message of protocol version 1. */
export class EcrMessageError extends EcrError {
  /** JSON path of the offending member, e.g. "amount", or "" for the whole message. */
  readonly path: string;
  /** The wire error code a server answers with: BAD_REQUEST, UNKNOWN_OP or UNSUPPORTED_VERSION. */
  readonly wireCode: 'BAD_REQUEST' | 'UNKNOWN_OP' | 'UNSUPPORTED_VERSION';
  /** The message's `id` and `op` when they could be read, so a refusal can be correlated. */
  readonly id: number | undefined;
  readonly op: string | undefined;
  constructor(
    path: string,
    message: string,
    context: { wireCode?: EcrMessageError['wireCode']; id?: number; op?: string; verdict?: Verdict } = {},
  ) {
    super('E_ECR_BAD_MESSAGE', `bad ECR message${path ? ` at ${path}` : ''}: ${message}`, {
      verdict: context.verdict ?? 'failed',
    });
    this.path = path;
    this.wireCode = context.wireCode ?? 'BAD_REQUEST';
    this.id = context.id;
    this.op = context.op;
  }
}

/** An acknowledged request got no response in time. */
export class EcrResponseTimeoutError extends EcrError {
  readonly op: string;
  readonly id: number;
  readonly timeoutMs: number;
  constructor(op: string, id: number, timeoutMs: number) {
    super('E_ECR_RESPONSE_TIMEOUT', `ECR request ${op} #${id}: no response within ${timeoutMs} ms`, {
      verdict: 'failed',
    });
    this.op = op;
    this.id = id;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The terminal refused a request (`ok: false`), with one of the wire error codes of
 * docs/ecr-protocol.md (BUSY, BAD_REQUEST, …). A server handler throws it to refuse; a client rejects
 * with it when the terminal refused.
 */
export class EcrRemoteError extends EcrError {
  /** Wire error code, e.g. "BUSY". */
  readonly remoteCode: string;
  readonly op: string | undefined;
  /** The terminal's own message, without the prefix. */
  readonly detail: string;
  constructor(remoteCode: string, message: string, op?: string) {
    super('E_ECR_REMOTE', `terminal refused${op ? ` ${op}` : ''}: ${remoteCode}: ${message}`, {
      verdict: 'failed',
    });
    this.remoteCode = remoteCode;
    this.op = op;
    this.detail = message;
  }
}

/** `start()` called on an ECR link that is already reading: a caller's mistake. */
export class EcrLinkStartedError extends EcrError {
  constructor() {
    super('E_ECR_LINK_STARTED', 'EcrLink already started', { verdict: 'usage' });
  }
}
