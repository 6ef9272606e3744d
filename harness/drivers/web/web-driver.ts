/**
 * The `web` driver: a terminal driven through its web UI in Debian's Chromium (playwright-core).
 * Capabilities: `terminal`, `keypad`, `display`, `cards` (by the page's card picker; inline cards and card
 * state through the page's test mode, `window.payhilTest`, on the emulator's page). A MutationObserver
 * in the page reports display, state, receipt and result changes as bench observations; every display
 * change also gets a PNG screenshot of the terminal element (a `screenshot` observation with an `attachment`).
 */
import type { Browser, CDPSession, Page, Route } from 'playwright-core';
import {
  ActiveGuard,
  ObserverSet,
  type CardPresenter,
  type DeviceControl,
  type Display,
  type Keypad,
  type Observation,
  type ObservationListener,
  type TerminalControl,
  type TerminalOperationArgs,
  type TerminalOperationName,
  walletFaultOf,
} from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { maskPansInText } from '../../common/mask.js';
import type { InlineCard } from '../../scenario/index.js';
import type { WebSelectorName } from '../../emulator/web/index.js';
import {
  WebActionRefusedError,
  WebBrowserLaunchError,
  WebDriverError,
  WebDriverInactiveError,
  WebDriverUnsupportedError,
} from './errors.js';
import {
  ADD_INLINE_CARD,
  CARD_STATE,
  DEVICE,
  CLICK_ELEMENT,
  HAS_TEST_MODE,
  INSTALL_OBSERVER,
  NOT_BUSY,
  OPTION_VALUES,
  READ_SNAPSHOT,
  TOOK_TRANSACTION,
  call,
  type PageSelectors,
  type PageSnapshot,
} from './page-scripts.js';
import { cssFor, resolveSelectorMap, type WebSelectorMap } from './web-selector-map.js';

const log = createLogger('payhil:drivers:web');

/** Chromium flags for a headless lab machine (no sandbox in containers, no background traffic). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

const RESTING = new Set(['idle', 'notSignedIn', 'powerUp', 'result', 'removeCard', '']);

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
}

/** A PNG attached to an observation; JSON shows its size, not its bytes. */
export class PngAttachment {
  readonly contentType = 'image/png';
  constructor(
    readonly name: string,
    readonly body: Buffer,
  ) {}
  toJSON(): Record<string, unknown> {
    return { name: this.name, contentType: this.contentType, bytes: this.body.length };
  }
}

/** What the in-page observer reports. */
type PageChange =
  | { type: 'display'; lines: string[]; key: string }
  | { type: 'state'; state: string; previous: string }
  | { type: 'receipt'; text: string }
  | {
      type: 'result';
      outcome: string;
      transaction: string;
      responseCode: string;
      message: string;
      title: string;
      /** JSON of the result's scalar details (the emulator's page); empty elsewhere. */
      details?: string;
    };

export class WebDriver {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;
  /** Device conditions through the page's test mode (`window.payhilTest.device`). */
  readonly devices: DeviceControl;
  readonly selectors: WebSelectorMap;

  private browser: Browser | undefined;
  /** The page while the driver is active. */
  private readonly guard: ActiveGuard<Page> = new ActiveGuard(
    (operation) => new WebDriverInactiveError(this.options.url, operation),
  );
  /** Chromium's DevTools session of the page: screenshots without Playwright's per-shot waits. */
  private cdp: CDPSession | undefined;
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));
  private readonly options: Required<Omit<WebDriverOptions, 'selectors' | 'actionEndpoint'>> & {
    actionEndpoint: string | null;
  };
  private lastReference: string | undefined;
  private displayCount = 0;
  private shotChain: Promise<void> = Promise.resolve();
  private shotPending = false;
  /** Scenario card alias → the card picker's value (a fixture name, or an inline card's name). */
  private readonly aliases = new Map<string, string>();
  private readonly resetPending = new Set<string>();
  private offered: string[] | undefined;
  /** The page has the emulator's test mode (window.payhilTest: inline cards, card state). */
  private pageTestMode = false;
  /** Alias of the card in the slot. */
  private insertedCard: string | undefined;

  /** Unknown selector names → WebDriverError (usage of a wrong profile is reported at once). */
  constructor(options: WebDriverOptions) {
    const { map, unknown } = resolveSelectorMap(options.selectors);
    if (unknown.length)
      throw new WebDriverError(options.url, 'selectors', `unknown selector name(s) ${unknown.join(', ')}`, {
        code: 'E_DRIVER_WEB_SELECTORS',
      });
    this.selectors = map;
    this.name = `web ${options.url}`;
    this.options = {
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
    };
    this.terminal = {
      start: (op, args) => this.start(op, args),
      enterAmount: (amount) => this.fill('amount', this.major(amount), `enter amount ${amount}`),
      select: (item) => this.selectItem(item),
      powerCycle: () => this.click(this.css('powerCycle', 'powerCycle'), 'power cycle'),
      status: () => this.status(),
      idle: (ms) => this.waitIdle(ms),
    };
    this.keypad = {
      enterPin: async (pin) => {
        if (!/^\d{4,12}$/.test(pin))
          throw new WebDriverError(this.options.url, 'enterPin', 'a PIN is 4 to 12 digits', {
            code: 'E_DRIVER_PIN',
          });
        for (const d of pin) await this.click(this.css('key', 'enterPin', d), 'enterPin');
        await this.click(this.css('key', 'enterPin', 'enter'), 'enterPin');
      },
      cancel: () => this.click(this.css('key', 'cancel', 'cancel'), 'cancel'),
      press: async (key) => {
        const k = key.toLowerCase() === 'back' ? 'clear' : key.toLowerCase();
        await this.click(this.css('key', `press ${key}`, k), `press ${key}`);
      },
    };
    this.display = { text: async () => (await this.snapshot()).lines.join('\n') };
    this.cards = {
      prepare: async (map) => this.prepare(map),
      insert: (card) => this.present('insert', card),
      tap: (card, holdMs) => this.present('tap', card, holdMs),
      swipe: (card) => this.present('swipe', card),
      remove: async () => {
        await this.click(this.css('cardRemove', 'card remove'), 'card remove');
        this.insertedCard = undefined;
      },
      state: (card) => this.cardState(card),
      condition: async (card, condition) => {
        await this.cardState(card, { kind: walletFaultOf(condition) });
      },
    };
    this.devices = {
      set: async (conditions) => {
        for (const [device, condition] of Object.entries(conditions))
          if (condition !== undefined) await this.device(device, condition);
      },
    };
  }

  get active(): boolean {
    return this.guard.active;
  }

  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
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
      await page.exposeBinding('__payhilObserve', (_source, change: PageChange) => this.onChange(change));
      if (this.options.freshCards && this.options.actionEndpoint)
        await page.route(`**/${this.options.actionEndpoint}`, (r) => this.routeAction(r));
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
      await page.evaluate(call(INSTALL_OBSERVER, this.pageSelectors()));
      this.pageTestMode = (await page.evaluate(call(HAS_TEST_MODE, null))) === true;
      if (this.options.screenshots)
        this.cdp = await page
          .context()
          .newCDPSession(page)
          .catch(() => undefined);
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
    this.cdp = undefined;
    await this.shotChain.catch(() => undefined);
    if (b) await b.close().catch(() => undefined);
  }

  /** Before a scenario: let a previous transaction end (bounded); power-cycle when asked to. */
  async beginScenario(): Promise<void> {
    await this.waitIdle(10_000);
    if (this.options.powerCycleEachScenario) await this.terminal.powerCycle();
  }

  async endScenario(): Promise<void> {
    if (!this.guard.active) return;
    const busy = (await this.status().catch(() => ({ busy: false }))).busy;
    if (busy) await this.keypad.cancel().catch(() => undefined);
    await this.waitIdle(2000);
    await this.cards.remove().catch(() => undefined);
    this.insertedCard = undefined;
  }

  // ---- terminal --------------------------------------------------------------------------------

  private async start(op: TerminalOperationName, args: TerminalOperationArgs = {}): Promise<void> {
    const page = this.need(`start ${op}`);
    await this.waitIdle(10_000);
    if (['purchase', 'preAuth', 'withdraw', 'refund'].includes(op))
      await this.fill('amount', this.major(args.amount ?? 0), `start ${op}`);
    if (op === 'void' || op === 'refund') {
      const of = args.of ?? 'last';
      const ref = of === 'last' ? this.lastReference : of;
      if (!ref)
        throw new WebDriverError(
          this.options.url,
          `start ${op}`,
          "no earlier transaction with a reference to use for 'last'",
          { code: 'E_DRIVER_NO_ORIGINAL' },
        );
      await this.fill('originalReference', ref, `start ${op}`);
    }
    await this.click(this.css('transaction', `start ${op}`, op), `start ${op}`);
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
      this.note(`start ${op}: no sign from the terminal within ${this.options.startTimeoutMs} ms; going on`);
  }

  private async selectItem(item: string): Promise<void> {
    const page = this.need(`select ${item}`);
    const menu = cssFor(this.selectors, 'menu');
    // The emulator's page has no terminal menu: its transactions start from the cash-register buttons
    // (never click one of those for a menu item: it would start a transaction).
    if (!menu) {
      this.note(`menu item ${item} selected (the page has no terminal menu; transactions start directly)`);
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
    const s = await this.snapshot();
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

  // ---- cards -----------------------------------------------------------------------------------

  private async prepare(map: Record<string, string | InlineCard>): Promise<void> {
    const page = this.need('cards prepare');
    this.aliases.clear();
    this.resetPending.clear();
    this.insertedCard = undefined;
    const picker = this.css('cardPicker', 'cards prepare');
    this.offered ??= (await page.evaluate(call(OPTION_VALUES, picker))) as string[];
    for (const [alias, card] of Object.entries(map)) {
      if (typeof card !== 'string') {
        if (!this.pageTestMode)
          throw new WebDriverUnsupportedError(
            this.options.url,
            'cards prepare',
            `card '${alias}' is an inline card; this page has no test mode for them, only its card list (${this.offered.join(', ')})`,
          );
        if (!this.offered.includes(card.extends))
          throw new WebDriverUnsupportedError(
            this.options.url,
            'cards prepare',
            `inline card '${alias}' extends '${card.extends}', which is not in the page's card list (${this.offered.join(', ')})`,
          );
        // The page puts it in its picker and sends its fields with each card action.
        const name = `inline:${alias}`;
        await page.evaluate(call(ADD_INLINE_CARD, { name, fixture: card }));
        this.aliases.set(alias, name);
        continue;
      }
      if (!this.offered.includes(card))
        throw new WebDriverUnsupportedError(
          this.options.url,
          'cards prepare',
          `card '${card}' is not in the page's card list (${this.offered.join(', ')})`,
        );
      this.aliases.set(alias, card);
    }
    for (const f of this.aliases.values()) this.resetPending.add(f);
  }

  private async present(action: 'insert' | 'tap' | 'swipe', card: string, holdMs?: number): Promise<void> {
    const page = this.need(`card ${action}`);
    const fixture = this.aliases.get(card) ?? card;
    const what = `card ${action} ${card}`;
    try {
      await page.selectOption(this.css('cardPicker', what), fixture);
    } catch (e) {
      throw new WebDriverError(
        this.options.url,
        what,
        `card '${fixture}' cannot be chosen in the card picker`,
        { cause: e },
      );
    }
    if (action === 'tap') await this.fill('holdMs', holdMs !== undefined ? String(holdMs) : '', what);
    const name = action === 'insert' ? 'cardInsert' : action === 'tap' ? 'cardTap' : 'cardSwipe';
    await this.click(this.css(name, what), what);
    if (action === 'insert') this.insertedCard = card;
  }

  /** A device condition through the page's test mode. */
  private async device(device: string, condition: string): Promise<void> {
    const what = `device ${device} ${condition}`;
    const page = this.need(what);
    if (!this.pageTestMode)
      throw new WebDriverUnsupportedError(
        this.options.url,
        what,
        'the page has no test mode (window.payhilTest) to change device conditions',
      );
    let answer: { result?: unknown; error?: { code?: string; message?: string } };
    try {
      answer = (await page.evaluate(call(DEVICE, { device, condition }))) as typeof answer;
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

  /**
   * Card state through the page's test mode: the named card, else the card in the slot, else the
   * scenario's first card (as the embedded bench answers).
   */
  private async cardState(card?: string, fault?: { kind: string }): Promise<Record<string, unknown>> {
    const page = this.need('card state');
    if (!this.pageTestMode)
      throw new WebDriverUnsupportedError(
        this.options.url,
        'card state',
        'the page has no test mode (window.payhilTest) to report card state (9F36, PIN tries…)',
      );
    const alias = card ?? this.insertedCard ?? this.aliases.keys().next().value;
    const name = alias === undefined ? null : (this.aliases.get(alias) ?? alias);
    // A card not presented yet in this scenario is reported as its fixture makes it.
    const reset = name !== null && this.resetPending.delete(name);
    let answer: { result?: { state?: Record<string, unknown> }; error?: { code?: string; message?: string } };
    try {
      answer = (await page.evaluate(
        call(CARD_STATE, { name, reset, ...(fault ? { fault } : {}) }),
      )) as typeof answer;
    } catch (e) {
      throw new WebDriverError(
        this.options.url,
        'card state',
        String((e as Error).message).split('\n')[0] ?? '',
        {
          cause: e,
        },
      );
    }
    if (!answer?.result?.state)
      throw new WebActionRefusedError(
        this.options.url,
        'card state',
        `${answer?.error?.code ?? 'INTERNAL'}: ${answer?.error?.message ?? 'no card state in the answer'}`,
        answer?.error?.code,
      );
    return answer.result.state;
  }

  /** Adds `options.reset` to the first presentation of each card after `prepare` (emulator page only). */
  private async routeAction(route: Route): Promise<void> {
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(route.request().postData() ?? '') as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    if (body?.op === 'card' && typeof body.card === 'string' && this.resetPending.delete(body.card)) {
      await route.continue({ postData: JSON.stringify({ ...body, options: { reset: true } }) });
      return;
    }
    await route.continue();
  }

  // ---- page plumbing ---------------------------------------------------------------------------

  private need(operation: string): Page {
    return this.guard.need(operation);
  }

  private css(name: WebSelectorName, operation: string, member?: string): string {
    const c = cssFor(this.selectors, name, member);
    if (!c)
      throw new WebDriverUnsupportedError(this.options.url, operation, `the page has no '${name}' element`);
    return c;
  }

  /** Clicks; waits for the action request's answer (in order) and turns a refusal into an error. */
  private async click(selector: string, operation: string): Promise<void> {
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
  private async press(page: Page, selector: string, operation: string): Promise<void> {
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

  private async fill(name: WebSelectorName, value: string, operation: string): Promise<void> {
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

  private major(amount: number): string {
    const exp = this.options.currencyExponent;
    return exp === 0 ? String(amount) : (amount / 10 ** exp).toFixed(exp);
  }

  private pageSelectors(): PageSelectors {
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

  private async snapshot(): Promise<PageSnapshot> {
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

  private onChange(c: PageChange): void {
    const at = Date.now();
    switch (c.type) {
      case 'display':
        this.emit({
          kind: 'display',
          at,
          data: { lines: c.lines.map(maskPansInText), key: c.key, source: 'web' },
        });
        this.displayCount++;
        this.screenshot();
        return;
      case 'state':
        this.emit({ kind: 'state', at, data: { state: c.state, previous: c.previous } });
        return;
      case 'receipt':
        if (c.text)
          this.emit({ kind: 'receipt', at, data: { text: maskPansInText(c.text), copy: 'merchant' } });
        return;
      case 'result': {
        if (!c.outcome) return;
        const ref = /\bref (\S+)/.exec(c.title)?.[1];
        const auth = /\bauth (\S+)/.exec(c.title)?.[1];
        const pan = /\b(\d{6}\*+\d{4})\b/.exec(c.title)?.[1];
        if (ref) this.lastReference = ref;
        const result: Record<string, unknown> = {
          transaction: c.transaction,
          outcome: c.outcome,
          message: c.message,
        };
        if (c.responseCode) result.responseCode = c.responseCode;
        if (ref) result.reference = ref;
        if (auth) result.authCode = auth;
        if (pan) result.maskedPan = pan;
        const details = detailsOf(c.details);
        if (details) {
          result.details = details;
          if (typeof details.messageKey === 'string') result.messageKey = details.messageKey;
        }
        this.emit({ kind: 'result', at, data: { result } });
        return;
      }
    }
  }

  /** One screenshot at a time; changes that come while one is pending are covered by it. */
  private screenshot(): void {
    if (!this.options.screenshots || this.shotPending) return;
    const page = this.guard.current;
    const css = cssFor(this.selectors, 'terminal');
    if (!page) return;
    this.shotPending = true;
    const n = this.displayCount;
    this.shotChain = this.shotChain.then(async () => {
      this.shotPending = false;
      try {
        const png = await this.capture(page, css);
        this.emit({
          kind: 'screenshot',
          at: Date.now(),
          data: {
            text: `screenshot after display change ${n}`,
            source: 'web',
            attachment: new PngAttachment(`display-${n}.png`, png),
          },
        });
      } catch (e) {
        log('screenshot failed: %s', (e as Error).message);
      }
    });
  }

  /**
   * A PNG of the terminal element (else the page). Through the DevTools session when there is one: a
   * capture of the element's box, without Playwright's per-shot waits for fonts and stable layout
   * (about 50 ms instead of 150 ms, and the page goes on meanwhile).
   */
  private async capture(page: Page, css: string | undefined): Promise<Buffer> {
    const box = css && this.cdp ? await page.locator(css).first().boundingBox({ timeout: 1000 }) : null;
    if (this.cdp && box && box.width > 0 && box.height > 0) {
      const shot = (await this.cdp.send('Page.captureScreenshot', {
        format: 'png',
        clip: { x: box.x, y: box.y, width: box.width, height: box.height, scale: 1 },
      })) as { data: string };
      return Buffer.from(shot.data, 'base64');
    }
    return css
      ? await page.locator(css).screenshot({ timeout: 2000 })
      : await page.screenshot({ timeout: 2000 });
  }

  private note(text: string): void {
    this.emit({ kind: 'note', at: Date.now(), data: { text: `${this.name}: ${text}` } });
  }

  private emit(o: Observation): void {
    this.observers.emit(o);
  }
}

/** The page's result details (a JSON object of scalars), or undefined when absent or not such an object. */
function detailsOf(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      if (x === null || typeof x !== 'object') out[k] = typeof x === 'string' ? maskPansInText(x) : x;
    return out;
  } catch {
    return undefined;
  }
}
