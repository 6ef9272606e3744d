/**
 * The terminal's card reader: the contact slot, the contactless field and the stripe head. It asks for a
 * card, waits for a presentation and reads it along one path, in one of two modes: `full` (the EMV
 * transaction up to the first cryptogram, PIN for a swipe) or `identify` (what identifies the card, no
 * cryptogram, no PIN: the card-present refund). It also watches a card left in after a transaction.
 */
import type { ClockTimer } from '../../common/clock.js';
import { CardNoAnswerError, CardRemovedError, serviceCodeSaysChip } from '../../cards/index.js';
import { maskPan } from '../../common/mask.js';
import { isPayhilError } from '../../common/payhil-error.js';
import type { CardRead } from '../../pos-protocol/index.js';
import { PresentationQueue, type Presentation, type PresentedCard } from './card-presentation.js';
import type { TerminalCore } from '../core/terminal-core.js';
import { Cancelled, type TxContext } from '../core/transaction-context.js';
import { TerminalStateError } from '../errors.js';
import { EmvKernel } from './emv-kernel.js';
import {
  KernelStop,
  type CardApplicationData,
  type KernelHost,
  type KernelOutcome,
  type KernelTransaction,
} from './kernel-contract.js';
import type { PinPad } from '../peripherals/keypad.js';
import type { TerminalOperation, TerminalResult } from '../terminal-result.js';
import { contactCost, timedSender, transmitToCard } from './card-transport.js';

/** Where cards go. */
export interface TerminalCardSlot {
  insert(card: PresentedCard): Promise<void>;
  /** Tap; `holdMs` = how long the card stays in the field (default: long enough). */
  tap(card: PresentedCard, holdMs?: number): Promise<void>;
  swipe(card: PresentedCard): Promise<void>;
  /** Takes the inserted card out (nothing happens to a retained card). */
  remove(): Promise<void>;
  /** True when a card sits in the contact slot. */
  readonly occupied: boolean;
  /** True when the ATM kept the last card. */
  readonly retained: boolean;
}

/** A card as read. */
export interface CardData {
  read: CardRead;
  pin?: string;
  /** Full mode, chip or contactless: the kernel that read it (second GENERATE AC after the host). */
  kernel?: EmvKernel;
  outcome?: KernelOutcome;
  maskedPan: string;
  /** Contactless: simulated time the card spent in the field (ms). */
  fieldMs?: number;
}

/** `full`: transaction read (cryptogram, CVM); `identify`: the simplified flow of a card-present refund. */
export type ReadMode = 'full' | 'identify';

/** What one presentation gave: the card, a result that ends the transaction, or 'again' (keep waiting). */
export type ReadOutcome = CardData | TerminalResult | 'again';

/** True when a read ended the transaction with a result. */
export function isResult(x: CardData | TerminalResult): x is TerminalResult {
  return 'transaction' in x;
}

/** Kernel stops that mean the tapped card left the field before the read ended. */
const LEFT_FIELD_KINDS: readonly KernelStop['kind'][] = ['cardLeft', 'tapAgain', 'readError'];

export class CardReader {
  readonly slot: TerminalCardSlot;
  private readonly presentations: PresentationQueue;
  private inserted: PresentedCard | undefined;
  private retainedCard: PresentedCard | undefined;
  /** The inserted card the contact kernel is working with (removing it aborts the transaction). */
  private chipCard: PresentedCard | undefined;
  /** Fires `timeouts.cardRemoval` after a transaction ended with the card still inserted. */
  private removalTimer: ClockTimer | undefined;
  /**
   * When the card prompt runs out (ms since the epoch): set by the first wait, kept across a tap the
   * reader never detected (a phone with NFC off), cleared by anything it did detect.
   */
  private promptDeadline: number | undefined;

  constructor(
    private readonly core: TerminalCore,
    private readonly keypad: PinPad,
  ) {
    const events = core.events;
    this.presentations = new PresentationQueue(core.clock);
    const occupied = (): boolean => this.inserted !== undefined;
    const retained = (): boolean => this.retainedCard !== undefined;
    this.slot = {
      insert: async (card: PresentedCard) => {
        if (this.retainedCard)
          throw new TerminalStateError('the card slot holds a retained card', core.state, 'E_TERMINAL_SLOT');
        this.inserted = card;
        events.emit({ type: 'card', action: 'insert', card: card.name, maskedPan: card.maskedPan });
        if (core.maintenance && !core.busy && core.profile.kind === 'atm') {
          // Out of service: the ATM takes no card, the slot gives it straight back.
          this.inserted = undefined;
          events.emit({ type: 'card', action: 'return', card: card.name, maskedPan: card.maskedPan });
          core.show('outOfService');
          return;
        }
        this.presentations.push({ kind: 'insert', card, at: this.core.clock.now() });
      },
      tap: async (card: PresentedCard, holdMs?: number) => {
        events.emit({ type: 'card', action: 'tap', card: card.name, maskedPan: card.maskedPan });
        this.presentations.push({
          kind: 'tap',
          card,
          at: this.core.clock.now(),
          ...(holdMs !== undefined ? { holdMs } : {}),
        });
      },
      swipe: async (card: PresentedCard) => {
        events.emit({ type: 'card', action: 'swipe', card: card.name, maskedPan: card.maskedPan });
        this.presentations.push({ kind: 'swipe', card, at: this.core.clock.now() });
      },
      remove: async () => {
        const c = this.inserted;
        if (!c) return;
        this.inserted = undefined;
        await c.powerOff();
        events.emit({ type: 'card', action: 'remove', card: c.name, maskedPan: c.maskedPan });
        this.presentations.dropInserted(c);
        this.clearRemovalTimer();
        if (core.busy && this.chipCard === c) core.abort?.abort(new Cancelled('cardRemoved'));
        if (core.state === 'removeCard') core.toIdle();
      },
      get occupied() {
        return occupied();
      },
      get retained() {
        return retained();
      },
    };
  }

  /** The card in the contact slot, if any. */
  get insertedCard(): PresentedCard | undefined {
    return this.inserted;
  }

  /** A transaction ended: the chip is no longer in use, presentations nobody took are dropped. */
  endTransaction(): void {
    this.chipCard = undefined;
    this.promptDeadline = undefined;
    this.presentations.clear();
  }

  /**
   * Shows the amount (`shown`; a balance inquiry has none and goes straight to the card prompt), runs the
   * card reader's self-check, then asks for a card (ATM, contact and contactless, or contact only). The
   * `readerFault` result when the self-check fails, else undefined.
   */
  askForCard(op: TerminalOperation, amount: number, shown: string | undefined): TerminalResult | undefined {
    const core = this.core;
    if (shown !== undefined) {
      core.setState('amount');
      core.show('amount', shown);
    }
    if (core.devices.reader === 'fault') return core.result(op, 'failed', 'readerFault', { amount });
    core.setState('waitingForCard');
    core.show(
      core.profile.kind === 'atm'
        ? 'insertCardAtm'
        : core.contactlessUsable()
          ? 'insertCard'
          : 'insertCardNoTap',
      shown,
    );
    return undefined;
  }

  /**
   * Waits for the next card presentation at a card prompt. Nothing presented within `timeouts.cardRead`
   * of the prompt, or nothing happening for `timeouts.idle` (the shorter one wins) → TIMEOUT: the
   * transaction is cancelled (`details.timeout` says which ran out).
   */
  nextPresentation(ctx: TxContext): Promise<Presentation> {
    const { cardRead, idle } = this.core.profile.timeouts;
    const which = idle < cardRead ? 'idle' : 'cardRead';
    this.promptDeadline ??= this.core.clock.now() + Math.min(cardRead, idle);
    return this.presentations.next(
      Math.max(0, this.promptDeadline - this.core.clock.now()),
      ctx.signal,
      () => new Cancelled('timeout', { timeout: which, waitedMs: Math.min(cardRead, idle) }),
    );
  }

  /** Reads a presented card in `mode`; 'again' = keep waiting for another presentation. */
  async read(ctx: TxContext, p: Presentation, ktx: KernelTransaction, mode: ReadMode): Promise<ReadOutcome> {
    const caps = this.core.profile.capabilities;
    const deadline = this.promptDeadline;
    this.promptDeadline = undefined;
    if (p.kind === 'insert') {
      if (!caps.chip) return 'again';
      const kernel = await this.contactKernel(ctx, p, ktx);
      if (!(kernel instanceof EmvKernel)) return kernel;
      try {
        return mode === 'full'
          ? this.chipData(kernel, await kernel.runContact(), 'chip')
          : identified(await kernel.readApplicationData(), 'chip');
      } catch (e) {
        return this.contactReadFailed(ctx, p, e);
      }
    }
    if (p.kind === 'tap') return this.readTap(ctx, p, ktx, mode, deadline);
    const read = await this.readSwipe(ctx, p);
    if (read === 'again' || !('pan' in read)) return read;
    if (mode === 'identify') return { read, maskedPan: maskPan(read.pan) };
    const pin = caps.pinpad ? await this.keypad.requestPin(ctx) : undefined;
    return { read, ...(pin !== undefined ? { pin } : {}), maskedPan: maskPan(read.pan) };
  }

  /** The contactless branch: powers the tapped card in the field and runs the kernel on it. */
  private async readTap(
    ctx: TxContext,
    p: Presentation,
    ktx: KernelTransaction,
    mode: ReadMode,
    deadline: number | undefined,
  ): Promise<ReadOutcome> {
    const core = this.core;
    const caps = core.profile.capabilities;
    if (!caps.contactless && mode === 'full') return 'again';
    if (!caps.contactless || !core.contactlessUsable()) {
      // The field is not open (outdated menu) or the antenna is broken: the card never hears a thing.
      core.note(
        mode === 'identify'
          ? 'tap ignored: the contactless field is not open'
          : `tap ignored: ${core.profile.menu.contactless ? 'contactless field out of order' : 'the menu does not open the contactless field'}`,
      );
      return 'again';
    }
    try {
      await p.card.powerOn('contactless');
    } catch (e) {
      if (!(e instanceof CardNoAnswerError)) throw e;
      if (e.reason === 'nfc-off') {
        // Nothing in the field answers the polling: the reader saw no card, the prompt runs on.
        core.note(`tap not detected (${e.message})`);
        this.promptDeadline = deadline;
        return 'again';
      }
      core.setState('readingCard');
      core.show('readingCard');
      if (mode === 'full') core.note(`no contactless answer (${e.message})`);
      core.show('pleaseTapAgain');
      return 'again';
    }
    core.setState('readingCard');
    core.show('readingCard');
    const timed = timedSender(
      core.profile,
      core.devices,
      p,
      (c) => transmitToCard(core.events, p.card, 'contactless', c),
      core.clock,
    );
    const kernel = new EmvKernel(this.kernelHost(ctx), timed.send, ktx, true, core.calendar);
    let got: CardData;
    try {
      got =
        mode === 'full'
          ? this.chipData(kernel, await kernel.runContactless(), 'contactless')
          : identified(await kernel.readApplicationData(), 'contactless');
    } catch (e) {
      return this.tapFailed(ctx, p, e, mode);
    }
    await p.card.powerOff();
    return mode === 'full' ? { ...got, fieldMs: timed.spentMs() } : got;
  }

  /** What a contactless kernel's failure means: tap again, use the contact interface, or a decline. */
  private async tapFailed(ctx: TxContext, p: Presentation, e: unknown, mode: ReadMode): Promise<ReadOutcome> {
    // A transaction read that the card sends to the contact interface asks for the chip, gone or not.
    const useContact = mode === 'full' && e instanceof KernelStop && e.kind === 'useContact';
    // Gone from the field (a PC/SC reader lost it): whatever the kernel concluded, tap again.
    const gone =
      e instanceof CardRemovedError || (e instanceof KernelStop && !useContact && this.cardGone(p));
    await p.card.powerOff();
    if (gone || (e instanceof KernelStop && LEFT_FIELD_KINDS.includes(e.kind))) return this.leftField(p);
    if (useContact) {
      this.core.show('useContact');
      return 'again';
    }
    if (e instanceof KernelStop) return this.core.result(ctx.op, 'declined', e.key, { amount: ctx.amount });
    throw e;
  }

  /**
   * Powers an inserted chip and builds its kernel; a chip that does not answer is a chip failure
   * (fallback or decline), one taken out before it was powered is a removal (throws Cancelled).
   */
  private async contactKernel(
    ctx: TxContext,
    p: Presentation,
    ktx: KernelTransaction,
  ): Promise<EmvKernel | TerminalResult | 'again'> {
    this.core.setState('applicationSelection');
    this.core.show('readingCard');
    try {
      await p.card.powerOn('contact');
    } catch (e) {
      if (!(e instanceof CardNoAnswerError)) throw e;
      // Taken out before the chip was powered: removed, not a chip that does not answer.
      if (this.inserted !== p.card) throw this.cardRemovedDuringRead(p, e);
      return this.chipFailed(ctx);
    }
    this.chipCard = p.card;
    return new EmvKernel(
      this.kernelHost(ctx),
      (c) =>
        transmitToCard(
          this.core.events,
          p.card,
          'contact',
          c,
          contactCost(this.core.profile, this.core.clock.simulated),
        ),
      ktx,
      false,
      this.core.calendar,
    );
  }

  /** What a contact kernel's failure means: removal (throws Cancelled), chip failure or a decline. */
  private contactReadFailed(ctx: TxContext, p: Presentation, e: unknown): TerminalResult | 'again' {
    // A card that left mid-read is removed, whatever the kernel made of the missing answers.
    if (e instanceof CardRemovedError || (e instanceof KernelStop && this.cardGone(p)))
      throw this.cardRemovedDuringRead(p, e);
    if (e instanceof KernelStop) {
      if (e.kind === 'readError') return this.chipFailed(ctx);
      return this.core.result(ctx.op, 'declined', e.key, { amount: ctx.amount });
    }
    throw e;
  }

  /** A tapped card that left the field before the read ended: PLEASE TAP AGAIN, keep waiting. */
  private leftField(p: Presentation): 'again' {
    this.core.events.emit({
      type: 'card',
      action: 'left-field',
      card: p.card.name,
      maskedPan: p.card.maskedPan,
    });
    this.core.show('pleaseTapAgain');
    return 'again';
  }

  /**
   * Reads a swiped stripe: PAN, expiry and track 2, entry `swipe` or `fallback` (after a failed chip).
   * A chip card swiped without a reason is sent to the chip reader; no stripe head declines.
   */
  private async readSwipe(ctx: TxContext, p: Presentation): Promise<CardRead | TerminalResult | 'again'> {
    const core = this.core;
    const caps = core.profile.capabilities;
    if (!caps.magstripe) {
      core.show('chipOnly');
      return core.result(ctx.op, 'declined', 'chipOnly', { amount: ctx.amount });
    }
    let tracks;
    try {
      tracks = await p.card.swipe();
    } catch (e) {
      if (!isPayhilError(e)) throw e;
      core.show('cardReadError');
      return 'again';
    }
    const m = /^(\d{12,19})[=D](\d{4})(\d{3})/.exec(tracks.track2);
    if (!m) {
      core.show('cardReadError');
      return 'again';
    }
    const [, pan, expiry, serviceCode] = m as unknown as [string, string, string, string];
    const fallback = ctx.fallbackAllowed;
    if (
      serviceCodeSaysChip(serviceCode) &&
      !fallback &&
      caps.chip &&
      !core.defects.has('ignores-service-code')
    ) {
      core.show('pleaseInsertChip');
      return 'again';
    }
    const entry = fallback && !core.defects.has('wrong-entry-mode-fallback') ? 'fallback' : 'swipe';
    return { pan, expiry, track2: tracks.track2, entry };
  }

  /**
   * True when the presented card is no longer there: taken out of the slot, or unpowered behind the
   * kernel's back (the PC/SC card source powers a card off when its reader reports it gone).
   */
  private cardGone(p: Presentation): boolean {
    if (p.kind === 'insert' && this.inserted !== p.card) return true;
    return 'poweredVia' in p.card && p.card.poweredVia === undefined;
  }

  /** An inserted card that left while the terminal read it: CARD REMOVED, the transaction is cancelled. */
  private cardRemovedDuringRead(p: Presentation, e: unknown): Cancelled {
    this.core.note(`card ${p.card.name} left the reader during the read (${(e as Error).message})`);
    return new Cancelled('cardRemoved', { cardLeft: 'reading' });
  }

  private chipFailed(ctx: TxContext): TerminalResult | 'again' {
    const core = this.core;
    const caps = core.profile.capabilities;
    core.chipReadFailed = true;
    if (caps.fallback && caps.magstripe) {
      ctx.fallbackAllowed = true;
      core.show('pleaseSwipe');
      return 'again';
    }
    return core.result(ctx.op, 'declined', core.profile.kind === 'atm' ? 'chipOnly' : 'cardReadError', {
      amount: ctx.amount,
    });
  }

  private chipData(kernel: EmvKernel, o: KernelOutcome, entry: 'chip' | 'contactless'): CardData {
    this.core.chipReadFailed = false;
    return {
      read: {
        pan: o.pan,
        ...(o.expiry ? { expiry: o.expiry } : {}),
        ...(o.psn ? { psn: o.psn } : {}),
        ...(o.track2 ? { track2: o.track2 } : {}),
        iccData: o.iccData,
        entry,
      },
      ...(o.onlinePin !== undefined ? { pin: o.onlinePin } : {}),
      kernel,
      outcome: o,
      maskedPan: maskPan(o.pan),
    };
  }

  private kernelHost(ctx: TxContext): KernelHost {
    return {
      profile: this.core.profile,
      defects: this.core.defects,
      random: this.core.random,
      requestPin: (_kind: 'online' | 'offline', triesLeft?: number) => this.keypad.requestPin(ctx, triesLeft),
      show: (key, extra) => this.core.show(key, extra),
    };
  }

  // ---- a card left in ----------------------------------------------------------------------------

  /**
   * PLEASE REMOVE CARD with the card still in: after `timeouts.cardRemoval` a POS beeps and reminds
   * (CARD NOT REMOVED, once; it keeps waiting for the card), an ATM retains the forgotten card.
   */
  armRemovalTimer(card: PresentedCard): void {
    const core = this.core;
    this.clearRemovalTimer();
    const timer = core.clock.setTimeout(
      () => {
        if (this.removalTimer !== timer) return;
        this.removalTimer = undefined;
        if (core.busy || core.state !== 'removeCard' || this.inserted !== card) return;
        core.events.emit({ type: 'card', action: 'not-removed', card: card.name, maskedPan: card.maskedPan });
        core.events.emit({ type: 'indicator', beep: 3 });
        if (core.profile.kind === 'atm') {
          core.note(`card not taken within ${core.profile.timeouts.cardRemoval} ms: retained`);
          this.retain();
          core.toIdle('cardNotTaken');
        } else core.show('cardNotRemoved');
      },
      core.profile.timeouts.cardRemoval,
      // A terminal left with a card in must not keep the process alive.
      { unref: true },
    );
    this.removalTimer = timer;
  }

  clearRemovalTimer(): void {
    this.removalTimer?.cancel();
    this.removalTimer = undefined;
  }

  /** The ATM keeps the inserted card. */
  retain(): void {
    const c = this.inserted;
    if (!c) return;
    this.inserted = undefined;
    this.retainedCard = c;
    void c.powerOff();
    this.core.events.emit({ type: 'card', action: 'retain', card: c.name, maskedPan: c.maskedPan });
  }

  /** Gives a retained card back (an engineer opened the ATM). */
  releaseRetainedCard(): PresentedCard | undefined {
    const c = this.retainedCard;
    this.retainedCard = undefined;
    return c;
  }
}

/** The card data of the simplified flow: what identifies the card, no cryptogram. */
function identified(d: CardApplicationData, entry: 'chip' | 'contactless'): CardData {
  return {
    read: {
      pan: d.pan,
      ...(d.expiry ? { expiry: d.expiry } : {}),
      ...(d.psn ? { psn: d.psn } : {}),
      ...(d.track2 ? { track2: d.track2 } : {}),
      entry,
    },
    maskedPan: maskPan(d.pan),
  };
}
