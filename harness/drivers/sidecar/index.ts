export { SidecarDriver } from './sidecar-driver.js';
export type { SidecarDriverOptions, SidecarResource } from './sidecar-driver.js';
export { SidecarDriverError, SidecarDriverRefusedError, SidecarDriverUnsupportedError } from './errors.js';
export {
  SIDECAR_PROTOCOL_VERSION,
  SIDECAR_METHODS,
  SIDECAR_EVENTS,
  SIDECAR_ERROR_CODES,
} from './sidecar-protocol.js';
export type { SidecarHello } from './sidecar-protocol.js';
export { serveReferenceSidecar } from './reference-sidecar.js';
export { listenReferenceSidecar } from './reference-sidecar-server.js';
export type { ReferenceSidecarServerOptions } from './reference-sidecar-server.js';
export type { ReferenceSidecarOptions } from './reference-sidecar.js';
