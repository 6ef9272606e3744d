/**
 * Wire codes and defaults of the payhil ECR link (docs/ecr-protocol.md). A data frame is
 *
 *   STX | LEN (2 bytes, big-endian) | SEQ | JSON payload (UTF-8) | ETX | LRC
 *
 * LEN counts SEQ plus the payload; LRC is the XOR of every byte from the first LEN byte through ETX.
 * Acknowledgements are three bytes: ACK|NAK, the sequence number, and its complement (SEQ xor 0xFF).
 */
export const WIRE = {
  /** Start of text: opens a data frame. */
  STX: 0x02,
  /** End of text: closes the body of a data frame; the LRC byte follows. */
  ETX: 0x03,
  /** Positive acknowledgement: `06 SEQ ~SEQ`. */
  ACK: 0x06,
  /** Negative acknowledgement (bad LRC or framing): `15 SEQ ~SEQ`; the sender retransmits. */
  NAK: 0x15,
} as const;

/** Bytes around the payload in a data frame: STX, LEN(2), SEQ, ETX, LRC. */
export const FRAME_OVERHEAD = 6;
/** Largest LEN value: SEQ plus at most 65,534 payload bytes. */
export const MAX_BODY_BYTES = 0xffff;
/** Largest payload a frame can carry. */
export const MAX_PAYLOAD_BYTES = MAX_BODY_BYTES - 1;
/** Length of an ACK or NAK token. */
export const CONTROL_BYTES = 3;
/** Protocol version carried in every JSON message as `v`. */
export const ECR_PROTOCOL_VERSION = 1;

/** Link timing and retry defaults (milliseconds). */
export const LINK_DEFAULTS = {
  /** Wait for ACK/NAK after a frame was handed to the transport (plus transmission time on serial). */
  ackTimeoutMs: 1000,
  /** Retransmissions after the first attempt (so up to 4 attempts in all). */
  maxRetransmissions: 3,
  /** A partial frame with no new byte for this long is discarded as noise. */
  interByteTimeoutMs: 500,
  /** Sends a link holds (the outstanding frame plus those waiting behind it); more are refused. */
  maxQueuedSends: 256,
} as const;

/** Defaults of the terminal side (`EcrServer`) for TCP connections. */
export const SERVER_DEFAULTS = {
  /** Cash registers served at once over TCP; the next one gets an error event and is closed. */
  maxConnections: 8,
  /** A TCP link with nothing received for this long is closed (milliseconds; 0 = never). */
  idleTimeoutMs: 15 * 60_000,
  /** Bytes a TCP socket may hold unsent (peer not reading) before the link is closed. */
  maxUnsentBytes: 1024 * 1024,
} as const;

/** Default wait for a response, per kind of request (milliseconds). */
export const RESPONSE_TIMEOUTS = {
  /** Transactions wait for a person or a card: long. */
  transaction: 120_000,
  /** Everything else answers at once. */
  control: 5_000,
} as const;
