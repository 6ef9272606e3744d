// harness/emulator/web: the emulator's web UI (one page, live over Server-Sent Events, actions as POST JSON).
export { startWebUi } from './web-ui-server.js';
export type { WebUiOptions, WebUiHandle } from './web-ui-server.js';
export { renderTerminalPage } from './terminal-page.js';
export { WEB_SELECTORS } from './web-selectors.js';
export type { WebSelectorName } from './web-selectors.js';
export {
  WebUiRequestError,
  WebUiBadRequestError,
  WebUiBodyTooLargeError,
  WebUiMediaTypeError,
  WebUiForbiddenHostError,
} from './errors.js';
