// Curated public API of harness/drivers/emulated: the in-process emulated terminal as a bench driver.
export { EmulatedTerminalDriver } from './emulated-terminal-driver.js';
export type { EmulatedTerminalDriverOptions } from './emulated-terminal-driver.js';
export { OBSERVED_TERMINAL_EVENTS, observationOfTerminalEvent } from './terminal-observations.js';
