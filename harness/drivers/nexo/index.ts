export {
  NexoDriverError,
  NexoDriverInactiveError,
  NexoDriverLostTransactionError,
  NexoDriverRefusedError,
  NexoDriverUnsupportedError,
} from './errors.js';
export { NexoClient, NexoHttpError, type NexoClientOptions } from './nexo-client.js';
export { NexoDriver, type NexoDriverOptions } from './nexo-driver.js';
