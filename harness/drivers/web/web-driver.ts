/**
 * The `web` driver: a terminal driven through its web UI in Debian's Chromium (playwright-core).
 * Capabilities: `terminal`, `keypad`, `display`, `cards` (by the page's card picker). A MutationObserver
 * in the page reports display, state, receipt and result changes as bench observations; every display
 * change also gets a PNG screenshot of the terminal element (a `screenshot` observation with an `attachment`).
 */
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import type {
  CardPresenter,
  Display,
  Keypad,
  Observation,
  ObservationListener,
  TerminalControl,
  TerminalOperationArgs,
  TerminalOperationName,
} from '../../bench/capabilities.js';
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
    };

export class WebDriver {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;
  readonly selectors: WebSelectorMap;

  private browser: Browser | undefined;
  private page: Page | undefined;
  private readonly listeners = new Set<ObservationListener>();
  private readonly options: Required<Omit<WebDriverOptions, 'selectors' | 'actionEndpoint'>> & {
    actionEndpoint: string | null;
  };
  private lastReference: string | undefined;
  private displayCount = 0;
  private shotChain: Promise<void> = Promise.resolve();
  private shotPending = false;
  private readonly aliases = new Map<string, string>();
  private readonly resetPending = new Set<string>();
  private offered: string[] | undefined;

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
      remove: () => this.click(this.css('cardRemove', 'card remove'), 'card remove'),
      state: async () => {
        throw new WebDriverUnsupportedError(
          this.options.url,
          'card state',
          'the web UI does not show card state (9F36, PIN tries…)',
        );
      },
    };
  }

  get active(): boolean {
    return this.page !== undefined;
  }

  observe(listener: ObservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Launches Chromium, opens the page, starts observing. WebBrowserLaunchError / WebDriverError (broken). */
  async activate(): Promise<void> {
    if (this.page) return;
    let browser: Browser;
    try {
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
      this.browser = browser;
      this.page = page;
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
    this.page = undefined;
    this.browser = undefined;
    await this.shotChain.catch(() => undefined);
    if (b) await b.close().catch(() => undefined);
  }

  /** Before a scenario: let a previous transaction end (bounded); power-cycle when asked to. */
  async beginScenario(): Promise<void> {
    await this.waitIdle(10_000);
    if (this.options.powerCycleEachScenario) await this.terminal.powerCycle();
  }

  async endScenario(): Promise<void> {
    if (!this.page) return;
    const busy = (await this.status().catch(() => ({ busy: false }))).busy;
    if (busy) await this.keypad.cancel().catch(() => undefined);
    await this.waitIdle(2000);
    await this.cards.remove().catch(() => undefined);
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
    try {
      await page.getByRole('button', { name: item, exact: false }).first().click();
    } catch (e) {
      throw new WebDriverError(this.options.url, `select ${item}`, `no button '${item}' on the page`, {
        cause: e,
      });
    }
  }

  private async status(): Promise<Record<string, unknown>> {
    const s = await this.snapshot();
    return {
      state: s.state,
      signedIn: s.signedIn === 'yes',
      busy: s.busy === 'yes',
      profile: s.profile,
      cardInserted: s.occupied === 'yes',
      retained: s.retained === 'yes',
      display: s.lines.join('\n'),
    };
  }

  private async waitIdle(timeoutMs: number): Promise<void> {
    const page = this.page;
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
    const picker = this.css('cardPicker', 'cards prepare');
    this.offered ??= (await page.evaluate(call(OPTION_VALUES, picker))) as string[];
    for (const [alias, card] of Object.entries(map)) {
      if (typeof card !== 'string')
        throw new WebDriverUnsupportedError(
          this.options.url,
          'cards prepare',
          `card '${alias}' is an inline card; the web UI offers only its card list (${this.offered.join(', ')})`,
        );
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
    if (!this.page) throw new WebDriverInactiveError(this.options.url, operation);
    return this.page;
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
      if (
        await page
          .locator(selector)
          .first()
          .isDisabled()
          .catch(() => false)
      )
        throw new WebActionRefusedError(this.options.url, operation, `${selector} is disabled on the page`);
      if (!endpoint) {
        await page.click(selector);
        return;
      }
      const [response] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(endpoint),
          {
            timeout: this.options.actionTimeoutMs,
          },
        ),
        page.click(selector),
      ]);
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
        this.emit({ kind: 'result', at, data: { result } });
        return;
      }
    }
  }

  /** One screenshot at a time; changes that come while one is pending are covered by it. */
  private screenshot(): void {
    if (!this.options.screenshots || this.shotPending) return;
    const page = this.page;
    const css = cssFor(this.selectors, 'terminal');
    if (!page) return;
    this.shotPending = true;
    const n = this.displayCount;
    this.shotChain = this.shotChain.then(async () => {
      this.shotPending = false;
      try {
        const png = css
          ? await page.locator(css).screenshot({ timeout: 2000 })
          : await page.screenshot({ timeout: 2000 });
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

  private note(text: string): void {
    this.emit({ kind: 'note', at: Date.now(), data: { text: `${this.name}: ${text}` } });
  }

  private emit(o: Observation): void {
    for (const l of this.listeners) {
      try {
        l(o);
      } catch (e) {
        log('observer failed: %s', (e as Error).message);
      }
    }
  }
}
