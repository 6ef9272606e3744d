// Curated public API of harness/drivers/pcsc: PC/SC readers through the optional pcsclite module.
export { PcscDriver } from './pcsc-driver.js';
export { exchangeWithGetResponse } from '../../cards/apdu.js';
export type { PcscConnection, ReaderStatus } from './pcsc-driver.js';
export {
  PcscUnavailableError,
  PcscError,
  CardStatusError,
  PcscPresenterError,
  VpcdBusyError,
} from './errors.js';
export type { PcscPresenterReason } from './errors.js';
export { loadPcsclite, openPcscContext, PCSC_INSTALL_HINT, PCSCD_START_HINT } from './pcsclite-module.js';
export { readEmvCard, generateAc, terminalLookup, KNOWN_AIDS } from './emv-card-reader.js';
export type {
  ApduTransport,
  CardIdentity,
  CardApplicationInfo,
  EmvSession,
  TerminalData,
  GenerateAcResult,
} from './emv-card-reader.js';
export { PcscCard, PcscCardSource, readerFromSpec, VPCD_READER } from './pcsc-card-source.js';
export type { PcscCardSourceOptions } from './pcsc-card-source.js';
export { PcscCardPresenter, vpcdReaderName } from './pcsc-card-presenter.js';
export type { PcscCardPresenterOptions, PcscReaderWatch } from './pcsc-card-presenter.js';
export {
  ensurePcscd,
  missingVpcdStack,
  pcscdBinary,
  pcscdRunning,
  VPCD_DRIVER_PATH,
} from './pcscd-daemon.js';
export { acquireVpcdLock, vpcdLockFile, VPCD_LOCK_OWNER_ENV, VPCD_LOCK_TIMEOUT_MS } from './vpcd-lock.js';
export type { VpcdLock, VpcdLockOptions } from './vpcd-lock.js';
