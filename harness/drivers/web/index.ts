// Curated public API of harness/drivers/web: a terminal through its web UI in Chromium (playwright-core).
export { WebDriver, PngAttachment, CHROMIUM_ARGS } from './web-driver.js';
export type { WebDriverOptions } from './web-driver.js';
export { resolveSelectorMap, cssFor } from './web-selector-map.js';
export type { WebSelectorMap } from './web-selector-map.js';
export {
  WebDriverError,
  WebBrowserLaunchError,
  WebActionRefusedError,
  WebDriverInactiveError,
  WebDriverUnsupportedError,
} from './errors.js';
