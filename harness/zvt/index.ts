// harness/zvt: the ZVT protocol (ECR ↔ payment terminal, PA00P015), used by the emulator's ZVT server
// and the zvt driver: APDU and BMP codec, TLV container, serial framing, the link in both transport forms.
export {
  ZVT_TCP_PORT,
  SERIAL,
  ZVT_COMMANDS,
  COMMAND_NAMES,
  ACK_APDU,
  ZVT_ERRORS,
  INTERMEDIATE_STATUS,
  INTERMEDIATE_STATUS_TEXTS,
  TLV_TAGS,
  BMPS,
  DEFAULT_PASSWORD,
  EURO,
} from './wire-codes.js';
export type { BmpFormat } from './wire-codes.js';
export { ZvtError, ZvtDecodeError, ZvtLinkError, ZvtEncodeError } from './errors.js';
export { toBcd, fromBcd, amountToBcd, amountFromBcd, panToBcd, panFromBcd, MAX_AMOUNT } from './bcd.js';
export { encodeTlvList, decodeTlvList, findTlv, textLines } from './tlv-codec.js';
export type { Tlv } from './tlv-codec.js';
export { encodeBmps, decodeBmps, findBmp, bmpLabel } from './bmp-codec.js';
export type { Bmp } from './bmp-codec.js';
export { encodeApdu, decodeApdu, apduSize, apduLabel, commandOf, MAX_APDU_DATA } from './apdu-codec.js';
export type { Apdu } from './apdu-codec.js';
export { ZvtApduParser } from './apdu-parser.js';
export { zvtCrc, encodeSerialFrame, ZvtSerialParser, SERIAL_ACK, SERIAL_NAK } from './serial-codec.js';
export type { SerialItem } from './serial-codec.js';
export {
  registration,
  authorization,
  preAuthorisation,
  reversal,
  refund,
  endOfDay,
  initialisation,
  diagnosis,
  abortRequest,
  ack,
  nak,
  completion,
  abortResult,
  intermediateStatus,
  printLine,
  printTextBlock,
  statusInformation,
  readStatusInformation,
  readIntermediateStatus,
  readTextBlock,
  readPrintLine,
  readAbortCode,
  readRequest,
  isAck,
  isNak,
  RECEIPT_TYPES,
} from './zvt-messages.js';
export type { ZvtRequest, StatusInfo } from './zvt-messages.js';
export { ZvtLink, ZVT_LINK_DEFAULTS } from './zvt-link.js';
export type { ZvtChannel, ZvtTransport, ZvtLinkOptions, ZvtTraceRecord } from './zvt-link.js';
