/** The nexo request of each terminal operation payhil maps (Login, Payment, Reversal, BalanceInquiry, Reconciliation). */
import type { TerminalOperationArgs, TerminalOperationName } from '../../capabilities/index.js';
import { fromMinorUnits, nexoRequest, type NexoMessage } from '../../nexo/index.js';
import { NexoDriverError, NexoDriverUnsupportedError } from './errors.js';

/** A POI transaction's identification, as a refund or reversal references it. */
export interface PoiTransactionId {
  TransactionID: string;
  TimeStamp: string;
}

/** What a service request is built from. */
export interface ServiceRequestContext {
  /** Driver name for errors. */
  name: string;
  /** SaleID, POIID and a fresh ServiceID. */
  parties: { SaleID: string; POIID: string; ServiceID: string };
  saleId: string;
  /** ISO 4217 alphabetic currency. */
  currency: string;
  /** Digits after the decimal point of the currency. */
  exponent: number;
  /** Amount (minor units) kept from an earlier `enterAmount`, used when `args` has none. */
  amount: number | undefined;
  /** The last approved purchase or refund, for `of: 'last'`. */
  lastPoiTransaction: PoiTransactionId | undefined;
}

/** The request of `op`; an operation nexo does not carry is a NexoDriverUnsupportedError. */
export function serviceRequest(
  op: TerminalOperationName,
  args: TerminalOperationArgs,
  ctx: ServiceRequestContext,
): NexoMessage {
  const amount = args.amount ?? ctx.amount ?? 0;
  const parties = ctx.parties;
  const saleData = {
    SaleTransactionID: {
      TransactionID: `${ctx.saleId}-${parties.ServiceID}`,
      TimeStamp: new Date().toISOString(),
    },
  };
  const amounts = {
    Currency: ctx.currency,
    RequestedAmount: fromMinorUnits(amount, ctx.exponent),
  };
  const original = (): PoiTransactionId => {
    const of = args.of ?? 'last';
    if (of !== 'last')
      return {
        TransactionID: of,
        TimeStamp: ctx.lastPoiTransaction?.TimeStamp ?? new Date().toISOString(),
      };
    if (!ctx.lastPoiTransaction)
      throw new NexoDriverError(
        ctx.name,
        op,
        "no earlier transaction with a POITransactionID to use for 'last'",
        { code: 'E_DRIVER_NO_ORIGINAL' },
      );
    return ctx.lastPoiTransaction;
  };
  switch (op) {
    case 'signIn':
      return nexoRequest('Login', parties, {
        DateTime: new Date().toISOString(),
        SaleSoftware: {
          ManufacturerID: 'payhil',
          ApplicationName: 'payhil',
          SoftwareVersion: '0.1',
          CertificationCode: 'none',
        },
        OperatorLanguage: 'en',
      });
    case 'purchase':
      return nexoRequest('Payment', parties, {
        SaleData: saleData,
        PaymentTransaction: { AmountsReq: amounts },
      });
    case 'refund':
      return nexoRequest('Payment', parties, {
        SaleData: saleData,
        PaymentTransaction: {
          AmountsReq: amounts,
          OriginalPOITransaction: { POITransactionID: original() },
        },
        PaymentData: { PaymentType: 'Refund' },
      });
    case 'void':
      return nexoRequest('Reversal', parties, {
        OriginalPOITransaction: { POITransactionID: original() },
        ReversalReason: 'MerchantCancel',
        ...(args.amount !== undefined ? { ReversedAmount: amounts.RequestedAmount } : {}),
      });
    case 'balance':
      return nexoRequest('BalanceInquiry', parties, {});
    case 'settle':
      return nexoRequest('Reconciliation', parties, { ReconciliationType: 'SaleReconciliation' });
    default:
      throw new NexoDriverUnsupportedError(
        ctx.name,
        op,
        `nexo has no ${op} payhil maps (pre-authorisation and withdrawal are not carried)`,
      );
  }
}
