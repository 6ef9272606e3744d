// Curated public API of harness/drivers/zvt: a payment terminal over ZVT (TCP or serial).
export { ZvtDriver } from './zvt-driver.js';
export type { ZvtDriverOptions, ZvtOpener } from './zvt-driver.js';
export { ZvtTcpDriver, ZvtSerialDriver } from './zvt-tcp-driver.js';
export type { ZvtTcpResource, ZvtSerialResource } from './zvt-tcp-driver.js';
export { ZvtCapture } from './zvt-capture.js';
export { displayLines, resultOf } from './zvt-observations.js';
export { ZvtDriverError, ZvtDriverRefusedError, ZvtDriverUnsupportedError } from './errors.js';
