/**
 * The JSON message catalogue of ECR protocol version 1 (docs/ecr-protocol.md). Amounts are integers in
 * minor units (fen, cents); currencies are ISO 4217 numeric codes ("156" CNY). No PAN crosses the link
 * in clear: results carry `maskedPan` (first 6, last 4).
 */
import type { TerminalResult } from '../terminal-result.js';

/** Requests that start a transaction on the terminal. */
export const TRANSACTION_OPS = [
  'purchase',
  'void',
  'refund',
  'balance',
  'preAuth',
  'withdraw',
  'settle',
  'signIn',
] as const;
export type TransactionOp = (typeof TRANSACTION_OPS)[number];

/** Requests for the terminal's state, display and receipt, and to cancel. */
export const CONTROL_OPS = ['cancel', 'status', 'readDisplay', 'readReceipt'] as const;
export type ControlOp = (typeof CONTROL_OPS)[number];

/** Requests a terminal accepts only in test mode: a robot's hands, and the state of the cards it holds. */
export const TEST_OPS = [
  'key',
  'card',
  'powerCycle',
  'cardState',
  'device',
  'trace',
  'mode',
  'clock',
] as const;
export type TestOp = (typeof TEST_OPS)[number];

export type EcrOp = TransactionOp | ControlOp | TestOp;
export const ECR_OPS: readonly EcrOp[] = [...TRANSACTION_OPS, ...CONTROL_OPS, ...TEST_OPS];

/** Keys of the terminal keypad that `key` may press. */
/** A month and day, MMDD (a refund's `originalDate`). */
export const MMDD_PATTERN = /^(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;

export const ECR_KEYS = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  '00',
  'ENTER',
  'CANCEL',
  'CLEAR',
  'UP',
  'DOWN',
  'MENU',
  'F1',
  'F2',
  'F3',
  'F4',
] as const;
export type EcrKey = (typeof ECR_KEYS)[number];

export const CARD_ACTIONS = ['insert', 'tap', 'swipe', 'remove'] as const;
export type CardAction = (typeof CARD_ACTIONS)[number];

/** Wire error codes of a refusal (`ok: false`). */
export const ECR_ERROR_CODES = {
  /** A transaction is already running. */
  BUSY: 'BUSY',
  /** A member is missing or has the wrong type or range. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The `op` is not in the catalogue. */
  UNKNOWN_OP: 'UNKNOWN_OP',
  /** `v` is not 1. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** A test-mode request on a terminal not in test mode. */
  NOT_TEST_MODE: 'NOT_TEST_MODE',
  /** `cancel` with nothing to cancel. */
  NO_TRANSACTION: 'NO_TRANSACTION',
  /** The terminal does not offer this transaction (e.g. withdraw on a POS). */
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  /** Anything else that went wrong inside the terminal. */
  INTERNAL: 'INTERNAL',
  /** Sent as an `error` event to a TCP connection over the terminal's limit, which is then closed. */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
} as const;
export type EcrErrorCode = keyof typeof ECR_ERROR_CODES;

// ---- requests -------------------------------------------------------------------------------------

export interface PurchaseRequest {
  op: 'purchase';
  /** Minor units, > 0. */
  amount: number;
  /** ISO 4217 numeric, 3 digits; default the terminal's. */
  currency?: string;
  /** The cash register's own reference (invoice number), echoed in the result; at most 32 characters. */
  ecrReference?: string;
}
export interface VoidRequest {
  op: 'void';
  /** Retrieval reference (field 37) of the purchase to void. */
  originalReference: string;
  amount?: number;
  ecrReference?: string;
}
export interface RefundRequest {
  op: 'refund';
  amount: number;
  currency?: string;
  originalReference: string;
  /** MMDD of the original transaction. */
  originalDate?: string;
  ecrReference?: string;
}
export interface BalanceRequest {
  op: 'balance';
}
export interface PreAuthRequest {
  op: 'preAuth';
  amount: number;
  currency?: string;
  ecrReference?: string;
}
export interface WithdrawRequest {
  op: 'withdraw';
  amount: number;
  currency?: string;
}
export interface SettleRequest {
  op: 'settle';
}
export interface SignInRequest {
  op: 'signIn';
}
export interface CancelRequest {
  op: 'cancel';
}
export interface StatusRequest {
  op: 'status';
}
export interface ReadDisplayRequest {
  op: 'readDisplay';
}
export interface ReadReceiptRequest {
  op: 'readReceipt';
  /** Which copy; default "merchant". */
  copy?: 'merchant' | 'customer';
}
export interface KeyRequest {
  op: 'key';
  /** Pressed in order, 1–64 keys. */
  keys: EcrKey[];
}
/**
 * A card made on the spot: the fixture named by `extends` with some of its fields changed (objects merge
 * key by key, lists and scalars replace), as a scenario's inline card. Test data only.
 */
export interface InlineCardFixture {
  /** The fixture it starts from: a card fixture name or path, as `card` takes (the web UI: one of its picker's cards). */
  extends: string;
  [field: string]: unknown;
}
export interface CardRequest {
  op: 'card';
  action: CardAction;
  /**
   * Card fixture name, never a path (insert, tap, swipe); absent for remove. With `fixture`: the name the
   * terminal keeps that inline card under.
   */
  card?: string;
  /** An inline card (see InlineCardFixture) instead of a fixture file. */
  fixture?: InlineCardFixture;
  /** Tap: how long the card stays in the field (ms). */
  holdMs?: number;
  /** Free-form presentation options the emulator understands (e.g. {"chipFault": true}). */
  options?: Record<string, unknown>;
}
export interface PowerCycleRequest {
  op: 'powerCycle';
}
/**
 * The run state of a card the terminal holds (ATC, PIN tries, EC balance…): the card named as in `card`
 * requests (with the same `fixture` for an inline card); absent = the card presented last.
 * `options.reset` brings it back to its fixture first (for a card not presented yet in this test).
 */
export interface CardStateRequest {
  op: 'cardState';
  card?: string;
  fixture?: InlineCardFixture;
  /**
   * `reset` brings the card back to its fixture first; `fault` changes its condition first (a CardFault
   * such as {"kind": "nfc-off"} or {"kind": "wallet-open"}), keeping its counters.
   */
  options?: { reset?: boolean; fault?: { kind: string } };
}

/** Peripherals a `device` request can put into a condition. */
export const ECR_DEVICES = ['reader', 'contactless', 'pinpad', 'printer'] as const;
/** Conditions of a `device` request (`weak`: the contactless field only). */
export const ECR_DEVICE_CONDITIONS = ['ok', 'fault', 'weak'] as const;
/**
 * Puts a terminal peripheral into a condition (test mode): `ok`, `fault`, or `weak` for the contactless
 * field (a brief tap fails, a longer hold works). Takes effect from the next card, PIN entry or receipt.
 */
export interface DeviceRequest {
  op: 'device';
  device: (typeof ECR_DEVICES)[number];
  condition: (typeof ECR_DEVICE_CONDITIONS)[number];
}

/** Operating modes of a `mode` request. */
export const ECR_MODES = ['normal', 'maintenance'] as const;
/**
 * A custodian switches the terminal's mode (test mode): `maintenance` puts it out of service for
 * cardholders (OUT OF SERVICE, transactions refused, an ATM gives an inserted card back), `normal` back.
 */
export interface ModeRequest {
  op: 'mode';
  mode: (typeof ECR_MODES)[number];
}

/**
 * Sets or moves the terminal's calendar (test mode): exactly one of `set` (ISO 8601 date and time; an
 * explicit offset becomes the zone), `advance` (milliseconds forward) or `reset: true` (back to the real
 * date and time in the process zone). A sign-in of a previous day lapses (profile signIn.daily).
 */
export interface ClockRequest {
  op: 'clock';
  set?: string;
  advance?: number;
  reset?: boolean;
}

export type EcrRequestBody =
  | PurchaseRequest
  | VoidRequest
  | RefundRequest
  | BalanceRequest
  | PreAuthRequest
  | WithdrawRequest
  | SettleRequest
  | SignInRequest
  | CancelRequest
  | StatusRequest
  | ReadDisplayRequest
  | ReadReceiptRequest
  | KeyRequest
  | CardRequest
  | PowerCycleRequest
  | CardStateRequest
  | DeviceRequest
  | TraceRequest
  | ModeRequest
  | ClockRequest;

/**
 * Test mode: asks for the terminal's card-reader trace on this link (`apdu` events: every command APDU to
 * the card and its answer, masked as in reports) or stops it. Per link; off when a link opens.
 */
export interface TraceRequest {
  op: 'trace';
  apdu: boolean;
}

/** A request as it travels: envelope plus body. `id` is chosen by the client, 1 – 2^31-1. */
export type EcrRequest = EcrRequestBody & { v: 1; kind: 'request'; id: number };

// ---- results --------------------------------------------------------------------------------------

/**
 * Outcome of a transaction request (also pushed as a `result` event): the terminal's result (declared once,
 * in terminal-result.ts) as the ECR link carries it — the operation as the ECR names it (a completion is
 * reported as `preAuth`), `message` optional, the display key in `details.messageKey`.
 */
export type TransactionResult = Omit<TerminalResult, 'transaction' | 'messageKey' | 'message'> & {
  transaction: TransactionOp;
  /** What the display said, e.g. "APPROVED", "INSUFFICIENT FUNDS". */
  message?: string;
};

export interface StatusResult {
  /** The terminal state machine's state name, e.g. "idle", "waitingForCard". */
  state: string;
  signedIn: boolean;
  busy: boolean;
  testMode: boolean;
  profile?: string;
  firmware?: string;
  /** Current batch number (6 digits). */
  batch?: string;
  /** A reversal (0400) waits to go out before the next transaction. */
  pendingReversal?: boolean;
  /** Firmware defect switches that are on (the reference emulator's test builds). */
  defects?: string[];
  /** Peripheral conditions: reader, pinpad, printer, contactless → "ok" | "fault" | "weak". */
  devices?: Record<string, string>;
  /** A card sits in the contact slot. */
  cardInserted?: boolean;
  /** The ATM kept the last card. */
  retained?: boolean;
}
export interface DisplayResult {
  lines: string[];
}
export interface ReceiptResult {
  /** Text of the last receipt, or null when none was printed yet. */
  text: string | null;
}
/**
 * The run state of a card, by the names `expect card` reads: EMV tags (9F36 ATC, 9F13 last online ATC,
 * 9F17 PIN tries left, 9F79 EC balance, 9F27 CID of the last cryptogram) and plain fields (atc,
 * pinTriesLeft, ecBalance, consecutiveOffline, walletOfflineUsed, walletState, expiry, logEntries,
 * lastResult). Nothing secret: no PAN, track data, PIN or key.
 */
export interface CardStateResult {
  /** The card's name (fixture name, or the name of an inline card). */
  card: string;
  state: Record<string, unknown>;
}
/** Result of cancel, key, card, powerCycle, device, trace, mode, clock: the request was accepted. */
export type AcceptedResult = Record<string, never>;

/** Result type per op. */
export interface EcrResultMap {
  purchase: TransactionResult;
  void: TransactionResult;
  refund: TransactionResult;
  balance: TransactionResult;
  preAuth: TransactionResult;
  withdraw: TransactionResult;
  settle: TransactionResult;
  signIn: TransactionResult;
  cancel: AcceptedResult;
  status: StatusResult;
  readDisplay: DisplayResult;
  readReceipt: ReceiptResult;
  key: AcceptedResult;
  card: AcceptedResult;
  powerCycle: AcceptedResult;
  cardState: CardStateResult;
  device: AcceptedResult;
  trace: AcceptedResult;
  mode: AcceptedResult;
  clock: AcceptedResult;
}
export type EcrResult = EcrResultMap[EcrOp];
export type EcrRequestOf<Op extends EcrOp> = Extract<EcrRequestBody, { op: Op }>;

export interface EcrErrorBody {
  code: string;
  message: string;
}

export type EcrResponse =
  | { v: 1; kind: 'response'; id: number; op: string; ok: true; result: EcrResult }
  | { v: 1; kind: 'response'; id: number; op: string; ok: false; error: EcrErrorBody };

// ---- events ---------------------------------------------------------------------------------------

export type EcrEventBody =
  | { event: 'display'; lines: string[] }
  | { event: 'state'; state: string }
  | { event: 'receipt'; text: string; copy?: 'merchant' | 'customer' }
  | { event: 'result'; result: TransactionResult }
  | { event: 'indicator'; beep?: number; leds?: Record<string, 'on' | 'off' | 'blink'> }
  | { event: 'error'; error: EcrErrorBody }
  | ApduTraceEvent;

/**
 * One exchange between the terminal and the card (test mode, only to links that asked with `trace`):
 * hex upper case; VERIFY's PIN block is replaced by `<PIN block redacted>`, and PAN and track data in the
 * answer (5A, 57, 9F1F, 9F6B) are masked, as in every report. `ms`: time the card took to answer.
 */
export interface ApduTraceEvent {
  event: 'apdu';
  via: 'contact' | 'contactless';
  command: string;
  response: string;
  ms: number;
}

export type EcrEvent = EcrEventBody & { v: 1; kind: 'event' };

export type EcrMessage = EcrRequest | EcrResponse | EcrEvent;

/** True for the ops that run a transaction (long timeouts, BUSY while one runs). */
export function isTransactionOp(op: string): op is TransactionOp {
  return (TRANSACTION_OPS as readonly string[]).includes(op);
}
/** True for the test-mode ops. */
export function isTestOp(op: string): op is TestOp {
  return (TEST_OPS as readonly string[]).includes(op);
}
