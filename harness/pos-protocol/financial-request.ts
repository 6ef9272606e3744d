/**
 * The terminal's financial requests (UnionPay POS): purchase, ATM withdrawal, balance inquiry,
 * pre-authorisation and its completion (0100/0200), void (0200 200000) and refund (0220), with the card
 * as read, the PIN block under the PIK and the original a void/refund/completion refers to. Without the
 * MAC: the caller applies it last (message-mac.ts).
 */
import type { IsoMessage } from '../iso8583/index.js';
import { amountField } from './amount-field.js';
import { MessageBuildError } from './errors.js';
import { pinField } from './field-52.js';
import { securityControlField } from './field-53.js';
import { field60, MESSAGE_TYPE_CODE, NETWORK_CODE, type Field60 } from './field-60.js';
import { field61 } from './field-61.js';
import type { SessionKeys } from './field-62.js';
import type { TerminalIdentity } from './terminal-identity.js';

/** The card as the terminal read it. */
export interface CardRead {
  pan: string;
  /** YYMM. */
  expiry?: string;
  /** PAN sequence number (field 23, 3 digits). */
  psn?: string;
  /** Track 2 equivalent (digits, '=' or 'D' separator) for a swipe. */
  track2?: string;
  /** Field 55 as hex (ARQC and friends), for chip and contactless. */
  iccData?: string;
  /** How the card was read: 'swipe' | 'chip' | 'contactless' | 'fallback' | 'manual'. Default from the data present. */
  entry?: 'swipe' | 'chip' | 'contactless' | 'fallback' | 'manual';
}

export type TransactionKind =
  'purchase' | 'withdrawal' | 'balance' | 'preauth' | 'completion' | 'void' | 'refund';

/** What a financial request carries besides the terminal identity. */
export interface TransactionInput {
  stan: string;
  batch: string;
  card: CardRead;
  /** Minor units (ignored for balance inquiry). */
  amount?: number;
  /** Clear PIN: encrypted under the PIK into field 52 (format 0). */
  pin?: string;
  /** Original of a void/refund/completion: its RRN (field 37) and/or batch + STAN (field 61). */
  original?: { rrn?: string; batch?: string; stan?: string; date?: string; authCode?: string };
  currency?: string;
  /** ATM withdrawals use account-type digits 3–4 of the processing code. */
  processingCode?: string;
  /**
   * 60.4 (the terminal's read capability, `READ_CAPABILITY`) and 60.5 (IC card condition, `IC_CONDITION`),
   * sent by IC-capable terminals; absent = field 60 stops at 60.3.
   */
  icInfo?: Required<Pick<Field60, 'readCapability' | 'icCondition'>>;
}

/** MTI, processing code (field 3), 60.1 and condition code (field 25) per transaction kind (CUP POS). */
export const TRANSACTION_KINDS: Readonly<
  Record<TransactionKind, { mti: string; processingCode: string; messageType: string; condition: string }>
> = {
  purchase: {
    mti: '0200',
    processingCode: '000000',
    messageType: MESSAGE_TYPE_CODE.PURCHASE,
    condition: '00',
  },
  withdrawal: {
    mti: '0200',
    processingCode: '010000',
    messageType: MESSAGE_TYPE_CODE.PURCHASE,
    condition: '02',
  },
  balance: { mti: '0200', processingCode: '310000', messageType: MESSAGE_TYPE_CODE.BALANCE, condition: '00' },
  preauth: { mti: '0100', processingCode: '030000', messageType: MESSAGE_TYPE_CODE.PREAUTH, condition: '06' },
  completion: {
    mti: '0200',
    processingCode: '000000',
    messageType: MESSAGE_TYPE_CODE.COMPLETION,
    condition: '06',
  },
  void: { mti: '0200', processingCode: '200000', messageType: MESSAGE_TYPE_CODE.VOID, condition: '00' },
  refund: { mti: '0220', processingCode: '200000', messageType: MESSAGE_TYPE_CODE.REFUND, condition: '00' },
};

/** Field 22 prefix per way of reading the card. */
const ENTRY_PREFIX = { swipe: '02', chip: '05', contactless: '07', fallback: '80', manual: '01' } as const;

/** Field 22 for a card read: 02x swipe, 05x chip, 07x contactless, 80x fallback, 01x manual; x = 1 PIN, 2 no PIN. */
export function entryMode(card: CardRead, withPin: boolean): string {
  const how = card.entry ?? (card.iccData ? 'chip' : card.track2 ? 'swipe' : 'manual');
  return ENTRY_PREFIX[how] + (withPin ? '1' : '2');
}

/**
 * A financial request (0100/0200/0220) of the given kind, without MAC (see `applyMac`).
 * @throws MessageBuildError for an amount out of range or a PIN without the keys of a sign-in.
 */
export function buildTransaction(
  id: TerminalIdentity,
  kind: TransactionKind,
  input: TransactionInput,
  keys?: SessionKeys,
): IsoMessage {
  const k = TRANSACTION_KINDS[kind];
  const card = input.card;
  const withPin = input.pin !== undefined;
  const f: Record<number, string> = {
    2: card.pan,
    3: input.processingCode ?? k.processingCode,
    11: input.stan,
    22: entryMode(card, withPin),
    25: k.condition,
    41: id.terminalId,
    42: id.merchantId,
    49: input.currency ?? '156',
    60: field60({
      messageType: k.messageType,
      batch: input.batch,
      networkCode: NETWORK_CODE.NONE,
      ...(input.icInfo ?? {}),
    }),
  };
  if (kind !== 'balance') f[4] = amountField(input.amount ?? 0);
  if (card.expiry) f[14] = card.expiry;
  if (card.psn) f[23] = card.psn.padStart(3, '0');
  if (card.track2) f[35] = card.track2;
  if (card.iccData) f[55] = card.iccData.toUpperCase();
  if (withPin) {
    if (!keys) throw new MessageBuildError(52, 'a PIN needs the PIK of a sign-in');
    f[26] = '12';
    f[52] = pinField(keys.pik, input.pin as string, card.pan);
    f[53] = securityControlField({ pinFormat: '1', doubleLength: true, tracksEncrypted: false });
  }
  const o = input.original;
  if (o) {
    if (o.rrn) f[37] = o.rrn;
    if (o.authCode) f[38] = o.authCode;
    if (o.batch && o.stan)
      f[61] = field61(
        o.date === undefined
          ? { batch: o.batch, stan: o.stan }
          : { batch: o.batch, stan: o.stan, date: o.date },
      );
  }
  return { mti: k.mti, fields: f };
}
