/**
 * Cards on the web driver's page: the page's card picker for fixtures, the page's test mode
 * (`window.payhilTest`) for inline cards and card state, and a fresh card state at the first presentation
 * of each card per scenario (the emulator's action request).
 */
import type { Route } from 'playwright-core';
import type { InlineCard } from '../../scenario/index.js';
import type { PageActions } from './page-actions.js';
import { WebActionRefusedError, WebDriverError, WebDriverUnsupportedError } from './errors.js';
import { ADD_INLINE_CARD, CARD_STATE, OPTION_VALUES, call } from './page-scripts.js';
import type { ResolvedWebDriverOptions } from './web-driver-options.js';

/** The card side of the web driver (its CardPresenter's operations). */
export class WebCardPresenter {
  /** Scenario card alias → the card picker's value (a fixture name, or an inline card's name). */
  private readonly aliases = new Map<string, string>();
  private readonly resetPending = new Set<string>();
  private offered: string[] | undefined;
  /** Alias of the card in the slot. */
  insertedCard: string | undefined;

  constructor(
    private readonly options: ResolvedWebDriverOptions,
    private readonly actions: PageActions,
  ) {}

  async prepare(map: Record<string, string | InlineCard>): Promise<void> {
    const page = this.actions.need('cards prepare');
    this.aliases.clear();
    this.resetPending.clear();
    this.insertedCard = undefined;
    const picker = this.actions.css('cardPicker', 'cards prepare');
    this.offered ??= (await page.evaluate(call(OPTION_VALUES, picker))) as string[];
    for (const [alias, card] of Object.entries(map)) {
      if (typeof card !== 'string') {
        if (!this.actions.testMode)
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

  async present(action: 'insert' | 'tap' | 'swipe', card: string, holdMs?: number): Promise<void> {
    const page = this.actions.need(`card ${action}`);
    const fixture = this.aliases.get(card) ?? card;
    const what = `card ${action} ${card}`;
    try {
      await page.selectOption(this.actions.css('cardPicker', what), fixture);
    } catch (e) {
      throw new WebDriverError(
        this.options.url,
        what,
        `card '${fixture}' cannot be chosen in the card picker`,
        { cause: e },
      );
    }
    if (action === 'tap') await this.actions.fill('holdMs', holdMs !== undefined ? String(holdMs) : '', what);
    const name = action === 'insert' ? 'cardInsert' : action === 'tap' ? 'cardTap' : 'cardSwipe';
    await this.actions.click(this.actions.css(name, what), what);
    if (action === 'insert') this.insertedCard = card;
  }

  /** Takes the card out of the slot. */
  async remove(): Promise<void> {
    await this.actions.click(this.actions.css('cardRemove', 'card remove'), 'card remove');
    this.insertedCard = undefined;
  }

  /**
   * Card state through the page's test mode: the named card, else the card in the slot, else the
   * scenario's first card (as the embedded bench answers).
   */
  async cardState(card?: string, fault?: { kind: string }): Promise<Record<string, unknown>> {
    const page = this.actions.need('card state');
    if (!this.actions.testMode)
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
  async routeAction(route: Route): Promise<void> {
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
}
