/** payhil's result of a nexo service answer: outcome, message key, references, amounts and receipts. */
import type { Observation, TerminalOperationName } from '../../capabilities/index.js';
import { maskPansInText } from '../../common/mask.js';
import {
  outputText,
  toMinorUnits,
  type NexoBody,
  type NexoMessage,
  type NexoResponseStatus,
  type PaymentReceipt,
} from '../../nexo/index.js';
import type { PoiTransactionId } from './nexo-service-request.js';

/** What a service's answer brings onto the timeline. */
export interface ServiceResult {
  /** The `result` observation's result. */
  result: Record<string, unknown>;
  /** Its outcome (`approved`, `declined`, `cancelled`, `failed`, or the POI's own). */
  outcome: string;
  /** The POI's transaction, when the answer names one. */
  poiTransaction: PoiTransactionId | undefined;
  /** Receipts the answer carries in PaymentReceipt, as `receipt` observations. */
  receipts: Observation[];
}

/** The result of `op`'s answer `m`; amounts in minor units of a currency of `exponent` digits. */
export function serviceResult(op: TerminalOperationName, m: NexoMessage, exponent: number): ServiceResult {
  const body = m.body as NexoBody & {
    Response: NexoResponseStatus;
    POIData?: { POITransactionID?: PoiTransactionId };
    PaymentResult?: {
      AmountsResp?: { AuthorizedAmount: number };
      PaymentInstrumentData?: { CardData?: { MaskedPan?: string } };
      PaymentAcquirerData?: { ApprovalCode?: string };
    };
    PaymentReceipt?: PaymentReceipt[];
    PaymentAccountStatus?: { CurrentBalance?: number };
    ReversedAmount?: number;
  };
  const status = body.Response;
  const extra = additional(status);
  const outcome = extra.get('outcome') ?? outcomeOf(status);
  const poiTx = body.POIData?.POITransactionID;
  const result: Record<string, unknown> = {
    transaction: op,
    outcome,
    messageKey: extra.get('messageKey') ?? messageKeyOf(status),
    message:
      extra.get('message') ?? `${status.Result}${status.ErrorCondition ? ` ${status.ErrorCondition}` : ''}`,
    nexo: {
      result: status.Result,
      ...(status.ErrorCondition ? { errorCondition: status.ErrorCondition } : {}),
    },
  };
  const set = (k: string, v: unknown): void => {
    if (v !== undefined && v !== null && v !== '') result[k] = v;
  };
  set('responseCode', extra.get('responseCode'));
  set('stan', extra.get('stan'));
  set('entryMode', extra.get('entryMode'));
  set('currency', extra.get('currency'));
  set('reference', extra.get('reference') ?? (poiTx?.TransactionID || undefined));
  set('authCode', body.PaymentResult?.PaymentAcquirerData?.ApprovalCode);
  const pan = body.PaymentResult?.PaymentInstrumentData?.CardData?.MaskedPan;
  if (pan) set('maskedPan', maskPansInText(pan.replace(/\s/g, '')));
  const authorized = body.PaymentResult?.AmountsResp?.AuthorizedAmount ?? body.ReversedAmount;
  if (authorized !== undefined && outcome === 'approved') set('amount', toMinorUnits(authorized, exponent));
  const balance = body.PaymentAccountStatus?.CurrentBalance;
  if (balance !== undefined) set('balance', toMinorUnits(balance, exponent));
  const receipts: Observation[] = (body.PaymentReceipt ?? []).map((r) => ({
    kind: 'receipt',
    at: Date.now(),
    data: {
      text: maskPansInText(outputText(r.OutputContent)),
      copy: r.DocumentQualifier === 'CustomerReceipt' ? 'customer' : 'merchant',
      source: 'nexo',
    },
  }));
  return { result, outcome, poiTransaction: poiTx, receipts };
}

/** AdditionalResponse as key=value pairs (Adyen's form; payhil's POI puts its result fields there). */
export function additional(s: NexoResponseStatus | undefined): URLSearchParams {
  try {
    return new URLSearchParams(s?.AdditionalResponse ?? '');
  } catch {
    return new URLSearchParams();
  }
}

/** True when the POI stated payhil's outcome in AdditionalResponse (a result, not a refusal). */
export function hasPayhilOutcome(s: NexoResponseStatus): boolean {
  return additional(s).has('outcome');
}

/** payhil's outcome of a nexo Response (for a terminal that does not say it in AdditionalResponse). */
function outcomeOf(s: NexoResponseStatus): string {
  if (s.Result === 'Success') return 'approved';
  switch (s.ErrorCondition) {
    case 'Refusal':
    case 'WrongPIN':
    case 'InvalidCard':
    case 'PaymentRestriction':
      return 'declined';
    case 'Cancel':
    case 'Aborted':
      return 'cancelled';
    default:
      return 'failed';
  }
}

function messageKeyOf(s: NexoResponseStatus): string {
  if (s.Result === 'Success') return 'approved';
  return s.ErrorCondition ? s.ErrorCondition.charAt(0).toLowerCase() + s.ErrorCondition.slice(1) : 'failed';
}
