/**
 * The observation stream: everything a bench sees, in the order it saw it, lands on one timeline per
 * scenario run. Drivers produce observations; the bench hands them to its observers (the runner's
 * timeline, reporters). Expectations query the timeline; nothing is asserted from a side channel.
 */

/**
 * The observation kinds (as mocha's event constants): the `kind` of every observation is one of these.
 * `data` is already masked (no PAN in clear, no PIN block, key or track data).
 */
export const OBSERVATION = {
  /** An ISO 8583 message between terminal and host as the spy decoded it (`HostMessageData`). */
  HOST: 'host',
  /** The terminal display changed: `lines` (and the message `key` where the terminal names it). */
  DISPLAY: 'display',
  /** The terminal entered a state: `state` (idle, online, reversal…; see HOST_WORK_STATES). */
  STATE: 'state',
  /** The terminal printed a receipt: `text`, `copy` (merchant | cardholder). */
  RECEIPT: 'receipt',
  /** A command/response APDU between terminal and card (masked). */
  APDU: 'apdu',
  /** A card was inserted, tapped, swiped or removed. */
  CARD: 'card',
  /** A transaction ended: `result` (outcome, response code, reference, amount…). */
  RESULT: 'result',
  /** The terminal started or finished a reversal. */
  REVERSAL: 'reversal',
  /** The terminal could not reach the host or got no answer. */
  HOST_ERROR: 'host-error',
  /** A message the terminal built (its own view of a request, before the network). */
  TERMINAL_MESSAGE: 'terminal-message',
  /** The network changed: a fault switched on or off, a connection opened or closed. */
  NETWORK: 'network',
  /** An operator was asked something and answered. */
  OPERATOR: 'operator',
  /** Raw bytes of a host frame (masked hex) for the report's frame attachment. */
  RAW_FRAME: 'raw-frame',
  /** A PNG of the terminal (`attachment`: BinaryAttachment), e.g. after a display change on a web UI. */
  SCREENSHOT: 'screenshot',
  /** A trace line of the ECR link (frames, ACK/NAK, anomalies) when tracing is on. */
  ECR_FRAME: 'ecr-frame',
  /** A masked capture of the scenario's host traffic (`attachment`: BinaryAttachment, pcap). */
  PCAP: 'pcap',
  /** A free-text note of a driver or the runner (`text`). */
  NOTE: 'note',
} as const;

/** What the bench saw: every host message, display change, APDU, card move, toxic, operator answer. */
export type ObservationKind = (typeof OBSERVATION)[keyof typeof OBSERVATION];

/** Every observation kind, in the order of `OBSERVATION`. */
export const OBSERVATION_KINDS: readonly ObservationKind[] = Object.values(OBSERVATION);

/**
 * Binary evidence carried by a `screenshot` or `pcap` observation (`data.attachment`): a file name, its
 * MIME type and its bytes. JSON shows the size, never the bytes.
 */
export interface BinaryAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
}

/** One observation; `data` is already masked (no PAN in clear, no PIN block, key or track data). */
export interface Observation {
  kind: ObservationKind;
  /** Milliseconds since the epoch. */
  at: number;
  data: Record<string, unknown>;
}

/** A host message as the spy saw it. */
export interface HostMessageData {
  direction: 'request' | 'response';
  /** Connection number: pairs a response with its request. */
  conn: number;
  mti: string;
  /** Field number → value (masked). */
  fields: Record<string, string>;
  /** A fault the proxy applied to it, if any. */
  fault?: string;
}

export type ObservationListener = (o: Observation) => void;

/** Anything that produces observations (a bench, a driver): `observe` returns the function that stops it. */
export interface ObservationSource {
  observe(listener: ObservationListener): () => void;
}
