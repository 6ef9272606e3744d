// The driver kit (docs/drivers.md): transports and framing a terminal driver of one folder builds on.
// TCP and serial channels are the ECR layer's (`connectTcpChannel`, `SerialChannel`, re-exported here).
export { LineFramer, DEFAULT_MAX_LINE_BYTES } from './line-framer.js';
export type { LineItem } from './line-framer.js';
export { StreamChannel } from './stream-channel.js';
export { ChildProcessChannel } from './child-process-channel.js';
export type { ChildProcessChannelOptions } from './child-process-channel.js';
export { JsonLinesPeer } from './json-lines-peer.js';
export type { JsonLinesPeerOptions } from './json-lines-peer.js';
export {
  KitBadInputError,
  KitChannelClosedError,
  KitProcessError,
  KitRemoteError,
  KitTimeoutError,
} from './errors.js';
export { connectTcpChannel, SerialChannel, TcpChannel } from '../../emulator/ecr/index.js';
export type { ByteChannel } from '../../emulator/ecr/index.js';
