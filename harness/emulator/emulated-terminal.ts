/**
 * The reference emulated POS/ATM terminal: a state machine driven through a Promise-only in-process API
 * (`TerminalControl`-like transaction methods, a keypad, a display, a card slot), talking ISO 8583 to the
 * host over TCP and EMV to virtual cards, emitting every observation on its event sink.
 *
 * This class is the facade over the terminal's rooms: the core (state machine with its transition table,
 * session, transaction wrapper) in ./core, the card reader in ./card-reader, the host session with the
 * reversal queue in ./host-session, one file per flow in ./flows, keypad, display and printer in
 * ./peripherals.
 */
import { CardReader, type TerminalCardSlot } from './card-reader/card-reader.js';
import type { PresentedCard } from './card-reader/card-presentation.js';
import { TerminalCore } from './core/terminal-core.js';
import type { TerminalRooms } from './core/terminal-rooms.js';
import { Cancelled } from './core/transaction-context.js';
import type { DefectName } from './defects.js';
import { TerminalStateError } from './errors.js';
import { referenced, type OriginalTransaction } from './flows/referenced-flow.js';
import { sale } from './flows/sale-flow.js';
import { settle } from './flows/settlement-flow.js';
import { signIn, signInByItself, stopSignInRetry } from './flows/sign-in-flow.js';
import { HostSession } from './host-session/host-session.js';
import type { HostAddress } from './host-session/host-link.js';
import type { Dialect } from '../iso8583/index.js';
import type { Calendar } from '../common/calendar.js';
import type { TerminalDisplay } from './peripherals/display.js';
import { PinPad, type TerminalKeypad } from './peripherals/keypad.js';
import { ReceiptPrinter } from './peripherals/printer.js';
import type { TerminalBatch } from './core/terminal-batch.js';
import type { DeviceCondition, DeviceConditions, TerminalDevice } from './terminal-devices.js';
import { TerminalEvents, type TerminalMode, type TerminalState } from './terminal-events.js';
import {
  loadTerminalProfile,
  resolveTerminalProfile,
  type TerminalProfile,
  type TerminalProfileSpec,
} from './terminal-profile.js';
import type { TerminalResult } from './terminal-result.js';

export interface CreateTerminalOptions {
  /** Bundled profile name, profile file path, or a loaded profile. */
  profile: string | TerminalProfile | TerminalProfileSpec;
  /** The acquirer host (or the proxy in front of it). */
  host: HostAddress;
  /** Defect switches on top of the profile's. */
  defects?: readonly string[];
  /** Event sink to use (default: a new one). */
  events?: TerminalEvents;
  /** Sign in before resolving (default false). */
  signIn?: boolean;
  /**
   * The terminal's calendar (its date and time of day: 9A/9F21, receipts, the day of its sign-in);
   * default the real clock in the process zone. A bench shares one with the host so a `clock` step
   * moves both.
   */
  calendar?: Calendar;
  /**
   * The terminal's draws (STAN start, unpredictable number): the embedded bench's seeded stream. Default
   * node:crypto, with the STAN starting at 1.
   */
  random?: () => number;
}

export interface TerminalStatus {
  state: TerminalState;
  signedIn: boolean;
  busy: boolean;
  profile: string;
  batch: string;
  pendingReversal: boolean;
  defects: DefectName[];
  /** Peripheral conditions now. */
  devices: DeviceConditions;
  /** `maintenance` while a custodian has the terminal out of service, else `normal`. */
  mode: TerminalMode;
}

/** The reference terminal. Create with {@link createTerminal}. */
export class EmulatedTerminal {
  readonly profile: TerminalProfile;
  readonly events: TerminalEvents;
  readonly keypad: TerminalKeypad;
  readonly display: TerminalDisplay;
  readonly cardSlot: TerminalCardSlot;
  readonly dialect: Dialect;
  readonly batch: TerminalBatch;
  private readonly rooms: TerminalRooms;

  constructor(
    profile: TerminalProfile,
    host: HostAddress,
    events: TerminalEvents,
    calendar?: Calendar,
    random?: () => number,
  ) {
    const core = new TerminalCore(profile, events, calendar, random);
    const keypad = new PinPad(core);
    const reader = new CardReader(core, keypad);
    this.rooms = {
      core,
      keypad,
      reader,
      host: new HostSession(core, host),
      printer: new ReceiptPrinter(profile, events, core.devices, core.calendar),
    };
    this.profile = profile;
    this.events = events;
    this.dialect = core.dialect;
    this.batch = core.batch;
    this.keypad = keypad;
    this.display = core.screen;
    this.cardSlot = reader.slot;
    core.setState('notSignedIn');
    core.show('notSignedIn');
    if (profile.kind === 'atm') core.onSignInExpired = () => signInByItself(this.rooms);
  }

  /** The state machine's state. */
  get state(): TerminalState {
    return this.rooms.core.state;
  }

  get signedIn(): boolean {
    this.rooms.core.expireStaleSignIn();
    return this.rooms.core.keys !== undefined;
  }

  /** The host address (may be pointed at a proxy between transactions). */
  get hostAddress(): HostAddress {
    return this.rooms.host.link.address;
  }
  set hostAddress(a: HostAddress) {
    this.rooms.host.link.address = a;
  }

  status(): TerminalStatus {
    const core = this.rooms.core;
    core.expireStaleSignIn();
    return {
      state: core.state,
      signedIn: this.signedIn,
      busy: core.busy,
      profile: this.profile.name,
      batch: core.batchNo,
      pendingReversal: this.rooms.host.hasPendingReversal,
      defects: [...core.defects],
      devices: { ...core.devices },
      mode: core.maintenance ? 'maintenance' : 'normal',
    };
  }

  /** The terminal's date and time (its calendar; shared with whoever created the terminal with it). */
  get calendar(): Calendar {
    return this.rooms.core.calendar;
  }

  /** The terminal's operating mode now. */
  get mode(): TerminalMode {
    return this.rooms.core.maintenance ? 'maintenance' : 'normal';
  }

  /**
   * A custodian switches maintenance on (`maintenance`: OUT OF SERVICE for cardholders, transactions
   * refused, an ATM gives an inserted card back) or off (`normal`: back to the idle screen).
   */
  setMode(mode: TerminalMode): void {
    if (mode !== 'normal' && mode !== 'maintenance')
      throw new TerminalStateError(`unknown mode '${String(mode)}'`, this.state, 'E_TERMINAL_MODE');
    this.rooms.core.setMaintenance(mode === 'maintenance');
  }

  /**
   * The terminal looks at its calendar (after its date was set or moved): a sign-in of a previous day is
   * dropped when the profile says `signIn.daily`.
   */
  checkDay(): void {
    this.rooms.core.expireStaleSignIn();
  }

  /** Conditions of the peripherals now (a copy). */
  get devices(): DeviceConditions {
    return { ...this.rooms.core.devices };
  }

  /**
   * Switches a peripheral's condition (a device fault on or off): `reader`, `pinpad`, `printer`: `ok` or
   * `fault`; `contactless`: `ok`, `fault` or `weak`. Takes effect from the next card, PIN or receipt.
   */
  setDevice(device: TerminalDevice, condition: DeviceCondition): void {
    this.rooms.core.setDevice(device, condition);
  }

  /** Text of the last receipt (merchant copy by default), or null. */
  lastReceipt(copy: 'merchant' | 'customer' = 'merchant'): string | null {
    return this.rooms.printer.last(copy);
  }

  /** True while a reversal waits to be sent. */
  get hasPendingReversal(): boolean {
    return this.rooms.host.hasPendingReversal;
  }

  // ---- transactions -----------------------------------------------------------------------------

  /** 0800 sign-in with working-key download; retried per the profile on failure. */
  signIn(): Promise<TerminalResult> {
    return signIn(this.rooms);
  }

  /** Purchase (消费): insert, tap or swipe. */
  purchase(amount: number, options: { ecrReference?: string } = {}): Promise<TerminalResult> {
    return sale(this.rooms, 'purchase', amount, options.ecrReference);
  }

  /** Pre-authorisation (预授权, 0100). */
  preAuth(amount: number, options: { ecrReference?: string } = {}): Promise<TerminalResult> {
    return sale(this.rooms, 'preAuth', amount, options.ecrReference);
  }

  /** Balance inquiry (0200 310000): PIN required. */
  balance(): Promise<TerminalResult> {
    return sale(this.rooms, 'balance', 0);
  }

  /** ATM cash withdrawal (0200 01xxxx). */
  withdraw(amount: number): Promise<TerminalResult> {
    return sale(this.rooms, 'withdraw', amount);
  }

  /** Void (撤销) of a transaction of the current batch, by reference (field 37) or STAN. */
  void(
    original: { reference?: string; stan?: string },
    options: { ecrReference?: string } = {},
  ): Promise<TerminalResult> {
    return referenced(this.rooms, 'void', original, undefined, options.ecrReference);
  }

  /** Refund (退货, 0220) of an earlier purchase, by reference or STAN. */
  refund(
    amount: number,
    original: OriginalTransaction,
    options: { ecrReference?: string } = {},
  ): Promise<TerminalResult> {
    return referenced(this.rooms, 'refund', original, amount, options.ecrReference);
  }

  /** Pre-authorisation completion (0200 000000, condition 06). */
  completion(amount: number, original: { reference?: string; stan?: string }): Promise<TerminalResult> {
    return referenced(this.rooms, 'completion', original, amount);
  }

  /** Settlement (0500) with offline upload before and batch upload (0320) when the host is out of balance. */
  settle(): Promise<TerminalResult> {
    return settle(this.rooms);
  }

  /** Cancels the running transaction (waiting for a card or a PIN). */
  async cancel(): Promise<void> {
    const core = this.rooms.core;
    if (!core.busy || !core.abort)
      throw new TerminalStateError('nothing to cancel', core.state, 'E_TERMINAL_NO_TRANSACTION');
    core.abort.abort(new Cancelled('cancelled'));
  }

  /** Drops connections and timers. */
  async close(): Promise<void> {
    stopSignInRetry(this.rooms);
    this.rooms.reader.clearRemovalTimer();
    this.rooms.core.abort?.abort(new Cancelled('cancelled'));
    this.rooms.host.close();
  }

  /** Gives a retained card back (an engineer opened the ATM). */
  releaseRetainedCard(): PresentedCard | undefined {
    return this.rooms.reader.releaseRetainedCard();
  }
}
/** Creates a terminal from a profile, pointed at a host; optionally signs it in. */
export async function createTerminal(options: CreateTerminalOptions): Promise<EmulatedTerminal> {
  const p = options.profile;
  const profile =
    typeof p === 'string'
      ? loadTerminalProfile(p, options.defects ? { defects: options.defects } : {})
      : 'defects' in p && p.defects instanceof Set
        ? ({
            ...(p as TerminalProfile),
            defects: new Set([...(p as TerminalProfile).defects, ...resolveExtra(options.defects)]),
          } as TerminalProfile)
        : resolveTerminalProfile(
            p as TerminalProfileSpec,
            options.defects ? { defects: options.defects } : {},
          );
  const t = new EmulatedTerminal(
    profile,
    options.host,
    options.events ?? new TerminalEvents(),
    options.calendar,
    options.random,
  );
  if (options.signIn) await t.signIn();
  return t;
}

function resolveExtra(d: readonly string[] | undefined): DefectName[] {
  return d
    ? [
        ...resolveTerminalProfile(
          {
            name: 'x',
            kind: 'pos',
            terminalId: '00000000',
            merchantId: '000000000000000',
            tmk: '0'.repeat(32),
          },
          { defects: d },
        ).defects,
      ]
    : [];
}
