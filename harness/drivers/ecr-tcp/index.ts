// Curated public API of harness/drivers/ecr-tcp.
export { EcrTcpDriver, parseEcrTcpAddress } from './ecr-tcp-driver.js';
export type { EcrTcpResource } from './ecr-tcp-driver.js';
