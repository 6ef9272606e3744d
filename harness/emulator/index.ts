// Curated public API of harness/emulator: the reference emulated POS/ATM terminal (the ECR link is in ./ecr).
export { createTerminal, EmulatedTerminal } from './emulated-terminal.js';
export type { CreateTerminalOptions, TerminalStatus } from './emulated-terminal.js';
export type { TerminalKeypad } from './peripherals/keypad.js';
export type { TerminalDisplay } from './peripherals/display.js';
export type { TerminalCardSlot } from './card-reader/card-reader.js';
export type { TerminalResult, TerminalOperation } from './terminal-result.js';
export { TERMINAL_OPERATIONS, startOperation } from './terminal-operations.js';
export type {
  StartableOperation,
  TerminalOperationInput,
  TerminalOperationRun,
  OriginalTransaction,
} from './terminal-operations.js';
export { TerminalEvents } from './terminal-events.js';
export type {
  TerminalEvent,
  TerminalEventBody,
  TerminalEventListener,
  TerminalState,
} from './terminal-events.js';
export {
  loadTerminalProfile,
  loadTerminalProfileSpec,
  resolveTerminalProfile,
  listBundledTerminals,
  terminalSchemaPath,
  bundledTerminalsDir,
  parseDuration,
  parseAmount,
} from './terminal-profile.js';
export type {
  TerminalProfile,
  TerminalProfileSpec,
  TerminalAid,
  TransactionType,
} from './terminal-profile.js';
export {
  TERMINAL_DEVICES,
  WEAK_FIELD_FACTOR,
  isTerminalDevice,
  isDeviceCondition,
  resolveDevices,
} from './terminal-devices.js';
export type { TerminalDevice, DeviceCondition, DeviceConditions } from './terminal-devices.js';
export { DEFECTS, isDefectName, resolveDefects } from './defects.js';
export type { DefectName, DefectSet } from './defects.js';
export { text, responseCodeKey, isTextKey } from './display-texts.js';
export type { TextKey, Language } from './display-texts.js';
export {
  TerminalProfileError,
  TerminalStateError,
  UnknownDefectError,
  HostLinkError,
  InlineCardError,
  IllegalTransitionError,
  CardNameError,
  ProfileDurationError,
} from './errors.js';
export { TRANSITIONS, isLegalTransition } from './core/state-transitions.js';
export { cardStateReport } from './card-state-report.js';
export { inlineCardFixture } from './inline-card.js';
export { CardCatalogue, CARD_NAME_PATTERN } from './card-catalogue.js';
export type { InlineCardOptions } from './inline-card.js';
export { HostLink } from './host-session/host-link.js';
export type { HostAddress, HostLinkOptions } from './host-session/host-link.js';
export { EmvKernel } from './card-reader/emv-kernel.js';
export { KernelStop } from './card-reader/kernel-contract.js';
export type {
  KernelOutcome,
  KernelTransaction,
  KernelHost,
  ApduSender,
} from './card-reader/kernel-contract.js';
export { TerminalBatch } from './core/terminal-batch.js';
export type { BatchRecord } from './core/terminal-batch.js';
export { formatReceipt } from './peripherals/receipt.js';
export type { PresentedCard, Presentation } from './card-reader/card-presentation.js';
export {
  EcrTerminalAdapter,
  forwardEcrEvents,
  toEcrEvent,
  toTransactionResult,
} from './ecr-terminal-adapter.js';
