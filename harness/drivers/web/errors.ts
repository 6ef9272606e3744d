import { PayhilError } from '../../common/payhil-error.js';

/**
 * Errors of the web driver. The browser not launching, the page not loading, an element that never
 * appears or an action the page refused are lab faults: verdict `broken`.
 */
export class WebDriverError extends PayhilError {
  /** The capability call or step, e.g. "start purchase", "press 5". */
  readonly operation: string;
  /** The page URL. */
  readonly url: string;
  constructor(
    url: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown } = {},
  ) {
    super(options.code ?? 'E_DRIVER_WEB', `web ${url}: ${operation}: ${detail}`, {
      verdict: 'broken',
      cause: options.cause,
    });
    this.operation = operation;
    this.url = url;
  }
}

/** Chromium could not be started (missing, crashed at launch). */
export class WebBrowserLaunchError extends WebDriverError {
  readonly executablePath: string;
  constructor(url: string, executablePath: string, cause: unknown) {
    super(url, 'launch', `browser ${executablePath} failed to launch: ${firstLine(cause)}`, {
      code: 'E_DRIVER_WEB_LAUNCH',
      cause,
    });
    this.executablePath = executablePath;
  }
}

/** The page refused an action (its error element or the request answer says why). */
export class WebActionRefusedError extends WebDriverError {
  readonly remoteCode: string | undefined;
  constructor(url: string, operation: string, message: string, remoteCode?: string) {
    super(url, operation, `refused: ${message}`, { code: 'E_DRIVER_WEB_REFUSED' });
    this.remoteCode = remoteCode;
  }
}

/** A call before activate() or after deactivate(). */
export class WebDriverInactiveError extends WebDriverError {
  constructor(url: string, operation: string) {
    super(url, operation, 'the driver is not active', { code: 'E_DRIVER_INACTIVE' });
  }
}

/** What this page cannot do (card state, inline cards, a key it has no button for). */
export class WebDriverUnsupportedError extends WebDriverError {
  constructor(url: string, operation: string, detail: string) {
    super(url, operation, detail, { code: 'E_DRIVER_UNSUPPORTED' });
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0] ?? '';
}
