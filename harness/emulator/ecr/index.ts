// harness/emulator/ecr: the ECR link (docs/ecr-protocol.md) — framing, link state machine, transports,
// the terminal-side server and the cash-register-side client.
export {
  WIRE,
  FRAME_OVERHEAD,
  MAX_BODY_BYTES,
  MAX_PAYLOAD_BYTES,
  ECR_PROTOCOL_VERSION,
  LINK_DEFAULTS,
  SERVER_DEFAULTS,
  RESPONSE_TIMEOUTS,
} from './wire-codes.js';
export {
  EcrError,
  EcrLinkTimeoutError,
  EcrRetransmissionsExhaustedError,
  EcrLinkClosedError,
  EcrLinkIdleError,
  EcrSendQueueFullError,
  EcrPeerNotReadingError,
  EcrConnectionLimitError,
  EcrPortNotFoundError,
  EcrPortBusyError,
  EcrConnectError,
  EcrFrameError,
  EcrMessageError,
  EcrResponseTimeoutError,
  EcrRemoteError,
  EcrLinkStartedError,
} from './errors.js';
export { encodeFrame, decodeFrame, encodeAck, encodeNak, lrc } from './frame-codec.js';
export type { DecodedFrame } from './frame-codec.js';
export { EcrFrameParser } from './frame-parser.js';
export type { ParsedItem, FrameParserOptions } from './frame-parser.js';
export { QueuedByteChannel } from './byte-channel.js';
export type { ByteChannel } from './byte-channel.js';
export { MemoryChannel, createMemoryChannelPair } from './memory-channel.js';
export type { Tamper } from './memory-channel.js';
export { TcpChannel, connectTcpChannel } from './tcp-channel.js';
export type { TcpChannelOptions } from './tcp-channel.js';
export { SerialChannel } from './serial-channel.js';
export type { SerialChannelOptions } from './serial-channel.js';
export { EcrLink } from './ecr-link.js';
export type { EcrLinkOptions, EcrLinkStats, EcrTraceRecord } from './ecr-link.js';
export {
  TRANSACTION_OPS,
  CONTROL_OPS,
  TEST_OPS,
  ECR_OPS,
  ECR_KEYS,
  MMDD_PATTERN,
  CARD_ACTIONS,
  ECR_DEVICES,
  ECR_DEVICE_CONDITIONS,
  ECR_MODES,
  ECR_ERROR_CODES,
  isTransactionOp,
  isTestOp,
} from './ecr-messages.js';
export type {
  TransactionOp,
  ControlOp,
  TestOp,
  EcrOp,
  EcrKey,
  CardAction,
  EcrErrorCode,
  EcrRequestBody,
  EcrRequest,
  EcrRequestOf,
  EcrResponse,
  EcrResult,
  EcrResultMap,
  EcrEvent,
  EcrEventBody,
  EcrMessage,
  EcrErrorBody,
  TransactionResult,
  StatusResult,
  DisplayResult,
  ReceiptResult,
  AcceptedResult,
  CardStateRequest,
  DeviceRequest,
  ModeRequest,
  ClockRequest,
  CardStateResult,
  InlineCardFixture,
  ApduTraceEvent,
  TraceRequest,
} from './ecr-messages.js';
export { encodeMessage, decodeMessage } from './message-codec.js';
export { EcrClient } from './ecr-client.js';
export type { EcrRequestOptions, EcrClientEvents } from './ecr-client.js';
export { EcrServer } from './ecr-server.js';
export type { EcrHandler, EcrServerOptions, EcrLinkEvent } from './ecr-server.js';
export { startPtyPair } from './pty-pair.js';
export type { PtyPair } from './pty-pair.js';
