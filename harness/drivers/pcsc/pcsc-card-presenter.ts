/**
 * The `pcsc` card presenter of a lab bench: the scenario's virtual cards are put in front of a terminal
 * that reads its cards through PC/SC (pcscd), by presenting them on the vsmartcard virtual reader (vpcd).
 * The cards live in this process (`serveCardOnVpcd` is the card side of vpcd), so their run state is
 * known here and `expect card` works, while every APDU the terminal sends really goes through pcscd.
 *
 * - `insert` connects the card to vpcd with its contact ATR; it stays in the reader until `remove`, the
 *   next card, or the end of the scenario.
 * - `tap` connects it with its contactless ATR (3B 8n 80 01 …). With `holdMs` the card leaves the field
 *   `holdMs` after the terminal's first APDU (the time in the field, not the reader's polling delay);
 *   without, it stays until the terminal is done with it (powers it off after talking to it).
 * - `swipe`: a PC/SC reader has no stripe head; the swipe goes to the bench's other presenter (the
 *   terminal driver's test-mode swipe) when there is one, else it is refused (broken).
 * - Every presentation waits (bounded) until pcscd reports the card in the reader, and every removal until
 *   it reports the reader empty, so the next step starts from what the terminal sees.
 *
 * A bench driver: `activate()` takes vpcd's machine-wide lock (waiting, with a message, while another
 * process uses vpcd) and checks pcscd runs and the reader exists (broken errors naming pcscd/vpcd);
 * `deactivate()` takes any card out, closes the PC/SC context and gives the lock back.
 */
import {
  ActiveGuard,
  type CardPresenter,
  type Observation,
  type ObservationKind,
  type ObservationListener,
} from '../../capabilities/index.js';
import {
  createVirtualCard,
  serveCardOnVpcd,
  VPCD_DEFAULT_PORT,
  type ApduExchange,
  type CardInterface,
  type CardRunState,
  type EmvVirtualCard,
  type VpcdHandle,
  type VpcdOptions,
} from '../../cards/index.js';
import { inlineCardFixture } from '../../emulator/inline-card.js';
import { createLogger } from '../../common/logger.js';
import { maskIccHex } from '../../emv/index.js';
import type { InlineCard } from '../../scenario/index.js';
import { PcscPresenterError, PcscUnavailableError } from './errors.js';
import { PcscDriver, type ReaderStatus } from './pcsc-driver.js';
import { PCSCD_START_HINT } from './pcsclite-module.js';
import { acquireVpcdLock, type VpcdLock } from './vpcd-lock.js';

const log = createLogger('payhil:pcsc:presenter');

/** The parts of {@link PcscDriver} the presenter uses to watch the reader (tests pass a fake). */
export interface PcscReaderWatch {
  activate(): Promise<void>;
  deactivate(): Promise<void>;
  listReaders(settleMs?: number): Promise<string[]>;
  readerStatus(): ReaderStatus[];
  waitForCard(reader: string | undefined, timeoutMs: number): Promise<ReaderStatus | undefined>;
  waitForRemoval(reader: string, timeoutMs: number): Promise<boolean>;
}

export interface PcscCardPresenterOptions {
  /** The PC/SC reader the terminal reads (exact name, or a part of it). Default: vpcd's reader for `vpcdPort`. */
  reader?: string;
  /** Where vpcd listens (the card side connects there). Default 127.0.0.1. */
  vpcdHost?: string;
  /** vpcd's port: 35963 is reader `Virtual PCD 00 00`, 35964 `… 00 01`. Default 35963. */
  vpcdPort?: number;
  /** The run state of a card as `expect card` reads it (the bench passes the emulator's `cardStateReport`). */
  stateFields?: (s: CardRunState) => Record<string, unknown>;
  /**
   * The presenter swipes go to (e.g. the ECR driver's test-mode card requests), asked at each use;
   * undefined: swipes are refused. It also gets the scenario's card map in `prepare`.
   */
  swipeVia?: () => CardPresenter | undefined;
  /**
   * Resolves when a person may take the inserted card out (the terminal no longer talks to the host
   * about it; the bench watches the terminal's state). Called by `remove` only.
   */
  untilRemovable?: () => Promise<void>;
  /** How long pcscd has to report a card put in or taken out (ms). Default 5 000. */
  seenTimeoutMs?: number;
  /** Longest time a tapped card without `holdMs` stays in the field (ms). Default 60 000. */
  maxFieldMs?: number;
  /** Replaces the PC/SC watcher (tests). Default: a {@link PcscDriver} on the pcsclite module. */
  watch?: () => PcscReaderWatch;
  /** Replaces `serveCardOnVpcd` (tests). */
  serve?: (card: EmvVirtualCard, options: VpcdOptions) => Promise<VpcdHandle>;
  /**
   * Take vpcd's machine-wide lock (vpcd-lock.ts) from `activate` to `deactivate`, waiting while another
   * process uses vpcd. Default: when the real vpcd and pcscd are used (no `serve` or `watch` replacement).
   */
  lock?: boolean;
  /** Told while waiting for vpcd's lock. Default: a `payhil:` line on stderr. */
  onLockWait?: (message: string) => void;
  /** Longest wait for vpcd's lock (ms); default that of {@link acquireVpcdLock}. */
  lockTimeoutMs?: number;
}

/** vpcd's reader name for a port of the default configuration (`Virtual PCD 00 00` on 35963, `… 00 01` on 35964). */
export function vpcdReaderName(port: number = VPCD_DEFAULT_PORT): string | undefined {
  const slot = port - VPCD_DEFAULT_PORT;
  return slot === 0 || slot === 1 ? `Virtual PCD 00 0${slot}` : undefined;
}

/** A card in the reader now. */
interface Presentation {
  readonly alias: string;
  readonly card: EmvVirtualCard;
  readonly via: CardInterface;
  readonly handle: VpcdHandle;
  apdus: number;
  holdMs?: number;
  timer?: NodeJS.Timeout;
  off?: () => void;
  closing: boolean;
}

const POLL_MS = 20;

/** The `pcsc` card presenter (a bench driver with the `cards` capability). */
export class PcscCardPresenter {
  readonly name = 'pcsc card presenter';
  readonly cards: CardPresenter;
  private readonly host: string;
  private readonly port: number;
  private readonly wanted: string;
  private readonly seenMs: number;
  /** The PC/SC watch while the presenter is active. */
  private readonly guard: ActiveGuard<PcscReaderWatch> = new ActiveGuard(
    (operation) =>
      new PcscPresenterError('inactive', this.wanted, `${operation} while the presenter is not active`),
  );
  private readerName: string | undefined;
  private readonly byAlias = new Map<string, EmvVirtualCard>();
  private current: Presentation | undefined;
  private last: EmvVirtualCard | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private swipeUnready: unknown;
  private readonly listeners = new Set<ObservationListener>();
  private lock: VpcdLock | undefined;

  constructor(private readonly options: PcscCardPresenterOptions = {}) {
    this.host = options.vpcdHost ?? '127.0.0.1';
    this.port = options.vpcdPort ?? VPCD_DEFAULT_PORT;
    const reader = options.reader ?? vpcdReaderName(this.port);
    if (!reader)
      throw new PcscPresenterError(
        'reader-missing',
        undefined,
        `vpcd port ${this.port} is not one of the default configuration (35963, 35964): name the reader`,
      );
    this.wanted = reader;
    this.seenMs = options.seenTimeoutMs ?? 5000;
    this.cards = {
      prepare: (map) => this.serial(() => this.prepare(map)),
      insert: (card) => this.serial(() => this.present(card, 'contact')),
      tap: (card, holdMs) => this.serial(() => this.present(card, 'contactless', holdMs)),
      swipe: (card, track) => this.swipe(card, track),
      remove: () => this.serial(() => this.remove()),
      state: async (card) => this.state(card),
    };
  }

  /** The PC/SC reader the cards are presented on (known after activation). */
  get reader(): string | undefined {
    return this.readerName;
  }

  /** vpcd's address, as `host:port`. */
  get vpcdAddress(): string {
    return `${this.host}:${this.port}`;
  }

  /** Observes card moves, APDUs (masked) and notes; returns the unsubscribe. */
  observe(listener: ObservationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Takes vpcd's lock (waits while another process uses vpcd), opens a PC/SC context and checks the
   * reader. @throws PcscPresenterError (broken) naming pcscd/vpcd; VpcdBusyError (broken) after the wait.
   */
  async activate(): Promise<void> {
    if (this.guard.active) return;
    if (this.options.lock ?? (this.options.serve === undefined && this.options.watch === undefined))
      this.lock ??= await acquireVpcdLock({
        host: this.host,
        port: this.port,
        holder: `payhil pcsc card presenter (pid ${process.pid})`,
        onWait: this.options.onLockWait ?? ((m) => process.stderr.write(`payhil: ${m}\n`)),
        ...(this.options.lockTimeoutMs !== undefined ? { timeoutMs: this.options.lockTimeoutMs } : {}),
      });
    try {
      await this.openReader();
    } catch (e) {
      this.releaseLock();
      throw e;
    }
  }

  private releaseLock(): void {
    this.lock?.release();
    this.lock = undefined;
  }

  private async openReader(): Promise<void> {
    const w = this.options.watch?.() ?? new PcscDriver();
    try {
      await w.activate();
    } catch (e) {
      if (e instanceof PcscUnavailableError)
        throw new PcscPresenterError(
          'pcsc-unavailable',
          this.wanted,
          e.reason === 'pcscd-not-running'
            ? `pcscd is not running, so the terminal cannot read cards from vpcd: ${PCSCD_START_HINT} (with the vsmartcard-vpcd driver installed)`
            : e.message,
          { cause: e },
        );
      throw e;
    }
    try {
      const readers = await w.listReaders(2000);
      const name = readers.find((r) => r === this.wanted) ?? readers.find((r) => r.includes(this.wanted));
      if (!name)
        throw new PcscPresenterError(
          'reader-missing',
          this.wanted,
          `pcscd runs but has no reader '${this.wanted}' (readers: ${readers.join(', ') || 'none'}): ${
            readers.some((r) => r.startsWith('Virtual PCD'))
              ? "name one of vpcd's readers (card.reader, card.vpcdPort)"
              : 'install the vsmartcard vpcd driver (apt-get install vsmartcard-vpcd, /etc/reader.conf.d/vpcd) and restart pcscd'
          }`,
        );
      // The previous holder of vpcd's lock may have taken its card out a moment ago: pcscd reports the
      // removal at its next poll.
      if (
        w.readerStatus().find((s) => s.name === name)?.present &&
        !(await w.waitForRemoval(name, this.seenMs))
      )
        throw new PcscPresenterError(
          'reader-busy',
          name,
          `reader '${name}' already holds a card: another program presents a card on vpcd ${this.vpcdAddress} (payhil card serve?); stop it first`,
        );
      this.readerName = name;
      this.guard.activate(w);
      log(`active: reader '${name}', vpcd ${this.vpcdAddress}`);
    } catch (e) {
      await w.deactivate().catch(() => undefined);
      throw e;
    }
  }

  /** Takes any card out and closes the PC/SC context. */
  async deactivate(): Promise<void> {
    await this.serial(() => this.takeOut('bench stopped')).catch(() => undefined);
    const w = this.guard.deactivate();
    await w?.deactivate().catch(() => undefined);
    this.releaseLock();
  }

  /** Before a scenario: the reader is empty. */
  async beginScenario(): Promise<void> {
    await this.serial(() => this.takeOut('scenario start'));
  }

  /** After a scenario (even a failed one): the card is taken out of the reader. */
  async endScenario(): Promise<void> {
    await this.serial(() => this.takeOut('scenario end')).catch((e: unknown) =>
      log('end of scenario:', (e as Error).message),
    );
  }

  // ---- capability ------------------------------------------------------------------------------

  private async prepare(map: Record<string, string | InlineCard>): Promise<void> {
    await this.takeOut('new cards');
    this.byAlias.clear();
    this.last = undefined;
    for (const [alias, ref] of Object.entries(map)) {
      try {
        this.byAlias.set(alias, createVirtualCard(typeof ref === 'string' ? ref : inlineCardFixture(ref)));
      } catch (e) {
        throw new PcscPresenterError(
          'unknown-card',
          this.readerName,
          `card '${alias}': ${(e as Error).message}`,
          {
            cause: e,
          },
        );
      }
    }
    // The swipe presenter learns the same cards; a card it cannot offer only matters if it is swiped.
    this.swipeUnready = undefined;
    try {
      await this.options.swipeVia?.()?.prepare(map);
    } catch (e) {
      log('swipe presenter refused the cards:', (e as Error).message);
      this.swipeUnready = e;
    }
  }

  private async present(ref: string, via: CardInterface, holdMs?: number): Promise<void> {
    const reader = this.need(via === 'contact' ? 'insert' : 'tap');
    const card = this.cardOf(ref);
    await this.takeOut('next card');
    // A card that left by itself (vpcd dropped it) may still be in pcscd's view for a moment.
    if (!(await this.guard.current?.waitForRemoval(reader, this.seenMs)))
      throw new PcscPresenterError('reader-busy', reader, `reader '${reader}' still holds a card`);
    const serve = this.options.serve ?? serveCardOnVpcd;
    let handle: VpcdHandle;
    try {
      handle = await serve(card, { host: this.host, port: this.port, via });
    } catch (e) {
      throw new PcscPresenterError(
        'vpcd-unreachable',
        reader,
        `cannot put card '${ref}' into vpcd at ${this.vpcdAddress}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const p: Presentation = {
      alias: ref,
      card,
      via,
      handle,
      apdus: 0,
      closing: false,
      ...(holdMs !== undefined ? { holdMs } : {}),
    };
    p.off = card.onExchange((x) => this.onApdu(p, x));
    this.current = p;
    this.last = card;
    void handle.removed.then(() => {
      if (!p.closing && this.current === p) {
        this.current = undefined;
        this.clearTimers(p);
        p.off?.();
        this.emit('note', { text: `vpcd dropped card '${ref}' (pcscd or vpcd went away?)` });
      }
    });
    this.emit('card', {
      action: via === 'contact' ? 'insert' : 'tap',
      card: ref,
      maskedPan: card.maskedPan,
      reader,
      ...(holdMs !== undefined ? { holdMs } : {}),
    });
    const seen = await this.guard.current?.waitForCard(reader, this.seenMs);
    if (!seen?.present) {
      await this.takeOut('not seen').catch(() => undefined);
      throw new PcscPresenterError(
        'not-seen',
        reader,
        `vpcd at ${this.vpcdAddress} took card '${ref}' but pcscd did not report it in reader '${reader}' within ${this.seenMs} ms (is vpcd's port the one of this reader?)`,
      );
    }
    if (via === 'contactless') this.watchField(p);
  }

  /**
   * A tapped card leaves the field `holdMs` after the terminal's first APDU, or (no hold) once the
   * terminal powered it off after talking to it, at the latest after `maxFieldMs`.
   */
  private watchField(p: Presentation): void {
    if (p.holdMs !== undefined) return; // the first APDU starts the hold timer (onApdu)
    const until = Date.now() + (this.options.maxFieldMs ?? 60000);
    const check = (): void => {
      if (this.current !== p || p.closing) return;
      if ((p.apdus > 0 && p.card.poweredVia === undefined) || Date.now() > until) this.leave(p);
      else p.timer = setTimeout(check, POLL_MS);
    };
    p.timer = setTimeout(check, POLL_MS);
  }

  private leave(p: Presentation): void {
    void this.serial(() => this.takeOut('left the field', p)).catch((e: unknown) =>
      log('tap removal:', (e as Error).message),
    );
  }

  private onApdu(p: Presentation, x: ApduExchange): void {
    p.apdus++;
    if (p.apdus === 1 && p.holdMs !== undefined && p.via === 'contactless') {
      const hold = p.holdMs;
      p.timer = setTimeout(() => this.leave(p), hold);
    }
    // PAN and track data (5A, 57, 9F1F, 9F6B) masked in the response, as the emulator does; VERIFY's PIN
    // block is already redacted by the card.
    const body = x.response.slice(0, -4);
    this.emit('apdu', {
      via: x.via,
      command: x.command,
      response: (body ? maskIccHex(body) : '') + x.response.slice(-4),
      ms: Math.round(x.ms * 1000) / 1000,
      card: p.alias,
      reader: this.readerName,
    });
  }

  /** Takes the card in the reader out (only `only`, when given) and waits until pcscd sees it gone. */
  private async takeOut(why: string, only?: Presentation): Promise<void> {
    const p = this.current;
    if (!p || (only && p !== only)) return;
    this.current = undefined;
    p.closing = true;
    this.clearTimers(p);
    await p.handle.close();
    p.off?.();
    const reader = this.readerName as string;
    this.emit('card', { action: 'remove', card: p.alias, maskedPan: p.card.maskedPan, reader });
    this.emit('note', {
      text: `card '${p.alias}' ${p.via === 'contact' ? 'taken out of' : 'moved away from'} PC/SC reader '${reader}' (${why}) after ${p.apdus} APDUs through pcscd and vpcd ${this.vpcdAddress}`,
    });
    const gone = (await this.guard.current?.waitForRemoval(reader, this.seenMs)) ?? true;
    if (!gone)
      throw new PcscPresenterError(
        'not-seen',
        reader,
        `pcscd still reports a card in reader '${reader}' ${this.seenMs} ms after card '${p.alias}' left vpcd`,
      );
  }

  private async remove(): Promise<void> {
    this.need('remove');
    // A person takes the card out when the terminal says so, not while it completes with the host.
    if (this.current?.via === 'contact') await this.options.untilRemovable?.();
    await this.takeOut('removed');
  }

  private async swipe(ref: string, track?: 'track1' | 'track2' | 'both'): Promise<void> {
    this.need('swipe');
    const other = this.options.swipeVia?.();
    if (!other)
      throw new PcscPresenterError(
        'no-swipe',
        this.readerName,
        `cannot swipe '${ref}': a PC/SC reader has no magnetic stripe head and this bench has no other way to swipe (use a terminal driver with test-mode card requests, or drop 'magstripe' from the bench's capabilities)`,
      );
    if (this.swipeUnready !== undefined) throw this.swipeUnready;
    await other.swipe(ref, track);
  }

  private state(ref?: string): Record<string, unknown> {
    const c =
      ref !== undefined
        ? this.cardOf(ref)
        : (this.current?.card ?? this.last ?? [...this.byAlias.values()][0]);
    if (!c) return {};
    const s = c.snapshot();
    return this.options.stateFields ? this.options.stateFields(s) : { ...s };
  }

  // ---- plumbing --------------------------------------------------------------------------------

  private cardOf(ref: string): EmvVirtualCard {
    const known = this.byAlias.get(ref);
    if (known) return known;
    try {
      const made = createVirtualCard(ref);
      this.byAlias.set(ref, made);
      return made;
    } catch (e) {
      throw new PcscPresenterError(
        'unknown-card',
        this.readerName,
        `unknown card '${ref}' (no alias and no fixture of that name)`,
        { cause: e },
      );
    }
  }

  private need(operation: string): string {
    this.guard.need(operation);
    // Set with the watch at activation.
    return this.readerName as string;
  }

  private clearTimers(p: Presentation): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = undefined;
  }

  /** Card moves happen one at a time (a step and a tapped card leaving the field never interleave). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private emit(kind: ObservationKind, data: Record<string, unknown>): void {
    const o: Observation = { kind, at: Date.now(), data };
    for (const l of this.listeners) l(o);
  }
}
