// Curated public API of harness/drivers/web: a terminal through its web UI in Chromium (playwright-core).
export { WebDriver } from './web-driver.js';
export { PngAttachment } from './page-observer.js';
export { CHROMIUM_ARGS } from './web-driver-options.js';
export type { WebDriverOptions } from './web-driver-options.js';
export { resolveSelectorMap, cssFor } from './web-selector-map.js';
export type { WebSelectorMap } from './web-selector-map.js';
export {
  WebDriverError,
  WebBrowserLaunchError,
  WebActionRefusedError,
  WebDriverInactiveError,
  WebDriverUnsupportedError,
} from './errors.js';
