/**
 * Terminal-side message building for the UnionPay POS profile: the requests a terminal sends (sign-in,
 * purchase, void, refund, balance, pre-authorisation and completion, withdrawal, reversal, settlement,
 * batch upload, echo), PIN blocks under the PIK, MACs under the MAK, and the working keys of a sign-in
 * answer. Pure functions: no sockets, no state — the test terminal and the emulated terminal share them.
 */
import {
  buildPinBlock,
  decryptWorkingKey,
  encryptPinBlock,
  fromHex,
  macCupEcbField,
  toHex,
} from '../crypto/index.js';
import type { Dialect, IsoMessage } from '../iso8583/index.js';
import { macInput } from '../iso8583/index.js';
import { HostExchangeError } from './errors.js';

/** Who the terminal is: field 41 and field 42. */
export interface TerminalIdentity {
  terminalId: string;
  merchantId: string;
}

/** Clear working keys after a sign-in. */
export interface SessionKeys {
  pik: Buffer;
  mak: Buffer;
  tdk?: Buffer;
}

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
}

/** Processing code and MTI per transaction kind (CUP POS). */
const KIND: Record<TransactionKind, { mti: string; proc: string; type60: string; cond: string }> = {
  purchase: { mti: '0200', proc: '000000', type60: '22', cond: '00' },
  withdrawal: { mti: '0200', proc: '010000', type60: '22', cond: '02' },
  balance: { mti: '0200', proc: '310000', type60: '01', cond: '00' },
  preauth: { mti: '0100', proc: '030000', type60: '10', cond: '06' },
  completion: { mti: '0200', proc: '000000', type60: '20', cond: '06' },
  void: { mti: '0200', proc: '200000', type60: '23', cond: '00' },
  refund: { mti: '0220', proc: '200000', type60: '25', cond: '00' },
};

function amount12(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n > 999999999999)
    throw new RangeError(`amount must be 0..999999999999 minor units, got ${n}`);
  return String(n).padStart(12, '0');
}

/** Field 22 for a card read: 02x swipe, 05x chip, 07x contactless, 80x fallback, 01x manual; x = 1 PIN, 2 no PIN. */
export function entryMode(card: CardRead, withPin: boolean): string {
  const how = card.entry ?? (card.iccData ? 'chip' : card.track2 ? 'swipe' : 'manual');
  const prefix = { swipe: '02', chip: '05', contactless: '07', fallback: '80', manual: '01' }[how];
  return prefix + (withPin ? '1' : '2');
}

/** 0800 sign-in: field 60 = 00 ‖ batch ‖ key scheme (001, 003, 004). */
export function buildSignIn(
  id: TerminalIdentity,
  stan: string,
  batch = '000001',
  scheme: '001' | '003' | '004' = '004',
): IsoMessage {
  return {
    mti: '0800',
    fields: { 11: stan, 41: id.terminalId, 42: id.merchantId, 60: '00' + batch + scheme, 63: '01 ' },
  };
}

/** 0820 echo test (60.3 = 301) or sign-out (60.3 = 002). */
export function buildNetworkManagement(
  id: TerminalIdentity,
  stan: string,
  batch: string,
  code: '301' | '002' = '301',
): IsoMessage {
  return { mti: '0820', fields: { 11: stan, 41: id.terminalId, 42: id.merchantId, 60: '00' + batch + code } };
}

/**
 * Reads the working keys of a 0810 field 62 (hex) under the TMK and checks each check value; the layout
 * follows the key scheme (see terminal-registry.ts). Throws HostExchangeError E_HOST_BAD_KCV on a mismatch.
 */
export function readWorkingKeys(tmk: Buffer, field62Hex: string, scheme: '001' | '003' | '004'): SessionKeys {
  const b = fromHex(field62Hex);
  const want = scheme === '001' ? 24 : scheme === '003' ? 40 : 60;
  if (b.length !== want)
    throw new HostExchangeError(
      'E_HOST_BAD_KCV',
      `field 62 has ${b.length} bytes, key scheme ${scheme} needs ${want}`,
      '0810',
    );
  const take = (what: string, off: number, len: number, cvOff: number): Buffer => {
    try {
      return decryptWorkingKey(tmk, b.subarray(off, off + len), b.subarray(cvOff, cvOff + 4)).key;
    } catch (e) {
      throw new HostExchangeError(
        'E_HOST_BAD_KCV',
        `${what} check value does not match (${(e as Error).message})`,
        '0810',
      );
    }
  };
  if (scheme === '001') return { pik: take('PIK', 0, 8, 8), mak: take('MAK', 12, 8, 20) };
  // Double-length layout: the single-length MAK is followed by 8 zero bytes before its check value.
  const keys: SessionKeys = { pik: take('PIK', 0, 16, 16), mak: take('MAK', 20, 8, 36) };
  if (scheme === '004') keys.tdk = take('TDK', 40, 16, 56);
  return keys;
}

/** Field 52: the format 0 PIN block of `pin` with `pan`, encrypted under the PIK (hex). */
export function pinField(pik: Buffer, pin: string, pan: string): string {
  return toHex(encryptPinBlock(pik, buildPinBlock(0, pin, pan)));
}

/** Sets field 64 to the CUP ECB MAC (MTI through field 63) under the MAK. */
export function applyMac(dialect: Dialect, msg: IsoMessage, mak: Buffer): IsoMessage {
  msg.fields[64] = '0000000000000000';
  msg.fields[64] = toHex(macCupEcbField(mak, macInput(dialect, msg)));
  return msg;
}

/** True when the answer's field 64 is its MAC under the MAK. */
export function macVerifies(dialect: Dialect, msg: IsoMessage, mak: Buffer): boolean {
  const got = msg.fields[64];
  return got !== undefined && toHex(macCupEcbField(mak, macInput(dialect, msg))) === got.toUpperCase();
}

/** A financial request (0100/0200/0220) of the given kind, without MAC (see applyMac). */
export function buildTransaction(
  id: TerminalIdentity,
  kind: TransactionKind,
  input: TransactionInput,
  keys?: SessionKeys,
): IsoMessage {
  const k = KIND[kind];
  const card = input.card;
  const withPin = input.pin !== undefined;
  const f: Record<number, string> = {
    2: card.pan,
    3: input.processingCode ?? k.proc,
    11: input.stan,
    22: entryMode(card, withPin),
    25: k.cond,
    41: id.terminalId,
    42: id.merchantId,
    49: input.currency ?? '156',
    60: k.type60 + input.batch + '000',
  };
  if (kind !== 'balance') f[4] = amount12(input.amount ?? 0);
  if (card.expiry) f[14] = card.expiry;
  if (card.psn) f[23] = card.psn.padStart(3, '0');
  if (card.track2) f[35] = card.track2;
  if (card.iccData) f[55] = card.iccData.toUpperCase();
  if (withPin) {
    if (!keys) throw new RangeError('a PIN needs the PIK of a sign-in');
    f[26] = '12';
    f[52] = pinField(keys.pik, input.pin as string, card.pan);
    f[53] = '1600000000000000';
  }
  const o = input.original;
  if (o) {
    if (o.rrn) f[37] = o.rrn;
    if (o.authCode) f[38] = o.authCode;
    if (o.batch && o.stan) f[61] = o.batch + o.stan + (o.date ?? '');
  }
  return { mti: k.mti, fields: f };
}

/** The 0400 reversal of a request: the same identifying fields and STAN, reason in field 39 (98 = no answer). */
export function buildReversal(original: IsoMessage, reason = '98'): IsoMessage {
  const f: Record<number, string> = {};
  for (const n of [2, 3, 4, 11, 14, 22, 23, 25, 38, 41, 42, 49, 55, 60, 61]) {
    const v = original.fields[n];
    if (v !== undefined) f[n] = v;
  }
  f[39] = reason;
  return { mti: '0400', fields: f };
}

/** Settlement totals the terminal counted for its batch. */
export interface SettlementTotals {
  debitAmount: number;
  debitCount: number;
  creditAmount: number;
  creditCount: number;
}

/** 0500 settlement: field 48 = domestic totals ‖ result 0 ‖ foreign totals (zero) ‖ result 0. */
export function buildSettlement(
  id: TerminalIdentity,
  stan: string,
  batch: string,
  t: SettlementTotals,
): IsoMessage {
  for (const n of [t.debitCount, t.creditCount])
    if (!Number.isInteger(n) || n < 0 || n > 999)
      throw new RangeError(`settlement counts are 3 digits (0..999), got ${n}`);
  const part =
    amount12(t.debitAmount) +
    String(t.debitCount).padStart(3, '0') +
    amount12(t.creditAmount) +
    String(t.creditCount).padStart(3, '0') +
    '0';
  return {
    mti: '0500',
    fields: {
      11: stan,
      41: id.terminalId,
      42: id.merchantId,
      48: part + '0'.repeat(31),
      49: '156',
      60: '00' + batch + '201',
      63: '01 ',
    },
  };
}

/** 0320 batch upload of one transaction (also the offline/EC upload when the host has not seen it). */
export function buildBatchUpload(
  id: TerminalIdentity,
  batch: string,
  tx: { stan: string; pan: string; amount: number; iccData?: string; entry?: string },
): IsoMessage {
  const f: Record<number, string> = {
    2: tx.pan,
    3: '000000',
    4: amount12(tx.amount),
    11: tx.stan,
    22: tx.entry ?? '072',
    41: id.terminalId,
    42: id.merchantId,
    49: '156',
    60: '36' + batch + '201',
  };
  if (tx.iccData) f[55] = tx.iccData.toUpperCase();
  return { mti: '0320', fields: f };
}

/** Result code of a 0510: 1 balanced, 2 not balanced (position 31 of field 48). */
export function settlementResult(answer: IsoMessage): 'balanced' | 'unbalanced' | 'unknown' {
  const c = answer.fields[48]?.[30];
  return c === '1' ? 'balanced' : c === '2' ? 'unbalanced' : 'unknown';
}
