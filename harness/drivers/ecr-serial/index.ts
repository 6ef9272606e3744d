// Curated public API of harness/drivers/ecr-serial.
export { EcrSerialDriver } from './ecr-serial-driver.js';
export type { EcrSerialResource } from './ecr-serial-driver.js';
