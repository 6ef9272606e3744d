/**
 * The observation of the page: the in-page observer's display, state, receipt and result changes as bench
 * observations, and a PNG screenshot of the terminal element after each display change.
 */
import { CJK_TEXT } from './cjk-font-check.js';
import type { CDPSession, Page } from 'playwright-core';
import { ObserverSet, type Observation, type ObservationListener } from '../../capabilities/index.js';
import { createLogger } from '../../common/logger.js';
import { maskPansInText } from '../../common/mask.js';
import { cssFor, type WebSelectorMap } from './web-selector-map.js';

const log = createLogger('payhil:drivers:web');

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
export type PageChange =
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

/** Turns the page's changes into observations for the driver's listeners. */
export class PageObserver {
  /** Chromium's DevTools session of the page: screenshots without Playwright's per-shot waits. */
  cdp: CDPSession | undefined;
  /** Reference of the last result the page showed (for a void or refund of 'last'). */
  lastReference: string | undefined;
  private readonly observers = new ObserverSet((e) => log('observer failed: %s', e.message));
  private displayCount = 0;
  /** Set when the machine has no Chinese font (cjk-font-check.ts); warned once per display run of Chinese text. */
  cjkWarning: string | undefined;
  private cjkWarned = false;
  private shotChain: Promise<void> = Promise.resolve();
  private shotPending = false;

  constructor(
    private readonly name: string,
    private readonly options: { screenshots: boolean },
    private readonly selectors: WebSelectorMap,
    /** The page while the driver is active. */
    private readonly guard: { readonly current: Page | undefined },
  ) {}

  observe(listener: ObservationListener): () => void {
    return this.observers.add(listener);
  }

  /** Warns again at the next Chinese display (a new scenario's timeline gets its own warning). */
  resetWarnings(): void {
    this.cjkWarned = false;
  }

  /** Resolves once the screenshot under way (if any) is done. */
  async settle(): Promise<void> {
    await this.shotChain.catch(() => undefined);
  }

  onChange(c: PageChange): void {
    const at = Date.now();
    switch (c.type) {
      case 'display':
        this.emit({
          kind: 'display',
          at,
          data: { lines: c.lines.map(maskPansInText), key: c.key, source: 'web' },
        });
        this.displayCount++;
        if (this.cjkWarning && CJK_TEXT.test(c.lines.join(' '))) {
          // Once until resetWarnings() (the driver calls it when a scenario begins).
          if (!this.cjkWarned)
            this.emit({ kind: 'note', at, data: { text: this.cjkWarning, level: 'warning', source: 'web' } });
          this.cjkWarned = true;
        }
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

  note(text: string): void {
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
