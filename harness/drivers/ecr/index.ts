// Curated public API of harness/drivers/ecr: the shared core of the ecr-tcp and ecr-serial drivers.
export { EcrDriver } from './ecr-driver.js';
export type { EcrDriverOptions, EcrOpener } from './ecr-driver.js';
export { observationOf, resultData, traceObservation } from './ecr-observations.js';
export {
  EcrDriverError,
  EcrDriverInactiveError,
  EcrDriverRefusedError,
  EcrDriverUnsupportedError,
} from './errors.js';
