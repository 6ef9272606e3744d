/**
 * The `web` driver: a terminal driven through its web UI in Debian's Chromium (playwright-core).
 * Capabilities: `terminal`, `keypad`, `display`, `cards` (by the page's card picker; inline cards and card
 * state through the page's test mode, `window.payhilTest`, on the emulator's page). A MutationObserver
 * in the page reports display, state, receipt and result changes as bench observations; every display
 * change also gets a PNG screenshot of the terminal element (a `screenshot` observation with an `attachment`).
 */
import type { Browser, Page } from 'playwright-core';
import {
  ActiveGuard,
  type CardPresenter,
  type DeviceControl,
  type ModeControl,
  type Display,
  type Keypad,
  type ObservationListener,
  type TerminalControl,
  type TerminalOperationArgs,
  type TerminalOperationName,
  walletFaultOf,
} from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import {
  WebActionRefusedError,
  WebBrowserLaunchError,
  WebDriverError,
  WebDriverInactiveError,
  WebDriverUnsupportedError,
} from './errors.js';
import { PageActions } from './page-actions.js';
import { PageObserver, type PageChange } from './page-observer.js';
import {
  CLOCK,
  DEVICE,
  MODE,
  HAS_TEST_MODE,
  INSTALL_OBSERVER,
  NOT_BUSY,
  TOOK_TRANSACTION,
  call,
} from './page-scripts.js';
import { WebCardPresenter } from './web-card-presenter.js';
import {
  CHROMIUM_ARGS,
  resolveWebDriverOptions,
  type ResolvedWebDriverOptions,
  type WebDriverOptions,
} from './web-driver-options.js';
import { cssFor, resolveSelectorMap, type WebSelectorMap } from './web-selector-map.js';

const log = createLogger('payhil:drivers:web');

const RESTING = new Set(['idle', 'notSignedIn', 'powerUp', 'result', 'removeCard', '']);

export class WebDriver {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;
  /** Device conditions through the page's test mode (`window.payhilTest.device`). */
  readonly devices: DeviceControl;
  /** A custodian's maintenance mode through the page's test mode (`window.payhilTest.mode`). */
  readonly mode: ModeControl;
  readonly selectors: WebSelectorMap;

  private browser: Browser | undefined;
  /** The page while the driver is active. */
  private readonly guard: ActiveGuard<Page> = new ActiveGuard(
    (operation) => new WebDriverInactiveError(this.options.url, operation),
  );
  private readonly options: ResolvedWebDriverOptions;
  private readonly actions: PageActions;
  private readonly observer: PageObserver;
  private readonly cardsOnPage: WebCardPresenter;

  /** Unknown selector names → WebDriverError (usage of a wrong profile is reported at once). */
  constructor(options: WebDriverOptions) {
    const { map, unknown } = resolveSelectorMap(options.selectors);
    if (unknown.length)
      throw new WebDriverError(options.url, 'selectors', `unknown selector name(s) ${unknown.join(', ')}`, {
        code: 'E_DRIVER_WEB_SELECTORS',
      });
    this.selectors = map;
    this.name = `web ${options.url}`;
    this.options = resolveWebDriverOptions(options);
    this.actions = new PageActions(this.options, this.selectors, this.guard);
    this.observer = new PageObserver(this.name, this.options, this.selectors, this.guard);
    this.cardsOnPage = new WebCardPresenter(this.options, this.actions);
    this.terminal = {
      start: (op, args) => this.start(op, args),
      enterAmount: (amount) =>
        this.actions.fill('amount', this.actions.major(amount), `enter amount ${amount}`),
      select: (item) => this.selectItem(item),
      powerCycle: () => this.actions.click(this.actions.css('powerCycle', 'powerCycle'), 'power cycle'),
      status: () => this.status(),
      idle: (ms) => this.waitIdle(ms),
    };
    this.keypad = {
      enterPin: async (pin) => {
        if (!/^\d{4,12}$/.test(pin))
          throw new WebDriverError(this.options.url, 'enterPin', 'a PIN is 4 to 12 digits', {
            code: 'E_DRIVER_PIN',
          });
        for (const d of pin) await this.actions.click(this.actions.css('key', 'enterPin', d), 'enterPin');
        await this.actions.click(this.actions.css('key', 'enterPin', 'enter'), 'enterPin');
      },
      cancel: () => this.actions.click(this.actions.css('key', 'cancel', 'cancel'), 'cancel'),
      press: async (key) => {
        const k = key.toLowerCase() === 'back' ? 'clear' : key.toLowerCase();
        await this.actions.click(this.actions.css('key', `press ${key}`, k), `press ${key}`);
      },
    };
    this.display = { text: async () => (await this.actions.snapshot()).lines.join('\n') };
    this.cards = {
      prepare: async (map) => this.cardsOnPage.prepare(map),
      insert: (card) => this.cardsOnPage.present('insert', card),
      tap: (card, holdMs) => this.cardsOnPage.present('tap', card, holdMs),
      swipe: (card) => this.cardsOnPage.present('swipe', card),
      remove: () => this.cardsOnPage.remove(),
      state: (card) => this.cardsOnPage.cardState(card),
      condition: async (card, condition) => {
        await this.cardsOnPage.cardState(card, { kind: walletFaultOf(condition) });
      },
    };
    this.mode = {
      set: (mode) => this.testRequest(`mode ${mode}`, MODE, { mode }),
    };
    this.devices = {
      set: async (conditions) => {
        for (const [device, condition] of Object.entries(conditions))
          if (condition !== undefined)
            await this.testRequest(`device ${device} ${condition}`, DEVICE, { device, condition });
      },
    };
  }

  get active(): boolean {
    return this.guard.active;
  }

  observe(listener: ObservationListener): () => void {
    return this.observer.observe(listener);
  }

  /** Launches Chromium, opens the page, starts observing. WebBrowserLaunchError / WebDriverError (broken). */
  async activate(): Promise<void> {
    if (this.guard.active) return;
    let browser: Browser;
    try {
      // Loaded on first use: playwright-core is large, and most runs never open a browser.
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: this.options.executablePath,
        args: [...CHROMIUM_ARGS],
        timeout: 30_000,
      });
    } catch (e) {
      throw new WebBrowserLaunchError(this.options.url, this.options.executablePath, e);
    }
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      page.setDefaultTimeout(this.options.actionTimeoutMs);
      await page.exposeBinding('__payhilObserve', (_source, change: PageChange) =>
        this.observer.onChange(change),
      );
      if (this.options.freshCards && this.options.actionEndpoint)
        await page.route(`**/${this.options.actionEndpoint}`, (r) => this.cardsOnPage.routeAction(r));
      try {
        await page.goto(this.options.url, { waitUntil: 'load', timeout: 15_000 });
      } catch (e) {
        throw new WebDriverError(
          this.options.url,
          'open',
          `the page did not load: ${String((e as Error).message).split('\n')[0]}`,
          { cause: e },
        );
      }
      const link = cssFor(this.selectors, 'statusLink');
      if (link)
        await page
          .waitForSelector(`${link}[data-connected="yes"]`, { timeout: 10_000 })
          .catch(() => undefined);
      const terminalCss = cssFor(this.selectors, 'terminal');
      if (terminalCss && !(await page.$(terminalCss)))
        throw new WebDriverError(
          this.options.url,
          'open',
          `no terminal element (${terminalCss}) on the page`,
        );
      await page.evaluate(call(INSTALL_OBSERVER, this.actions.pageSelectors()));
      this.actions.testMode = (await page.evaluate(call(HAS_TEST_MODE, null))) === true;
      if (this.options.screenshots)
        this.observer.cdp = await page
          .context()
          .newCDPSession(page)
          .catch(() => undefined);
      // Chinese text without a Chinese font renders as empty boxes: say so rather than show boxes.
      this.observer.cjkWarning = this.options.cjkFontCheck();
      this.browser = browser;
      this.guard.activate(page);
      log('%s active', this.name);
    } catch (e) {
      await browser.close().catch(() => undefined);
      throw e instanceof WebDriverError
        ? e
        : new WebDriverError(this.options.url, 'open', (e as Error).message, { cause: e });
    }
  }

  async deactivate(): Promise<void> {
    const b = this.browser;
    this.guard.deactivate();
    this.browser = undefined;
    this.observer.cdp = undefined;
    await this.observer.settle();
    if (b) await b.close().catch(() => undefined);
  }

  /** Before a scenario: let a previous transaction end (bounded); power-cycle when asked to. */
  async beginScenario(): Promise<void> {
    this.observer.resetWarnings();
    await this.waitIdle(10_000);
    if (this.options.powerCycleEachScenario) await this.terminal.powerCycle();
  }

  async endScenario(): Promise<void> {
    if (!this.guard.active) return;
    const busy = (await this.status().catch(() => ({ busy: false }))).busy;
    if (busy) await this.keypad.cancel().catch(() => undefined);
    await this.waitIdle(2000);
    await this.cards.remove().catch(() => undefined);
    this.cardsOnPage.insertedCard = undefined;
  }

  // ---- terminal --------------------------------------------------------------------------------

  private async start(op: TerminalOperationName, args: TerminalOperationArgs = {}): Promise<void> {
    const page = this.need(`start ${op}`);
    await this.waitIdle(10_000);
    if (['purchase', 'preAuth', 'withdraw', 'refund'].includes(op))
      await this.actions.fill('amount', this.actions.major(args.amount ?? 0), `start ${op}`);
    if (op === 'void' || op === 'refund') {
      const of = args.of ?? 'last';
      const ref = of === 'last' ? this.observer.lastReference : of;
      if (!ref)
        throw new WebDriverError(
          this.options.url,
          `start ${op}`,
          "no earlier transaction with a reference to use for 'last'",
          { code: 'E_DRIVER_NO_ORIGINAL' },
        );
      await this.actions.fill('originalReference', ref, `start ${op}`);
    }
    await this.actions.click(this.actions.css('transaction', `start ${op}`, op), `start ${op}`);
    // Took it: a working state shows, or the page shows a refusal (BUSY…), or the deadline passes.
    const state = cssFor(this.selectors, 'terminal');
    const error = cssFor(this.selectors, 'error');
    const outcome = await page
      .waitForFunction(call(TOOK_TRANSACTION, { state, error, resting: [...RESTING] }), undefined, {
        timeout: this.options.startTimeoutMs,
      })
      .then((h) => h.jsonValue() as Promise<string>)
      .catch(() => 'timeout');
    if (outcome.startsWith('error:')) {
      const text = outcome.slice(6);
      throw new WebActionRefusedError(this.options.url, `start ${op}`, text, /^([A-Z_]+):/.exec(text)?.[1]);
    }
    if (outcome === 'timeout')
      this.observer.note(
        `start ${op}: no sign from the terminal within ${this.options.startTimeoutMs} ms; going on`,
      );
  }

  private async selectItem(item: string): Promise<void> {
    const page = this.need(`select ${item}`);
    const menu = cssFor(this.selectors, 'menu');
    // The emulator's page has no terminal menu: its transactions start from the cash-register buttons
    // (never click one of those for a menu item: it would start a transaction).
    if (!menu) {
      this.observer.note(
        `menu item ${item} selected (the page has no terminal menu; transactions start directly)`,
      );
      return;
    }
    try {
      await page.locator(menu).getByRole('button', { name: item, exact: false }).first().click();
    } catch (e) {
      throw new WebDriverError(this.options.url, `select ${item}`, `no button '${item}' on the page`, {
        cause: e,
      });
    }
  }

  private async status(): Promise<Record<string, unknown>> {
    const s = await this.actions.snapshot();
    const out: Record<string, unknown> = {
      state: s.state,
      signedIn: s.signedIn === 'yes',
      busy: s.busy === 'yes',
      profile: s.profile,
      cardInserted: s.occupied === 'yes',
      retained: s.retained === 'yes',
      display: s.lines.join('\n'),
    };
    // What the page shows of the rest (the emulator's page shows all of it).
    if (s.batch) out.batch = s.batch;
    if (s.pendingReversal) out.pendingReversal = s.pendingReversal === 'yes';
    if (s.devices)
      out.devices = Object.fromEntries(
        s.devices
          .split(/\s+/)
          .map((d) => d.split(':'))
          .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== ''),
      );
    if (s.defects) out.defects = s.defects === 'none' ? [] : s.defects.split(/\s+/);
    return out;
  }

  private async waitIdle(timeoutMs: number): Promise<void> {
    const page = this.guard.current;
    const busy = cssFor(this.selectors, 'statusBusy');
    if (!page || !busy) return;
    await page
      .waitForFunction(call(NOT_BUSY, busy), undefined, { timeout: timeoutMs })
      .catch(() => undefined);
  }

  // ---- devices ---------------------------------------------------------------------------------

  /** Sets, moves or resets the terminal's calendar through the page's test mode (`payhilTest.clock`). */
  clock(change: { set?: string; advance?: number; reset?: true }): Promise<void> {
    return this.testRequest(`clock ${JSON.stringify(change)}`, CLOCK, change);
  }

  /** A test-mode request through the page (a device condition, a mode): `script` called with `args`. */
  private async testRequest(what: string, script: string, args: Record<string, unknown>): Promise<void> {
    const page = this.need(what);
    if (!this.actions.testMode)
      throw new WebDriverUnsupportedError(
        this.options.url,
        what,
        'the page has no test mode (window.payhilTest) to change device conditions or modes',
      );
    let answer: { result?: unknown; error?: { code?: string; message?: string } };
    try {
      answer = (await page.evaluate(call(script, args))) as typeof answer;
    } catch (e) {
      throw new WebDriverError(this.options.url, what, String((e as Error).message).split('\n')[0] ?? '', {
        cause: e,
      });
    }
    if (answer?.error)
      throw new WebActionRefusedError(
        this.options.url,
        what,
        `${answer.error.code ?? 'INTERNAL'}: ${answer.error.message ?? ''}`,
        answer.error.code,
      );
  }

  private need(operation: string): Page {
    return this.guard.need(operation);
  }
}
