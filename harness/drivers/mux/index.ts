// Curated public API of harness/drivers/mux: the card multiplexer's line protocol, its driver, the
// multiplexer card presenter with its preflight, and the simulated multiplexer of `payhil mux-sim`.
export { MuxError } from './errors.js';
export { LineSplitter, MAX_LINE } from './line-splitter.js';
export type { LineItem } from './line-splitter.js';
export { parseMuxReply, MUX_ERROR_CODES } from './mux-reply.js';
export type { MuxReply } from './mux-reply.js';
export { LineLink, describeResource } from './line-link.js';
export type { LineLinkResource, LineLinkOptions } from './line-link.js';
export { MuxDriver } from './mux-driver.js';
export { MuxCardPresenter } from './mux-card-presenter.js';
export type { MuxCardPresenterOptions, MuxSlot } from './mux-card-presenter.js';
export { MuxSimulator, SIM_SLOTS } from './mux-simulator.js';
export type { MuxSimulatorOptions } from './mux-simulator.js';
export { MonitorReader } from './monitor-reader.js';
export type { MonitorReaderOptions, SlotCheck } from './monitor-reader.js';
