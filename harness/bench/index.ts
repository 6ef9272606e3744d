// Curated public API of harness/bench: the Bench, the embedded default bench, lab files, host and network
// wiring. The capability contracts a bench offers are in harness/capabilities; its mock in harness/testing.
export { Bench } from './bench.js';
export type { BenchOptions, BenchFacts } from './bench.js';
export { createEmbeddedBench, SIMULATED_EPOCH } from './embedded-bench.js';
export { createHostNetwork, probe } from './host-network.js';
export type { HostNetwork, HostNetworkOptions } from './host-network.js';
export type { EmbeddedBenchOptions } from './embedded-bench.js';
export { createBenchFromLab, resolveLabFile, selectLabBench, LAB_SCHEMA } from './lab-bench.js';
export type { LabFile, LabBenchSpec } from './lab-bench.js';
export { EmulatorProcessDriver } from './lab-emulator-process.js';
export type { EmulatorProcessOptions, EmulatorEndpoint } from './lab-emulator-process.js';
export { applyAccountSetup, applyAccountOverride, toHostRule } from './host-setup.js';
export { CapabilityMissingError, OperatorTimeoutError, BenchConfigError } from './errors.js';
