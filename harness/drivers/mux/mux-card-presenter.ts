/**
 * The `multiplexer` card presenter: the scenario's cards are real cards sitting in the slots of a card
 * multiplexer in front of the terminal's one reader; the lab file maps card fixture names to slots
 * (`card.slots: {cup-debit: 3}`, or `{cup-debit: {slot: 3, label: 'CUP DEBIT 12'}}` when the mux reports
 * its cards by another label). `insert` selects the card's slot (contact), `tap` selects it contactless
 * (with the hold time the mux honours), `remove` deselects. Swipes go to the bench's other presenter
 * (a mux has no stripe head), as on the pcsc bench.
 *
 * Preflight: `activate()` asks the mux which card each mapped slot holds and refuses (broken, before the
 * first scenario) when a slot is empty or holds another card, saying which card to put where; with a
 * monitor reader it also reads each card's PAN through PC/SC on the mux's monitor port.
 * A physical card cannot report its run state: `expect card` and `cardCondition` are refused, and
 * {@link MuxCardPresenter.cannotServe} tells the bench to skip such scenarios with the reason.
 */
import type { CardMultiplexer, CardPresenter } from '../../capabilities/index.js';
import type { InlineCard, Scenario } from '../../scenario/index.js';
import { physicalCardsCannotServe } from '../physical-cards.js';
import { MuxError } from './errors.js';

/** A slot of the lab file: its number and, optionally, the label the mux reports for its card. */
export interface MuxSlot {
  slot: number;
  label?: string;
}

export interface MuxCardPresenterOptions {
  /** Card fixture name → slot (number, or slot and the mux's label for it). */
  slots: Record<string, number | MuxSlot>;
  /** The presenter swipes go to (the terminal driver's test-mode card requests), asked at each use. */
  swipeVia?: () => CardPresenter | undefined;
  /** Tap hold time when the step gives none (ms); undefined: the mux's own default. */
  defaultHoldMs?: number;
  /**
   * The monitor port's reader check (monitor-reader.ts), opened for the preflight: each slot's card is
   * also read through PC/SC and its PAN compared with the fixture's. Undefined: the mux's labels only.
   */
  monitor?: () => {
    open(): Promise<void>;
    close(): Promise<void>;
    check(slot: number, fixture: string): Promise<string | undefined>;
  };
}

/** A driver-like object with activate/deactivate (the mux driver). */
interface Activatable {
  readonly name: string;
  activate(): Promise<void>;
  deactivate(): Promise<void>;
}

export class MuxCardPresenter {
  readonly name: string;
  readonly cards: CardPresenter;
  private readonly slots: Map<string, MuxSlot>;
  private aliases: Record<string, string | InlineCard> = {};
  private selected: number | undefined;

  constructor(
    private readonly device: Activatable,
    private readonly mux: CardMultiplexer,
    private readonly options: MuxCardPresenterOptions,
  ) {
    this.name = `multiplexer card presenter (${device.name})`;
    this.slots = new Map(
      Object.entries(options.slots).map(([card, s]) => [card, typeof s === 'number' ? { slot: s } : s]),
    );
    this.cards = {
      prepare: async (map) => {
        this.aliases = { ...map };
        await this.options
          .swipeVia?.()
          ?.prepare(map)
          .catch(() => undefined);
      },
      insert: (card) => this.select(card, 'contact'),
      tap: (card, holdMs) => this.select(card, 'contactless', holdMs ?? this.options.defaultHoldMs),
      swipe: async (card, track) => {
        const other = this.options.swipeVia?.();
        if (!other)
          throw new MuxError(
            this.device.name,
            'swipe',
            `cannot swipe '${card}': a multiplexer has no stripe head and the bench has no other way to swipe`,
            {
              code: 'E_MUX_CARD',
            },
          );
        await other.swipe(card, track);
      },
      remove: () => this.deselect(),
      state: async () => {
        throw new MuxError(
          this.device.name,
          'expect card',
          'a real card in a multiplexer slot cannot report its run state',
          {
            code: 'E_MUX_CARD',
          },
        );
      },
    };
  }

  /** Opens the mux and runs the preflight: every mapped slot holds its card. */
  async activate(): Promise<void> {
    await this.device.activate();
    try {
      await this.preflight();
      await this.mux.deselect();
      this.selected = undefined;
    } catch (e) {
      await this.device.deactivate().catch(() => undefined);
      throw e;
    }
  }

  async deactivate(): Promise<void> {
    if (this.selected !== undefined) await this.mux.deselect().catch(() => undefined);
    this.selected = undefined;
    await this.device.deactivate();
  }

  async beginScenario(): Promise<void> {
    await this.deselect();
  }

  async endScenario(): Promise<void> {
    await this.deselect().catch(() => undefined);
  }

  /**
   * Asks the mux what each mapped slot holds; MuxError E_MUX_SLOT naming every slot that is empty or
   * holds another card, and what to put there.
   */
  async preflight(): Promise<void> {
    const wrong: string[] = [];
    for (const [card, s] of this.slots) {
      const want = s.label ?? card;
      const has = await this.mux.slotCard(s.slot);
      if (has === undefined) wrong.push(`slot ${s.slot} is empty: put card '${want}' in it`);
      else if (has !== want)
        wrong.push(
          `slot ${s.slot} holds '${has}', not '${want}': put '${want}' in slot ${s.slot} or fix card.slots in the lab file`,
        );
    }
    if (!wrong.length && this.options.monitor) {
      const m = this.options.monitor();
      await m.open();
      try {
        for (const [card, s] of this.slots) {
          const why = await m.check(s.slot, card);
          if (why) wrong.push(why);
        }
      } finally {
        await m.close();
      }
    }
    if (wrong.length)
      throw new MuxError(this.device.name, 'preflight', wrong.join('; '), { code: 'E_MUX_SLOT' });
  }

  /**
   * Why the bench cannot serve a scenario with this presenter: a card no slot holds (or an inline card),
   * `expect card` or `cardCondition` (a real card cannot report or change its state). Undefined when it can.
   */
  cannotServe(scenario: Scenario): string | undefined {
    return physicalCardsCannotServe(
      scenario,
      (f) => this.slots.has(f),
      'a multiplexer slot (card.slots of the lab file)',
    );
  }

  private slotOf(ref: string): number {
    const mapped = this.aliases[ref];
    const fixture = typeof mapped === 'string' ? mapped : mapped === undefined ? ref : undefined;
    const s = fixture !== undefined ? this.slots.get(fixture) : undefined;
    if (!s)
      throw new MuxError(
        this.device.name,
        'card',
        `card '${ref}'${fixture && fixture !== ref ? ` (${fixture})` : ''} is in no multiplexer slot: map it in card.slots of the lab file`,
        { code: 'E_MUX_CARD' },
      );
    return s.slot;
  }

  private async select(ref: string, via: 'contact' | 'contactless', holdMs?: number): Promise<void> {
    const slot = this.slotOf(ref);
    if (this.selected !== undefined) await this.deselect();
    await this.mux.select(slot, via, ...(holdMs !== undefined ? [holdMs] : []));
    this.selected = slot;
  }

  private async deselect(): Promise<void> {
    await this.mux.deselect();
    this.selected = undefined;
  }
}
