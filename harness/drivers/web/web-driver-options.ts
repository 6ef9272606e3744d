/** The web driver's options, their defaults, and the Chromium flags it launches with. */
import { cjkFontWarning } from './cjk-font-check.js';

/** Chromium flags for a headless lab machine (no sandbox in containers, no background traffic). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export interface WebDriverOptions {
  /** The terminal's page, e.g. http://127.0.0.1:8080/ */
  url: string;
  /** Overrides of the selector map (lab or terminal profile `web.selectors`). */
  selectors?: Record<string, string>;
  /** Chromium binary. Default $PAYHIL_CHROMIUM or /usr/bin/chromium. */
  executablePath?: string;
  /** Take a PNG of the terminal at each display change. Default true. */
  screenshots?: boolean;
  /** Digits after the decimal point of the amount field. Default 2. */
  currencyExponent?: number;
  /** Timeout of one page action (ms). Default 5 000. */
  actionTimeoutMs?: number;
  /** How long `start` waits for the terminal to take the transaction (ms). Default 3 000. */
  startTimeoutMs?: number;
  /**
   * Path (suffix) of the request every action POSTs; the driver waits for its answer after each click so
   * actions reach the terminal in order, and reads refusals from it. Default `api/request` (the
   * emulator's page); null for a page without one.
   */
  actionEndpoint?: string | null;
  /** Ask the emulator for a fresh card state at the first presentation of each card per scenario. Default true. */
  freshCards?: boolean;
  /** Click the page's power-cycle button before each scenario (a fresh, signed-out terminal). Default false. */
  powerCycleEachScenario?: boolean;
  /**
   * Click with real mouse input after Playwright's actionability checks (visible, stable, not covered):
   * about 50 ms a click. Default false: the element's own click() in the page once it is there, shown
   * and enabled (about 10 ms), which the emulator's page and most pages answer alike.
   */
  mouseClicks?: boolean;
  /**
   * Asked at each activation: the warning to give when a display shows Chinese text, or undefined when
   * the machine can draw it. Default `cjkFontWarning` (fc-list :lang=zh; see cjk-font-check.ts).
   */
  cjkFontCheck?: () => string | undefined;
}

/** The options with their defaults applied (the selector map is resolved apart). */
export type ResolvedWebDriverOptions = Required<Omit<WebDriverOptions, 'selectors' | 'actionEndpoint'>> & {
  actionEndpoint: string | null;
};

/** `options` with the defaults of WebDriverOptions filled in. */
export function resolveWebDriverOptions(options: WebDriverOptions): ResolvedWebDriverOptions {
  return {
    url: options.url,
    executablePath: options.executablePath ?? process.env.PAYHIL_CHROMIUM ?? '/usr/bin/chromium',
    screenshots: options.screenshots ?? true,
    currencyExponent: options.currencyExponent ?? 2,
    actionTimeoutMs: options.actionTimeoutMs ?? 5000,
    startTimeoutMs: options.startTimeoutMs ?? 3000,
    actionEndpoint: options.actionEndpoint === undefined ? 'api/request' : options.actionEndpoint,
    freshCards: options.freshCards ?? true,
    powerCycleEachScenario: options.powerCycleEachScenario ?? false,
    mouseClicks: options.mouseClicks ?? false,
    cjkFontCheck: options.cjkFontCheck ?? (() => cjkFontWarning()),
  };
}
