/**
 * A virtual card as a terminal (or the vpcd bridge) uses it: power it on through one interface, exchange
 * APDUs, power it off, or swipe its stripe. Promise-only so in-process and remote presenters share it.
 */
import { createLogger } from '../common/logger.js';
import { maskPan } from '../common/mask.js';
import { ApduEngine } from './apdu-engine.js';
import { atrOf } from './atr.js';
import type { CardFaultsSpec, CardFixture } from './card-fixture.js';
import { loadCardFixture } from './card-fixture-loader.js';
import { initialCardState, type CardRunState } from './card-state.js';
import { EmvChip } from './emv-application.js';
import { CardNoAnswerError, CardRemovedError, CardStateError } from './errors.js';
import { tracksOf, type MagstripeTracks } from './magstripe.js';

const log = createLogger('payhil:cards');

/** The chip interfaces a card can be powered on through. */
export type CardInterface = 'contact' | 'contactless';

/** One APDU exchange, for the timeline (hex in upper case; no PIN in clear: VERIFY data is redacted). */
export interface ApduExchange {
  card: string;
  via: CardInterface;
  command: string;
  response: string;
  /** Milliseconds the card took (in-process: computation time). */
  ms: number;
}

/** A fault a scenario step switches on (or off with {@link VirtualCard.clearFaults}). */
export type CardFault =
  | { kind: 'mute' }
  | { kind: 'garbled' }
  | { kind: 'leave-field'; holdMs: number }
  | { kind: 'app-blocked' }
  | { kind: 'card-blocked' }
  | { kind: 'expired' }
  | { kind: 'pin-blocked' }
  | { kind: 'wallet-closed' }
  | { kind: 'nfc-off' }
  /** The wallet app open and NFC on (back from `wallet-closed` / `nfc-off`), counters kept. */
  | { kind: 'wallet-open' };

export interface VirtualCard {
  /** Fixture name. */
  readonly name: string;
  /** PAN masked (first 6, last 4), for logs and reports. */
  readonly maskedPan: string;
  /** Interfaces the card has (contact, contactless, magstripe). */
  readonly interfaces: readonly ('contact' | 'contactless' | 'magstripe')[];
  /** The interface the card is powered on through, or undefined when unpowered. */
  readonly poweredVia: CardInterface | undefined;
  /**
   * Powers the chip on (insert = contact, tap = contactless) and returns its ATR. Rejects with
   * CardNoAnswerError for a mute chip, a closed wallet, NFC off or a missing interface.
   */
  powerOn(via?: CardInterface): Promise<Buffer>;
  /** Sends one command APDU and returns the response APDU (data ‖ SW1 SW2). */
  transmit(apdu: Uint8Array): Promise<Buffer>;
  /** Powers the chip off (remove, end of tap). */
  powerOff(): Promise<void>;
  /** Reads the magnetic stripe. Rejects with CardStateError when the card has no stripe. */
  swipe(): Promise<MagstripeTracks>;
  /** Switches a fault on for the rest of the run (or until clearFaults/reset). */
  injectFault(fault: CardFault): void;
  /** Back to the fixture's faults. */
  clearFaults(): void;
  /** Back to the fixture's state (ATC, PIN tries, EC balance, counters, faults, log). */
  reset(): void;
  /** A copy of the run state. */
  snapshot(): CardRunState;
  /** Observes every APDU exchange; returns a function that stops observing. */
  onExchange(listener: (e: ApduExchange) => void): () => void;
}

export interface VirtualCardOptions {
  /** Clock for `holdMs` (ms); default performance.now. */
  now?: () => number;
  /** The card's draws (GET CHALLENGE); default node:crypto. The embedded bench gives a seeded stream. */
  random?: () => number;
  /**
   * Today's date as the terminal believes it (the condition `expired` dates the card a month before it);
   * default the real date. The embedded bench gives its calendar.
   */
  today?: () => Date;
}

/** The virtual EMV/PBOC card built from a fixture. */
export class EmvVirtualCard implements VirtualCard {
  readonly name: string;
  readonly maskedPan: string;
  readonly interfaces: readonly ('contact' | 'contactless' | 'magstripe')[];
  private state: CardRunState;
  private readonly chip: EmvChip;
  private readonly engine: ApduEngine;
  private via: CardInterface | undefined;
  private poweredAt = 0;
  private readonly listeners = new Set<(e: ApduExchange) => void>();
  private readonly now: () => number;
  private readonly today: () => Date;

  constructor(
    readonly fixture: CardFixture,
    options: VirtualCardOptions = {},
  ) {
    this.name = fixture.name;
    this.maskedPan = maskPan(fixture.pan);
    this.interfaces = [...fixture.interfaces];
    this.state = initialCardState(fixture);
    this.chip = new EmvChip(
      fixture,
      this.state,
      { contactless: false, wallet: this.isWallet() },
      options.random,
    );
    this.engine = new ApduEngine(this.chip, {
      protocol: fixture.protocol ?? 'T1',
      garbled: () => this.state.faults.garbled === true,
    });
    this.now = options.now ?? (() => performance.now());
    this.today = options.today ?? (() => new Date());
  }

  get poweredVia(): CardInterface | undefined {
    return this.via;
  }

  private isWallet(): boolean {
    return this.fixture.wallet !== undefined;
  }

  async powerOn(via?: CardInterface): Promise<Buffer> {
    return this.powerOnSync(via);
  }

  /** Synchronous {@link powerOn} for the vpcd bridge; throws instead of rejecting. */
  powerOnSync(via?: CardInterface): Buffer {
    const iface = via ?? (this.interfaces.includes('contact') ? 'contact' : 'contactless');
    if (!this.interfaces.includes(iface)) throw new CardNoAnswerError(this.name, 'interface-absent');
    if (this.state.faults.mute) throw new CardNoAnswerError(this.name, 'mute-chip');
    if (iface === 'contactless' && this.isWallet()) {
      if (this.state.walletState === 'closed') throw new CardNoAnswerError(this.name, 'wallet-closed');
      if (this.state.walletState === 'nfc-off') throw new CardNoAnswerError(this.name, 'nfc-off');
    }
    this.via = iface;
    this.poweredAt = this.now();
    const contactless = iface === 'contactless';
    this.chip.powerOn({ contactless, wallet: this.isWallet() });
    // Contactless is T=1-like (ISO 14443-4 blocks): no 61xx.
    this.engine.reset({ protocol: contactless ? 'T1' : (this.fixture.protocol ?? 'T1') });
    log('power on', this.name, iface);
    return atrOf(this.fixture, contactless);
  }

  /** The ATR the card would answer on an interface, without powering it (for vpcd presence polls). */
  atr(via: CardInterface): Buffer {
    return atrOf(this.fixture, via === 'contactless');
  }

  /** True when `holdMs` has elapsed since power-on (the card has left). */
  hasLeft(): boolean {
    const hold = this.state.faults.holdMs;
    return this.via !== undefined && hold !== undefined && this.now() - this.poweredAt >= hold;
  }

  /** Synchronous transmit for the vpcd bridge and benchmarks; same rules as {@link transmit}. */
  transmitSync(apdu: Uint8Array): Buffer {
    const via = this.via;
    if (via === undefined) throw new CardStateError(this.name, 'APDU sent to a card that is not powered on');
    if (this.hasLeft()) {
      this.via = undefined;
      throw new CardRemovedError(
        this.name,
        `left the ${via === 'contact' ? 'reader' : 'field'} after ${this.state.faults.holdMs} ms`,
      );
    }
    const started = this.listeners.size ? performance.now() : 0;
    const response = this.engine.transmit(apdu);
    if (this.listeners.size) {
      const cmd = Buffer.from(apdu);
      // VERIFY carries the PIN block in clear: keep only the header in the timeline.
      const shown =
        cmd[1] === 0x20
          ? cmd.subarray(0, 5).toString('hex').toUpperCase() + '<PIN block redacted>'
          : cmd.toString('hex').toUpperCase();
      const e: ApduExchange = {
        card: this.name,
        via,
        command: shown,
        response: response.toString('hex').toUpperCase(),
        ms: performance.now() - started,
      };
      for (const l of this.listeners) l(e);
    }
    return response;
  }

  async transmit(apdu: Uint8Array): Promise<Buffer> {
    return this.transmitSync(apdu);
  }

  async powerOff(): Promise<void> {
    if (this.via) log('power off', this.name);
    this.via = undefined;
    this.engine.reset();
  }

  async swipe(): Promise<MagstripeTracks> {
    if (!this.interfaces.includes('magstripe'))
      throw new CardStateError(this.name, 'has no magnetic stripe', 'failed');
    return tracksOf({ ...this.fixture, expiry: this.state.expiry });
  }

  injectFault(fault: CardFault): void {
    const f: CardFaultsSpec = this.state.faults;
    switch (fault.kind) {
      case 'mute':
        f.mute = true;
        break;
      case 'garbled':
        f.garbled = true;
        break;
      case 'leave-field':
        f.holdMs = fault.holdMs;
        break;
      case 'app-blocked':
        f.appBlocked = true;
        break;
      case 'card-blocked':
        f.cardBlocked = true;
        break;
      case 'expired': {
        // Last month, so the card is expired whatever today is.
        const d = new Date(this.today().getTime());
        d.setUTCDate(1);
        d.setUTCMonth(d.getUTCMonth() - 1);
        this.state.expiry = `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
        break;
      }
      case 'pin-blocked':
        this.state.pinTriesLeft = 0;
        break;
      case 'wallet-closed':
        this.state.walletState = 'closed';
        break;
      case 'nfc-off':
        this.state.walletState = 'nfc-off';
        break;
      case 'wallet-open':
        this.state.walletState = 'open';
        break;
    }
    log('fault', this.name, fault.kind);
  }

  clearFaults(): void {
    this.state.faults = { ...(this.fixture.faults ?? {}) };
    this.state.walletState = this.fixture.wallet?.state ?? 'open';
  }

  reset(): void {
    const fresh = initialCardState(this.fixture);
    Object.assign(this.state, fresh);
    this.via = undefined;
    this.engine.reset();
  }

  snapshot(): CardRunState {
    return structuredClone(this.state);
  }

  onExchange(listener: (e: ApduExchange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A virtual card from a fixture name (`cup-debit`), a path, or an already loaded fixture. */
export function createVirtualCard(
  card: string | CardFixture,
  options: VirtualCardOptions & { cwd?: string } = {},
): EmvVirtualCard {
  const fixture =
    typeof card === 'string' ? loadCardFixture(card, { cwd: options.cwd }) : structuredClone(card);
  return new EmvVirtualCard(fixture, options);
}
