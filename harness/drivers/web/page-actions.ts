/**
 * The web driver's actions on the page: clicks (in order with the action request's answer), fills, and
 * reading the page's snapshot through the selector map.
 */
import type { Page } from 'playwright-core';
import type { ActiveGuard } from '../../capabilities/index.js';
import type { WebSelectorName } from '../../emulator/web/index.js';
import { WebActionRefusedError, WebDriverError, WebDriverUnsupportedError } from './errors.js';
import { CLICK_ELEMENT, READ_SNAPSHOT, call, type PageSelectors, type PageSnapshot } from './page-scripts.js';
import type { ResolvedWebDriverOptions } from './web-driver-options.js';
import { cssFor, type WebSelectorMap } from './web-selector-map.js';

/** Actions on the driver's page while it is active (an inactive driver: WebDriverInactiveError). */
export class PageActions {
  /** The page has the emulator's test mode (window.payhilTest: inline cards, card state, devices). */
  testMode = false;

  constructor(
    private readonly options: ResolvedWebDriverOptions,
    private readonly selectors: WebSelectorMap,
    /** The page while the driver is active. */
    private readonly guard: ActiveGuard<Page>,
  ) {}

  need(operation: string): Page {
    return this.guard.need(operation);
  }

  css(name: WebSelectorName, operation: string, member?: string): string {
    const c = cssFor(this.selectors, name, member);
    if (!c)
      throw new WebDriverUnsupportedError(this.options.url, operation, `the page has no '${name}' element`);
    return c;
  }

  /** Clicks; waits for the action request's answer (in order) and turns a refusal into an error. */
  async click(selector: string, operation: string): Promise<void> {
    const page = this.need(operation);
    const endpoint = this.options.actionEndpoint;
    try {
      // Listen before clicking: the answer may come back before the click call returns.
      const answer = endpoint
        ? page.waitForResponse(
            (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(endpoint),
            { timeout: this.options.actionTimeoutMs },
          )
        : undefined;
      answer?.catch(() => undefined);
      await this.press(page, selector, operation);
      if (!answer) return;
      const response = await answer;
      if (response.status() >= 400) {
        const j = (await response.json().catch(() => ({}))) as {
          error?: { code?: string; message?: string };
        };
        throw new WebActionRefusedError(
          this.options.url,
          operation,
          `${j.error?.code ?? response.status()}: ${j.error?.message ?? ''}`,
          j.error?.code,
        );
      }
    } catch (e) {
      if (e instanceof WebDriverError) throw e;
      throw new WebDriverError(
        this.options.url,
        operation,
        `${selector}: ${String((e as Error).message).split('\n')[0]}`,
        { cause: e },
      );
    }
  }

  /** One click on the first element of `selector`, refused when it is disabled (see `mouseClicks`). */
  async press(page: Page, selector: string, operation: string): Promise<void> {
    if (this.options.mouseClicks) {
      if (
        await page
          .locator(selector)
          .first()
          .isDisabled()
          .catch(() => false)
      )
        throw new WebActionRefusedError(this.options.url, operation, `${selector} is disabled on the page`);
      await page.click(selector);
      return;
    }
    const outcome = (await page.evaluate(call(CLICK_ELEMENT, selector))) as string;
    if (outcome === 'disabled')
      throw new WebActionRefusedError(this.options.url, operation, `${selector} is disabled on the page`);
    if (outcome !== 'clicked')
      throw new WebDriverError(this.options.url, operation, `${selector}: ${outcome} on the page`);
  }

  async fill(name: WebSelectorName, value: string, operation: string): Promise<void> {
    const page = this.need(operation);
    try {
      await page.fill(this.css(name, operation), value);
    } catch (e) {
      if (e instanceof WebDriverError) throw e;
      throw new WebDriverError(
        this.options.url,
        operation,
        `cannot fill ${name}: ${String((e as Error).message).split('\n')[0]}`,
        { cause: e },
      );
    }
  }

  major(amount: number): string {
    const exp = this.options.currencyExponent;
    return exp === 0 ? String(amount) : (amount / 10 ** exp).toFixed(exp);
  }

  pageSelectors(): PageSelectors {
    return {
      terminal: cssFor(this.selectors, 'terminal') ?? '',
      display: cssFor(this.selectors, 'display') ?? '',
      displayLine: cssFor(this.selectors, 'displayLine') ?? '',
      result: cssFor(this.selectors, 'result') ?? '',
      receipt: cssFor(this.selectors, 'receipt') ?? '',
      error: cssFor(this.selectors, 'error') ?? '',
      state: cssFor(this.selectors, 'statusState') ?? '',
      signedIn: cssFor(this.selectors, 'statusSignedIn') ?? '',
      busy: cssFor(this.selectors, 'statusBusy') ?? '',
      profile: cssFor(this.selectors, 'statusProfile') ?? '',
      slot: cssFor(this.selectors, 'cardSlot') ?? '',
      batch: cssFor(this.selectors, 'statusBatch') ?? '',
      pendingReversal: cssFor(this.selectors, 'statusPendingReversal') ?? '',
      devices: cssFor(this.selectors, 'statusDevices') ?? '',
      defects: cssFor(this.selectors, 'statusDefects') ?? '',
    };
  }

  async snapshot(): Promise<PageSnapshot> {
    const page = this.need('read page');
    try {
      return (await page.evaluate(call(READ_SNAPSHOT, this.pageSelectors()))) as PageSnapshot;
    } catch (e) {
      throw new WebDriverError(
        this.options.url,
        'read page',
        String((e as Error).message).split('\n')[0] ?? '',
        { cause: e },
      );
    }
  }
}
