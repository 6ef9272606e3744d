// Curated public API of harness/bench: capabilities, the Bench, the embedded default bench, lab files, mocks.
export { Bench } from './bench.js';
export type { Driver, BenchOptions, BenchFacts } from './bench.js';
export type {
  TerminalControl,
  TerminalOperationName,
  TerminalOperationArgs,
  Keypad,
  Display,
  CardPresenter,
  HostControl,
  HostAccountsSetup,
  NetworkControl,
  Operator,
  CapabilityMap,
  CapabilityName,
  Observation,
  ObservationKind,
  ObservationListener,
  HostMessageData,
} from './capabilities.js';
export { createEmbeddedBench } from './embedded-bench.js';
export { createHostNetwork, probe } from './host-network.js';
export type { HostNetwork, HostNetworkOptions } from './host-network.js';
export type { EmbeddedBenchOptions } from './embedded-bench.js';
export { createBenchFromLab, resolveLabFile, selectLabBench, LAB_SCHEMA } from './lab-bench.js';
export type { LabFile, LabBenchSpec } from './lab-bench.js';
export { EmulatorProcessDriver } from './lab-emulator-process.js';
export type { EmulatorProcessOptions, EmulatorEndpoint } from './lab-emulator-process.js';
export { createMockBench } from './mock-capabilities.js';
export type { MockBench, MockCall } from './mock-capabilities.js';
export { applyAccountSetup, applyAccountOverride, toHostRule } from './host-setup.js';
export {
  BrokenError,
  CapabilityMissingError,
  InactiveDriverError,
  OperatorTimeoutError,
  BenchConfigError,
  UnknownCardError,
} from './errors.js';
