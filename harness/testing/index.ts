// Curated public API of harness/testing (`payhil/testing`): test kits for a lab's own tests, never used by
// payhil's production code. A mock bench (every capability a recording mock with test controls), a
// terminal-side ISO 8583 client for the host simulator, card-side field 55 and a self-contained host
// configuration with TEST keys, PINs and PANs; the conformance suite every terminal driver passes.
export { createMockBench } from './mock-bench.js';
export type { MockBench, MockBenchOptions, MockCall } from './mock-bench.js';
export { TestTerminal } from './test-terminal.js';
export type { TestTerminalOptions, Answer } from './test-terminal.js';
export { buildIccData } from './test-icc.js';
export type { IccInput } from './test-icc.js';
export {
  testHostConfig,
  TEST_TMK,
  TEST_TMK_2,
  TEST_IMK_AC,
  TEST_PIN,
  TEST_PANS,
  TEST_TERMINAL,
  TEST_TERMINAL_2,
} from './host-test-config.js';
export { describeDriverConformance } from './driver-conformance.js';
export type { ConformanceBench, ConformanceDriver, ConformanceTarget } from './driver-conformance.js';
export { MockMultiplexer, MockRobot } from './mock-mux-robot.js';
export type { MockDeviceCall } from './mock-mux-robot.js';
