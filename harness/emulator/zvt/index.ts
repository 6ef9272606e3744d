// harness/emulator/zvt: the emulator's ZVT way in (the terminal side of PA00P015).
export { ZvtServer, ZVT_SERVER_DEFAULTS } from './zvt-server.js';
export type { ZvtServerOptions } from './zvt-server.js';
export { ZvtTerminalSession, resultCode, statusOf } from './zvt-terminal-session.js';
export type { ZvtSessionOptions, ReceiptBook } from './zvt-terminal-session.js';
