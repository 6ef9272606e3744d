// The emulator's nexo Retailer endpoint (docs/nexo.md).
export { NexoBodyTooLargeError, NexoEndpointError, NexoForbiddenHostError } from './errors.js';
export { NexoPoi, type NexoOutboxEntry, type NexoPoiOptions } from './nexo-poi.js';
export {
  NEXO_POLL_MAX_MS,
  startNexoServer,
  type NexoServerHandle,
  type NexoServerOptions,
} from './nexo-server.js';
