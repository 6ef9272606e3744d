// Curated public API of harness/host: the acquirer/issuer simulator. What terminal and host say to each
// other (requests, field layouts, MAC, key download, response codes) is pos-protocol's; the test kits
// (TestTerminal, buildIccData, testHostConfig) are in harness/testing (`payhil/testing`).
export { startHost, parseListen } from './host-server.js';
export type { HostOptions, HostHandle } from './host-server.js';
export { HostProcessor } from './host-processor.js';
export type { Outcome } from './host-processor.js';
export { responseMti } from './processor-core.js';
export type { ProcessorOptions } from './processor-core.js';
export type { HostRule, RuleAction } from './host-rule.js';
export { RuleEngine } from './rule-engine.js';
export type { RuleHit } from './rule-engine.js';
export { HostJournal, maskFields } from './journal.js';
export type { JournalEntry, JournalDirection, JournalRecord } from './journal.js';
export { AccountStore } from './account-store.js';
export type { AccountSpec, AccountState, PinCheck } from './account-store.js';
export { TransactionLedger } from './transaction-ledger.js';
export type { TxRecord, TxKind, TxState, BatchTotals } from './transaction-ledger.js';
export { TerminalRegistry } from './terminal-registry.js';
export type { TerminalSession, KnownTerminal } from './terminal-registry.js';
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
export {
  HostConfigError,
  HostServerError,
  HostExchangeError,
  HostRuleError,
  AccountError,
  ArqcInputError,
} from './errors.js';
export { ARQC_INPUT_TAGS, arqcInput } from './arqc-input.js';
export { verifyArqc, issuerAuthData, cryptogramKey } from './issuer-crypto.js';
export { ReplayProcessor } from './replay-processor.js';
export {
  ReplayBook,
  REPLAY_FILE,
  REPLAY_SCHEMA,
  cardHash,
  describeKey,
  keyMatches,
  loadReplayFixture,
  newCardSalt,
  readablePan,
  recordExchange,
  requestKey,
} from './replay-fixture.js';
export type { ReplayFixture, ReplayExchange, ReplayRequestKey, ReplayCard } from './replay-fixture.js';
