/**
 * Settlement (结算): the terminal's 0500 with its batch totals in field 48, the host's answer saying
 * whether they balance, and the 0320 batch upload of each transaction when they do not (also the upload
 * of offline / EC transactions the host has not seen).
 *
 * Field 48 of the 0500, per card group (domestic, then foreign):
 *   debit amount n12 ‖ debit count n3 ‖ credit amount n12 ‖ credit count n3 ‖ result n1
 * The terminal sends result 0; the host answers 1 (balanced) or 2 (not balanced) in position 31.
 */
import type { IsoMessage } from '../iso8583/index.js';
import { amountField } from './amount-field.js';
import { MessageBuildError } from './errors.js';
import { field60, MESSAGE_TYPE_CODE, NETWORK_CODE, type Field60 } from './field-60.js';
import { DEFAULT_OPERATOR_FIELD_63 } from './field-63.js';
import type { TerminalIdentity } from './terminal-identity.js';

/** Settlement totals the terminal counted for its batch (amounts in minor units). */
export interface SettlementTotals {
  debitAmount: number;
  debitCount: number;
  creditAmount: number;
  creditCount: number;
}

/** Settlement result digit (field 48 position 31). */
export const SETTLEMENT_RESULT = { SENT: '0', BALANCED: '1', UNBALANCED: '2' } as const;

/** Digits of one card group's totals before its result digit. */
const TOTALS_DIGITS = 30;

function count3(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999)
    throw new MessageBuildError(48, `settlement counts are 3 digits (0..999), got ${n}`);
  return String(n).padStart(3, '0');
}

/**
 * Field 48 of a 0500: the domestic totals with result 0, then zero foreign totals with result 0.
 * @throws MessageBuildError for an amount or count out of range.
 */
export function settlementTotalsField(t: SettlementTotals): string {
  const domestic =
    amountField(t.debitAmount, 48) +
    count3(t.debitCount) +
    amountField(t.creditAmount, 48) +
    count3(t.creditCount) +
    SETTLEMENT_RESULT.SENT;
  return domestic + '0'.repeat(TOTALS_DIGITS) + SETTLEMENT_RESULT.SENT;
}

/** The domestic totals of field 48, or undefined when its first 30 characters are not digits. */
export function readSettlementTotals(field48: string | undefined): SettlementTotals | undefined {
  if (field48 === undefined || field48.length < TOTALS_DIGITS || !/^\d{30}/.test(field48)) return undefined;
  return {
    debitAmount: Number(field48.slice(0, 12)),
    debitCount: Number(field48.slice(12, 15)),
    creditAmount: Number(field48.slice(15, 27)),
    creditCount: Number(field48.slice(27, 30)),
  };
}

/** The host's field 48: the terminal's, with the domestic result set to balanced (1) or not (2). */
export function settlementAnswerField(field48: string, balanced: boolean): string {
  const result = balanced ? SETTLEMENT_RESULT.BALANCED : SETTLEMENT_RESULT.UNBALANCED;
  return field48.slice(0, TOTALS_DIGITS) + result + field48.slice(TOTALS_DIGITS + 1);
}

/** 0500 settlement of `batch` (without MAC, see `applyMac`). */
export function buildSettlement(
  id: TerminalIdentity,
  stan: string,
  batch: string,
  t: SettlementTotals,
): IsoMessage {
  return {
    mti: '0500',
    fields: {
      11: stan,
      41: id.terminalId,
      42: id.merchantId,
      48: settlementTotalsField(t),
      49: '156',
      60: field60({ messageType: MESSAGE_TYPE_CODE.NETWORK, batch, networkCode: NETWORK_CODE.SETTLEMENT }),
      63: DEFAULT_OPERATOR_FIELD_63,
    },
  };
}

/** Result of a 0510: 1 balanced, 2 not balanced (position 31 of field 48). */
export function settlementResult(answer: IsoMessage): 'balanced' | 'unbalanced' | 'unknown' {
  const c = answer.fields[48]?.[TOTALS_DIGITS];
  return c === SETTLEMENT_RESULT.BALANCED
    ? 'balanced'
    : c === SETTLEMENT_RESULT.UNBALANCED
      ? 'unbalanced'
      : 'unknown';
}

/** One transaction of a batch upload. */
export interface UploadedTransaction {
  stan: string;
  pan: string;
  /** Minor units. */
  amount: number;
  iccData?: string;
  /** Field 22 (default 072, contactless without PIN: the usual offline EC tap). */
  entry?: string;
  /** 60.4 read capability and 60.5 IC condition, as on the transaction's own request. */
  icInfo?: Required<Pick<Field60, 'readCapability' | 'icCondition'>>;
}

/**
 * The 0320 that ends a batch upload (批上送结束): 60.3 = 202, field 48 = the number of transactions
 * uploaded (n4). Without MAC (see `applyMac`).
 * @throws MessageBuildError for a count outside 0..9999.
 */
export function buildBatchUploadEnd(
  id: TerminalIdentity,
  stan: string,
  batch: string,
  count: number,
): IsoMessage {
  if (!Number.isSafeInteger(count) || count < 0 || count > 9999)
    throw new MessageBuildError(48, `a batch upload count is 4 digits (0..9999), got ${count}`);
  return {
    mti: '0320',
    fields: {
      11: stan,
      41: id.terminalId,
      42: id.merchantId,
      48: String(count).padStart(4, '0'),
      60: field60({
        messageType: MESSAGE_TYPE_CODE.NETWORK,
        batch,
        networkCode: NETWORK_CODE.BATCH_UPLOAD_END,
      }),
    },
  };
}

/** The count of a batch upload's end (field 48, 4 digits), or undefined when it is not one. */
export function readBatchUploadEndCount(field48: string | undefined): number | undefined {
  return field48 !== undefined && /^\d{4}$/.test(field48) ? Number(field48) : undefined;
}

/** 0320 batch upload of one transaction (without MAC, see `applyMac`). */
export function buildBatchUpload(id: TerminalIdentity, batch: string, tx: UploadedTransaction): IsoMessage {
  const f: Record<number, string> = {
    2: tx.pan,
    3: '000000',
    4: amountField(tx.amount),
    11: tx.stan,
    22: tx.entry ?? '072',
    41: id.terminalId,
    42: id.merchantId,
    49: '156',
    60: field60({
      messageType: MESSAGE_TYPE_CODE.BATCH_UPLOAD,
      batch,
      networkCode: NETWORK_CODE.SETTLEMENT,
      ...(tx.icInfo ?? {}),
    }),
  };
  if (tx.iccData) f[55] = tx.iccData.toUpperCase();
  return { mti: '0320', fields: f };
}
