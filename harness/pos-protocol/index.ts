// Curated public API of harness/pos-protocol: what a terminal and a host say to each other (UnionPay
// POS dialects) — requests, field layouts, MAC application, key download, response codes.
export { RC, REVERSAL_REASON, CARD_RETAIN_CODES } from './response-codes.js';
export type { ResponseCode, ReversalReason } from './response-codes.js';
export { WorkingKeyError, MessageBuildError } from './errors.js';
export type { WorkingKeyName } from './errors.js';
export type { TerminalIdentity } from './terminal-identity.js';
export { amountField, MAX_AMOUNT } from './amount-field.js';
export { pinField, pinFieldHolds, pinBlockHolds, NO_PAN } from './field-52.js';
export {
  securityControlField,
  pinBlockWithoutPan,
  tracksEncrypted,
  withTracksEncrypted,
  NO_PIN_SECURITY_CONTROL,
} from './field-53.js';
export type { SecurityControl } from './field-53.js';
export {
  field60,
  readField60,
  field60Batch,
  field60NetworkCode,
  MESSAGE_TYPE_CODE,
  NETWORK_CODE,
  READ_CAPABILITY,
  IC_CONDITION,
} from './field-60.js';
export type { Field60 } from './field-60.js';
export { field61, readField61 } from './field-61.js';
export type { OriginalData } from './field-61.js';
export {
  encodeWorkingKeys,
  decodeWorkingKeys,
  parseWorkingKeys,
  workingKeyFieldValue,
  workingKeyFieldBytes,
  workingKeyLengths,
  isKeyScheme,
  KEY_SCHEMES,
  WORKING_KEY_FIELD_BYTES,
} from './field-62.js';
export type { KeyScheme, SessionKeys, WorkingKeyReadOptions } from './field-62.js';
export { operatorField63, cardOrganisation, DEFAULT_OPERATOR_FIELD_63 } from './field-63.js';
export { MessageMac, computeMac, applyMac, verifyMac } from './message-mac.js';
export { SessionKeyCache } from './session-key-cache.js';
export { buildSignIn, buildNetworkManagement } from './network-management.js';
export { buildTransaction, entryMode, TRANSACTION_KINDS } from './financial-request.js';
export type { CardRead, TransactionKind, TransactionInput } from './financial-request.js';
export { buildReversal } from './reversal-request.js';
export {
  buildSettlement,
  buildBatchUpload,
  buildBatchUploadEnd,
  readBatchUploadEndCount,
  settlementResult,
  settlementTotalsField,
  readSettlementTotals,
  settlementAnswerField,
  SETTLEMENT_RESULT,
} from './settlement.js';
export type { SettlementTotals, UploadedTransaction } from './settlement.js';
