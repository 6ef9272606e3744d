// Curated public API of harness/host: the acquirer/issuer simulator and its terminal-side helpers.
// Its test kits (TestTerminal, buildIccData, testHostConfig) are in harness/testing (`payhil/testing`).
export { startHost, parseListen } from './host-server.js';
export type { HostOptions, HostHandle } from './host-server.js';
export { HostProcessor, responseMti } from './host-processor.js';
export type { Outcome, ProcessorOptions } from './host-processor.js';
export type { HostRule, RuleAction } from './host-rule.js';
export { RuleEngine } from './rule-engine.js';
export type { RuleHit } from './rule-engine.js';
export { HostJournal, maskFields, maskIccHex } from './journal.js';
export type { JournalEntry, JournalDirection, JournalRecord } from './journal.js';
export { AccountStore } from './account-store.js';
export type { AccountSpec, AccountState, PinCheck } from './account-store.js';
export { TransactionLedger } from './transaction-ledger.js';
export type { TxRecord, TxKind, TxState, BatchTotals } from './transaction-ledger.js';
export { TerminalRegistry, buildKeyField } from './terminal-registry.js';
export type { TerminalSession, KnownTerminal, KeyScheme } from './terminal-registry.js';
export {
  loadHostConfig,
  loadCardData,
  resolveAccount,
  resolveAccounts,
  HOST_SCHEMA,
  DEFAULT_HOST_CONFIG,
} from './config-loader.js';
export type { IssuerCardData } from './config-loader.js';
export type {
  HostConfig,
  TerminalConfig,
  AccountConfig,
  AccountStatus,
  HostLimits,
  RiskRuleConfig,
} from './host-config.js';
export { RC } from './response-codes.js';
export type { ResponseCode } from './response-codes.js';
export { HostConfigError, HostServerError, HostExchangeError, HostRuleError } from './errors.js';
export { ARQC_INPUT_TAGS, arqcInput } from './arqc-input.js';
export { verifyArqc, issuerAuthData, cryptogramKey } from './issuer-crypto.js';
export {
  applyMac,
  macVerifies,
  buildSignIn,
  buildNetworkManagement,
  buildTransaction,
  buildReversal,
  buildSettlement,
  buildBatchUpload,
  settlementResult,
  readWorkingKeys,
  pinField,
  entryMode,
} from './terminal-messages.js';
export type {
  TerminalIdentity,
  SessionKeys,
  CardRead,
  TransactionKind,
  TransactionInput,
  SettlementTotals,
} from './terminal-messages.js';
export { EcbKey, cupMacField } from './ecb-key.js';
