// The public API of payhil (`import … from 'payhil'`): what a lab's own code needs to load and validate
// scenarios, run them on a bench (embedded or from a lab file), build its own bench from drivers and
// capabilities, and use the host simulator, the fault proxy, virtual cards, the ISO 8583 / EMV codecs and
// the payment crypto. Test kits (mock bench, TestTerminal, TEST keys) are in `payhil/testing`.
// Named exports only; everything else is internal and may change.

// ---- scenarios: load, validate --------------------------------------------------------------------
export {
  loadScenarios,
  loadScenarioFiles,
  validateFiles,
  findYamlFiles,
  ScenarioLoadError,
} from './scenario/index.js';
export type {
  Scenario,
  LoadOptions,
  LoadResult,
  ValidateFilesOptions,
  ValidationReport,
  ScenarioDocument,
  InlineCard,
} from './scenario/index.js';
export { formatDiagnostic } from './common/index.js';
export type { Diagnostic, SourcePos } from './common/index.js';

// ---- runs: scenarios on a bench, reporters ---------------------------------------------------------
export { runScenarios, runScenario, Timeline } from './runner/index.js';
export { selectScenarios } from './scenario/index.js';
export type { ScenarioSelection } from './scenario/index.js';
export type {
  RunScenariosOptions,
  RunScenarioOptions,
  RunSummary,
  RunReporter,
  RunInfo,
  ScenarioRun,
  StepRecord,
  Status,
  TimelineEntry,
} from './runner/index.js';
export { ConsoleReporter, AllureWriter, JunitWriter, generateReport } from './report/index.js';
export type { ConsoleReporterOptions, AllureWriterOptions, GenerateOptions } from './report/index.js';

// ---- benches ----------------------------------------------------------------------------------------
export {
  Bench,
  createEmbeddedBench,
  createBenchFromLab,
  resolveLabFile,
  LAB_SCHEMA,
  EmulatorProcessDriver,
  CapabilityMissingError,
  BenchConfigError,
} from './bench/index.js';
export type {
  BenchOptions,
  BenchFacts,
  EmbeddedBenchOptions,
  LabFile,
  LabBenchSpec,
  EmulatorProcessOptions,
} from './bench/index.js';

// ---- capabilities and drivers -----------------------------------------------------------------------
export {
  ActiveGuard,
  ObserverSet,
  OBSERVATION,
  OBSERVATION_KINDS,
  HOST_WORK_STATES,
  BrokenError,
  InactiveDriverError,
  UnknownCardError,
} from './capabilities/index.js';
export type {
  TerminalControl,
  TerminalOperationName,
  TerminalOperationArgs,
  Keypad,
  Display,
  CardPresenter,
  CardMultiplexer,
  MuxInterface,
  MuxStatus,
  Robot,
  RobotStatus,
  HostControl,
  HostAccountsSetup,
  NetworkControl,
  Operator,
  CapabilityMap,
  CapabilityName,
  Driver,
  Observation,
  ObservationKind,
  ObservationListener,
  ObservationSource,
  HostMessageData,
  BinaryAttachment,
} from './capabilities/index.js';
export { EmulatedTerminalDriver } from './drivers/emulated/index.js';
export type { EmulatedTerminalDriverOptions } from './drivers/emulated/index.js';
export { EcrDriver } from './drivers/ecr/index.js';
export type { EcrDriverOptions } from './drivers/ecr/index.js';
export { EcrTcpDriver } from './drivers/ecr-tcp/index.js';
export type { EcrTcpResource } from './drivers/ecr-tcp/index.js';
export { EcrSerialDriver } from './drivers/ecr-serial/index.js';
export type { EcrSerialResource } from './drivers/ecr-serial/index.js';
export { WebDriver } from './drivers/web/index.js';
export type { WebDriverOptions } from './drivers/web/index.js';
export { OperatorDriver } from './drivers/operator/index.js';
export type { OperatorDriverOptions } from './drivers/operator/index.js';
export { PcscCardPresenter } from './drivers/pcsc/index.js';
export type { PcscCardPresenterOptions } from './drivers/pcsc/index.js';
export { NexoDriver } from './drivers/nexo/index.js';
export type { NexoDriverOptions } from './drivers/nexo/index.js';
export { ZvtDriver, ZvtTcpDriver, ZvtSerialDriver } from './drivers/zvt/index.js';
export type { ZvtDriverOptions, ZvtTcpResource, ZvtSerialResource } from './drivers/zvt/index.js';
export { TestModePresenter } from './drivers/test-mode/index.js';
export { MuxDriver, MuxCardPresenter, MuxError, MuxSimulator } from './drivers/mux/index.js';
export type {
  LineLinkResource,
  MuxCardPresenterOptions,
  MuxSlot,
  MuxSimulatorOptions,
} from './drivers/mux/index.js';
export { HttpRobotDriver, RobotCardPresenter, RobotError } from './drivers/robot/index.js';
export type { HttpRobotOptions, RobotCardPresenterOptions } from './drivers/robot/index.js';
export type { TestModeResource, TestModePresenterOptions } from './drivers/test-mode/index.js';
export { DriverError } from './drivers/errors.js';
export {
  SidecarDriver,
  SidecarDriverError,
  SidecarDriverRefusedError,
  SidecarDriverUnsupportedError,
  SIDECAR_PROTOCOL_VERSION,
  serveReferenceSidecar,
} from './drivers/sidecar/index.js';
export type { SidecarDriverOptions, SidecarResource, SidecarHello } from './drivers/sidecar/index.js';
// The driver kit (docs/drivers.md, "Writing a terminal driver"): transports and framing.
export {
  LineFramer,
  StreamChannel,
  ChildProcessChannel,
  JsonLinesPeer,
  KitBadInputError,
  KitChannelClosedError,
  KitProcessError,
  KitRemoteError,
  KitTimeoutError,
  connectTcpChannel,
  SerialChannel,
} from './drivers/kit/index.js';
export type { ByteChannel, LineItem, JsonLinesPeerOptions } from './drivers/kit/index.js';
export { ProtocolTerminal } from './bench/protocol-terminal.js';
export type { ProtocolDriverLike } from './bench/protocol-terminal.js';

// ---- the emulated terminal --------------------------------------------------------------------------
export { createTerminal, EmulatedTerminal, loadTerminalProfile } from './emulator/index.js';
export type { TerminalProfile, TerminalResult, TerminalEvent } from './emulator/index.js';
export { EcrClient } from './emulator/ecr/index.js';

// ---- what a terminal and a host say to each other (both sides use it) -------------------------------
export {
  RC,
  buildSignIn,
  buildTransaction,
  buildReversal,
  buildSettlement,
  buildBatchUpload,
  applyMac,
  verifyMac,
  parseWorkingKeys,
  encodeWorkingKeys,
} from './pos-protocol/index.js';
export type { SessionKeys, TransactionKind, TransactionInput, KeyScheme } from './pos-protocol/index.js';
export {
  parseNexo,
  checkNexo,
  encodeNexo,
  nexoRequest,
  nexoResponse,
  NexoMessageError,
} from './nexo/index.js';
export type { NexoMessage, MessageHeader as NexoMessageHeader } from './nexo/index.js';

// ---- host simulator ---------------------------------------------------------------------------------
export { startHost, loadHostConfig, DEFAULT_HOST_CONFIG } from './host/index.js';
export type { HostOptions, HostHandle, HostConfig, HostRule, JournalEntry } from './host/index.js';

// ---- fault proxy ------------------------------------------------------------------------------------
export {
  startProxy,
  Proxy,
  startControlApi,
  LocalNetworkControl,
  HttpNetworkControl,
  ToxiproxyNetworkControl,
  readPcap,
} from './net/index.js';
export type {
  ProxyOptions,
  ControlApi,
  ToxicInput,
  ToxicSpec,
  MessageFaultInput,
  MessageFaultSpec,
  JournalEntry as ProxyJournalEntry,
} from './net/index.js';

// ---- virtual cards ----------------------------------------------------------------------------------
export {
  createVirtualCard,
  EmvVirtualCard,
  loadCardFixture,
  listBundledCards,
  serveCardOnVpcd,
} from './cards/index.js';
export type { CardFixture, CardFault, VpcdHandle, VpcdOptions } from './cards/index.js';

// ---- codecs: ISO 8583, EMV TLV ----------------------------------------------------------------------
export {
  loadDialect,
  encodeMessage,
  decodeMessage,
  encodeFrame,
  decodeFrame,
  FrameParser,
  maskFrame,
  getPath,
  setPath,
} from './iso8583/index.js';
export type { Dialect, IsoMessage, DecodedFrame } from './iso8583/index.js';
export {
  parseTlv,
  encodeTlv,
  flattenTlv,
  describeTlv,
  tagInfo,
  parseDol,
  TVR,
  TSI,
  AIP,
} from './emv/index.js';
export type { Tlv, TagInfo } from './emv/index.js';

// ---- payment crypto ---------------------------------------------------------------------------------
export {
  fromHex,
  toHex,
  tdesEcbEncrypt,
  tdesEcbDecrypt,
  tdesCbcEncrypt,
  tdesCbcDecrypt,
  aesEcbEncrypt,
  aesEcbDecrypt,
  kcv,
  buildPinBlock,
  encryptPinBlock,
  decryptPinBlock,
  extractPin,
  macIso9797Alg1,
  macIso9797Alg3,
  macX99,
  macX919,
  macCupEcb,
  encryptWorkingKey,
  decryptWorkingKey,
  TdesKey,
} from './crypto/index.js';
export type { PinBlockFormat, PinBlockOptions } from './crypto/index.js';

// ---- common -----------------------------------------------------------------------------------------
export { PayhilError, isPayhilError, packagePath, packageRoot, maskPan } from './common/index.js';
export type { Verdict } from './common/index.js';
/** The date and time a terminal or host believes it is (`startHost({calendar})`, `createTerminal({calendar})`). */
export { Calendar, CalendarError } from './common/index.js';
export type { LocalTime } from './common/index.js';
export { SimulatedClock, realClock } from './common/index.js';
export type {
  Clock,
  ClockTimer,
  TimerOptions,
  SimulatedClockOptions,
  SimulatedClockStats,
} from './common/index.js';
