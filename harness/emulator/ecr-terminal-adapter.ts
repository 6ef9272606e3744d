/**
 * Binds the emulated terminal to the ECR message catalogue (docs/ecr-protocol.md): every request is mapped
 * to the terminal's in-process API, and the terminal's display, state, indicator, receipt and result
 * events are turned into ECR events. The web UI uses the same mapping for its actions.
 */
import { createVirtualCard, type EmvVirtualCard, type CardFault } from '../cards/index.js';
import { cardStateReport } from './card-state-report.js';
import { CardCatalogue } from './card-catalogue.js';
import { inlineCardFixture } from './inline-card.js';
import { createLogger } from '../common/logger.js';
import { CalendarError } from '../common/calendar.js';
import {
  ECR_ERROR_CODES,
  EcrRemoteError,
  type ApduTraceEvent,
  type EcrEventBody,
  type EcrHandler,
  type EcrRequestBody,
  type CardStateResult,
  type EcrResult,
  type InlineCardFixture,
  type StatusResult,
  type TransactionOp,
  type TransactionResult,
} from './ecr/index.js';
import type { EmulatedTerminal } from './emulated-terminal.js';
import { TerminalStateError } from './errors.js';
import { startOperation, type TerminalOperationInput } from './terminal-operations.js';
import type { TerminalEvent, TerminalEvents } from './terminal-events.js';
import type { TerminalResult } from './terminal-result.js';

const log = createLogger('payhil:emulator:ecr');

/** Keys the terminal's keypad acts on; the others (UP, DOWN, MENU, F1–F4) only beep. */
const ACTIVE_KEY = /^(?:\d{1,2}|ENTER|CANCEL|CLEAR)$/;

const MASKED_PAN = /^\d{6}\*{3,9}\d{4}$/;

export interface EcrTerminalAdapterOptions {
  /** The terminal, or a getter when the terminal can be replaced (power cycle). */
  terminal: EmulatedTerminal | (() => EmulatedTerminal);
  /** Switches the terminal off and on (a new terminal on the same event sink); absent = NOT_SUPPORTED. */
  powerCycle?: () => Promise<void>;
  /**
   * Folders of card fixtures (`NAME.yaml`) that requests may name besides the bundled ones. A card is
   * always named, never given as a path (`CardCatalogue`).
   */
  cardDirs?: readonly string[];
  /** Reported by `status`. */
  firmware?: string;
  /** Reported by `status` (the EcrServer enforces it). Default true. */
  testMode?: boolean;
}

/** Maps ECR requests onto an emulated terminal. */
export class EcrTerminalAdapter {
  private readonly getTerminal: () => EmulatedTerminal;
  /** Cards by fixture reference (plus the inline fixture's JSON for an inline card). */
  private readonly cards = new Map<string, EmvVirtualCard>();
  /** The card last presented or asked for under each name. */
  private readonly named = new Map<string, EmvVirtualCard>();
  private lastPresented: EmvVirtualCard | undefined;
  /** The cards requests may name. */
  readonly catalogue: CardCatalogue;

  constructor(private readonly options: EcrTerminalAdapterOptions) {
    const t = options.terminal;
    this.getTerminal = typeof t === 'function' ? t : () => t;
    this.catalogue = new CardCatalogue(options.cardDirs);
  }

  /** The terminal served now. */
  get terminal(): EmulatedTerminal {
    return this.getTerminal();
  }

  /** The handler to give `EcrServer`. */
  readonly handler: EcrHandler = (request) => this.handle(request);

  /**
   * Carries out one request. Resolves with the op's result; rejects with `EcrRemoteError` (wire code
   * BUSY, BAD_REQUEST, NOT_SUPPORTED, NO_TRANSACTION, INTERNAL) to refuse.
   */
  async handle(request: EcrRequestBody): Promise<EcrResult> {
    try {
      return await this.dispatch(request);
    } catch (e) {
      throw toRemoteError(e, request.op);
    }
  }

  /**
   * The virtual card for a fixture name the catalogue offers, or for an inline card (`fixture`; `ref` is then its
   * name): one card object per fixture, so its state (PIN tries, ATC, EC balance) lives on between
   * presentations, like a card in a tester's hand. `fresh` makes it anew from its fixture (a file is read
   * again), which is how a scenario starts with fresh cards.
   */
  card(ref: string, fixture?: InlineCardFixture, fresh = false): EmvVirtualCard {
    const key = fixture ? `${ref}\u0000${stableJson(fixture)}` : ref;
    let c = fresh ? undefined : this.cards.get(key);
    if (!c) {
      const loadBase = (name: string) => this.catalogue.load(name);
      c = createVirtualCard(fixture ? inlineCardFixture(fixture, { loadBase }) : loadBase(ref));
      this.cards.set(key, c);
    }
    this.named.set(ref, c);
    return c;
  }

  /** Status as the ECR `status` request reports it (the terminal's status, the card slot). */
  status(): StatusResult {
    const t = this.terminal;
    const s = t.status();
    return {
      state: s.state,
      signedIn: s.signedIn,
      busy: s.busy,
      testMode: this.options.testMode ?? true,
      profile: s.profile,
      ...(this.options.firmware ? { firmware: this.options.firmware } : {}),
      batch: s.batch,
      pendingReversal: s.pendingReversal,
      defects: [...s.defects],
      devices: { ...s.devices },
      cardInserted: t.cardSlot.occupied,
      retained: t.cardSlot.retained,
    };
  }

  /**
   * The run state of a card (ECR `cardState`): the one named (and made from its fixture when the terminal
   * has not seen it), else the card presented last; BAD_REQUEST when none is named and none was presented.
   */
  cardState(
    ref: string | undefined,
    fixture?: InlineCardFixture,
    options?: { reset?: boolean; fault?: unknown },
  ): CardStateResult {
    const reset = options?.reset === true;
    const c =
      ref === undefined
        ? this.lastPresented
        : reset || fixture
          ? this.card(ref, fixture, reset)
          : (this.named.get(ref) ?? this.card(ref));
    if (!c)
      throw new EcrRemoteError(
        ECR_ERROR_CODES.BAD_REQUEST,
        'cardState: name a card (no card was presented yet)',
        'cardState',
      );
    // A condition change on the same card (wallet open/closed, NFC on/off): counters are kept.
    if (options?.fault !== undefined) applyCardOptions(c, { fault: options.fault });
    return { card: c.name, state: cardStateReport(c.snapshot()) };
  }

  private async dispatch(r: EcrRequestBody): Promise<EcrResult> {
    const t = this.terminal;
    switch (r.op) {
      case 'purchase':
      case 'preAuth':
      case 'withdraw':
      case 'balance':
      case 'void':
      case 'refund':
      case 'settle':
      case 'signIn':
        return this.transaction(r);
      case 'cancel':
        await t.cancel();
        return {};
      case 'status':
        return this.status();
      case 'readDisplay':
        return { lines: [...t.display.lines] };
      case 'readReceipt':
        return { text: t.lastReceipt(r.copy ?? 'merchant') };
      case 'key':
        await this.press(r.keys);
        return {};
      case 'card':
        await this.present(r.action, r.card, r.fixture, r.holdMs, r.options);
        return {};
      case 'cardState':
        return this.cardState(r.card, r.fixture, r.options);
      case 'powerCycle':
        if (!this.options.powerCycle)
          throw new EcrRemoteError(ECR_ERROR_CODES.NOT_SUPPORTED, 'this terminal cannot be power-cycled');
        await this.options.powerCycle();
        return {};
      case 'device':
        t.setDevice(r.device, r.condition);
        return {};
      case 'trace':
        // A subscription of one ECR link (EcrServer answers it); other ways in have no link to trace to.
        throw new EcrRemoteError(ECR_ERROR_CODES.NOT_SUPPORTED, 'trace is a request of an ECR link');
      case 'mode':
        t.setMode(r.mode);
        return {};
      case 'clock':
        try {
          if (r.set !== undefined) t.calendar.set(r.set);
          else if (r.advance !== undefined) t.calendar.advance(r.advance);
          else t.calendar.reset();
        } catch (e) {
          if (e instanceof CalendarError) throw new EcrRemoteError(ECR_ERROR_CODES.BAD_REQUEST, e.message);
          throw e;
        }
        t.checkDay();
        return {};
      default:
        throw new EcrRemoteError(ECR_ERROR_CODES.UNKNOWN_OP, `unknown op '${(r as { op: string }).op}'`);
    }
  }

  /**
   * A transaction request, started through the terminal operation table: the profile must offer it
   * (sign-in always is), a requested currency must be the terminal's (checked before it starts).
   */
  private async transaction(r: TransactionRequest): Promise<TransactionResult> {
    const op = r.op;
    if (op !== 'signIn') this.offered(op);
    const currency =
      r.op === 'purchase' || r.op === 'preAuth' || r.op === 'withdraw' || r.op === 'refund'
        ? this.currency(r.currency)
        : undefined;
    const result = await startOperation(this.terminal, op, operationInput(r));
    // A refund reports only the currency its result carries; the others fall back to the terminal's.
    return toTransactionResult(result, op, op === 'refund' ? undefined : currency);
  }

  private offered(op: TransactionOp): void {
    const offered = this.terminal.profile.transactions as readonly string[];
    if (!offered.includes(op))
      throw new EcrRemoteError(
        ECR_ERROR_CODES.NOT_SUPPORTED,
        `profile ${this.terminal.profile.name} does not offer ${op}`,
      );
  }

  /** Checks a requested currency against the terminal's; returns it. */
  private currency(requested: string | undefined): string | undefined {
    const own = this.terminal.profile.kernel.currencyCode;
    if (requested !== undefined && requested !== own)
      throw new EcrRemoteError(
        ECR_ERROR_CODES.BAD_REQUEST,
        `currency ${requested} is not the terminal's (${own})`,
      );
    return own;
  }

  private async press(keys: readonly string[]): Promise<void> {
    const t = this.terminal;
    for (const k of keys) {
      if (ACTIVE_KEY.test(k)) await t.keypad.press(k);
      else t.events.emit({ type: 'indicator', beep: 1 });
    }
  }

  private async present(
    action: 'insert' | 'tap' | 'swipe' | 'remove',
    ref: string | undefined,
    fixture: InlineCardFixture | undefined,
    holdMs: number | undefined,
    options: Record<string, unknown> | undefined,
  ): Promise<void> {
    const slot = this.terminal.cardSlot;
    if (action === 'remove') {
      await slot.remove();
      return;
    }
    if (!ref) throw new EcrRemoteError(ECR_ERROR_CODES.BAD_REQUEST, `card ${action} needs a card fixture`);
    const card = this.card(ref, fixture, options?.reset === true);
    applyCardOptions(card, options);
    this.lastPresented = card;
    if (action === 'insert') await slot.insert(card);
    else if (action === 'tap') await slot.tap(card, holdMs);
    else await slot.swipe(card);
  }
}

/** JSON with object keys sorted: the same inline card gives the same text. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** The ECR requests that start a transaction. */
type TransactionRequest = Extract<EcrRequestBody, { op: TransactionOp }>;

/** What the operation table needs from a transaction request (an amount, the original, the ECR reference). */
function operationInput(r: TransactionRequest): TerminalOperationInput {
  return {
    ...('amount' in r && r.amount !== undefined ? { amount: r.amount } : {}),
    ...('originalReference' in r
      ? {
          original: {
            reference: r.originalReference,
            ...('originalDate' in r && r.originalDate ? { date: r.originalDate } : {}),
          },
        }
      : {}),
    ...('ecrReference' in r && r.ecrReference ? { ecrReference: r.ecrReference } : {}),
  };
}

/**
 * Presentation options of a `card` request: `{"fault": {...CardFault}}` injects a fault for the rest of the
 * run, `{"chipFault": true}` is short for a mute chip, `{"reset": true}` brings the card back to its fixture.
 */
function applyCardOptions(card: EmvVirtualCard, options: Record<string, unknown> | undefined): void {
  if (!options) return;
  // `reset` made the card anew from its fixture (EcrTerminalAdapter.card).
  if (options.chipFault === true) card.injectFault({ kind: 'mute' });
  const f = options.fault;
  if (f !== undefined) {
    if (typeof f !== 'object' || f === null || typeof (f as { kind?: unknown }).kind !== 'string')
      throw new EcrRemoteError(ECR_ERROR_CODES.BAD_REQUEST, 'options.fault must be {kind: …}');
    card.injectFault(f as CardFault);
  }
}

/** ECR refusal for an error of the terminal or the cards. */
function toRemoteError(e: unknown, op: string): Error {
  if (e instanceof EcrRemoteError) return e;
  if (e instanceof TerminalStateError) {
    const code =
      e.code === 'E_TERMINAL_BUSY'
        ? ECR_ERROR_CODES.BUSY
        : e.code === 'E_TERMINAL_NO_TRANSACTION'
          ? ECR_ERROR_CODES.NO_TRANSACTION
          : ECR_ERROR_CODES.BAD_REQUEST;
    return new EcrRemoteError(code, e.message, op);
  }
  const err = e as { code?: unknown; message?: unknown };
  if (
    typeof err.code === 'string' &&
    (err.code.startsWith('E_CARD') || err.code === 'E_TERMINAL_INLINE_CARD')
  )
    return new EcrRemoteError(ECR_ERROR_CODES.BAD_REQUEST, String(err.message), op);
  log('internal error', op, String(err.message ?? e));
  return new EcrRemoteError(ECR_ERROR_CODES.INTERNAL, String(err.message ?? e), op);
}

/** The ECR transaction result of a terminal result (masked PAN only; `completion` reported as the op asked). */
export function toTransactionResult(
  r: TerminalResult,
  op: TransactionOp,
  currency?: string,
): TransactionResult {
  const out: TransactionResult = { transaction: op, outcome: r.outcome, message: r.message };
  if (r.responseCode !== undefined) out.responseCode = r.responseCode;
  if (r.maskedPan !== undefined && MASKED_PAN.test(r.maskedPan)) out.maskedPan = r.maskedPan;
  if (r.amount !== undefined) out.amount = r.amount;
  const cur = r.currency ?? currency;
  if (cur !== undefined) out.currency = cur;
  if (r.reference !== undefined) out.reference = r.reference;
  if (r.stan !== undefined) out.stan = r.stan;
  if (r.authCode !== undefined) out.authCode = r.authCode;
  if (r.entryMode !== undefined) out.entryMode = r.entryMode;
  if (r.ecrReference !== undefined) out.ecrReference = r.ecrReference;
  if (r.balance !== undefined) out.balance = r.balance;
  if (r.totals !== undefined) out.totals = r.totals;
  out.details = { ...(r.details ?? {}), messageKey: r.messageKey };
  return out;
}

/** The ECR event for a terminal event, or undefined for events that stay on the timeline only. */
export function toEcrEvent(e: TerminalEvent): EcrEventBody | undefined {
  switch (e.type) {
    case 'display':
      return { event: 'display', lines: [...e.lines] };
    case 'state':
      return { event: 'state', state: e.state };
    case 'receipt':
      return { event: 'receipt', text: e.text, copy: e.copy };
    case 'indicator':
      return {
        event: 'indicator',
        ...(e.beep !== undefined ? { beep: e.beep } : {}),
        ...(e.leds ? { leds: e.leds } : {}),
      };
    case 'result': {
      const op = e.result.transaction === 'completion' ? 'preAuth' : e.result.transaction;
      return { event: 'result', result: toTransactionResult(e.result, op) };
    }
    default:
      return undefined;
  }
}

/**
 * Pushes the terminal's events to the ECR link(s) as they happen, and its card-reader APDUs to `pushTrace`
 * (the links that asked for the trace). `push` is not awaited (the terminal
 * must never wait for a cash register); a failed push is logged. Returns the function that stops it.
 */
export function forwardEcrEvents(
  events: TerminalEvents,
  push: (event: EcrEventBody) => Promise<unknown>,
  pushTrace?: (event: ApduTraceEvent) => Promise<unknown>,
): () => void {
  return events.on((e) => {
    if (e.type === 'apdu') {
      // Already masked by the card reader (card-transport.ts): PIN block redacted, PAN and tracks masked.
      pushTrace?.({
        event: 'apdu',
        via: e.via,
        command: e.command,
        response: e.response,
        ms: Math.round(e.ms * 1000) / 1000,
      }).catch((err: unknown) => log('trace push failed', (err as Error).message));
      return;
    }
    const body = toEcrEvent(e);
    if (!body) return;
    push(body).catch((err: unknown) => log('event push failed', (err as Error).message));
  });
}
