/**
 * `@adyen/api-library` (MIT) as an independent peer: the Terminal API models it ships build messages our
 * parser must accept, and its ObjectSerializer must read the messages we build into its models.
 */
import { strict as assert } from 'node:assert';
import { Types } from '@adyen/api-library';
import { nexoRequest, nexoResponse, nexoStatus, textContent } from './nexo-builder.js';
import { encodeNexo } from './nexo-message.js';
import { parseNexo } from './nexo-parser.js';

const T = Types.terminal;

const header = (
  category: Types.terminal.MessageCategoryType,
  serviceId = '1001',
): Types.terminal.MessageHeader => ({
  ProtocolVersion: '3.0',
  MessageClass: T.MessageClassType.Service,
  MessageCategory: category,
  MessageType: T.MessageType.Request,
  SaleID: 'SALE1',
  ServiceID: serviceId,
  POIID: 'P400Plus-275008565',
});

/** The JSON text the library sends for a request. */
function adyenRequest(req: Types.terminal.SaleToPOIRequest): string {
  return JSON.stringify(T.ObjectSerializer.serialize({ SaleToPOIRequest: req }, 'TerminalApiRequest'));
}

describe('nexo/adyen-peer', () => {
  it('accepts the requests the Adyen library builds', () => {
    const sale = { SaleTransactionID: { TransactionID: 'T-1', TimeStamp: new Date().toISOString() } };
    const requests: Types.terminal.SaleToPOIRequest[] = [
      {
        MessageHeader: header(T.MessageCategoryType.Payment),
        PaymentRequest: {
          SaleData: sale,
          PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 12.5 } },
        },
      },
      {
        MessageHeader: header(T.MessageCategoryType.Payment),
        PaymentRequest: {
          SaleData: sale,
          PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 1 } },
          PaymentData: { PaymentType: T.PaymentData.PaymentTypeEnum.Refund },
        },
      },
      {
        MessageHeader: header(T.MessageCategoryType.Reversal),
        ReversalRequest: {
          OriginalPOITransaction: {
            POITransactionID: { TransactionID: 'X1', TimeStamp: '2026-01-01T00:00:00Z' },
          },
          ReversalReason: T.ReversalReasonType.MerchantCancel,
        },
      },
      {
        MessageHeader: header(T.MessageCategoryType.Abort),
        AbortRequest: {
          AbortReason: 'MerchantAbort',
          MessageReference: {
            MessageCategory: T.MessageReference.MessageCategoryEnum.Payment,
            SaleID: 'SALE1',
            ServiceID: '1000',
          },
        },
      },
      {
        MessageHeader: header(T.MessageCategoryType.TransactionStatus),
        TransactionStatusRequest: {
          MessageReference: {
            MessageCategory: T.MessageReference.MessageCategoryEnum.Payment,
            SaleID: 'SALE1',
            ServiceID: '1000',
          },
          ReceiptReprintFlag: true,
        },
      },
      {
        MessageHeader: header(T.MessageCategoryType.Reconciliation),
        ReconciliationRequest: { ReconciliationType: T.ReconciliationType.SaleReconciliation },
      },
      {
        MessageHeader: header(T.MessageCategoryType.Diagnosis),
        DiagnosisRequest: { HostDiagnosisFlag: false },
      },
      { MessageHeader: header(T.MessageCategoryType.BalanceInquiry), BalanceInquiryRequest: {} },
      {
        MessageHeader: header(T.MessageCategoryType.Login),
        LoginRequest: {
          DateTime: new Date('2026-12-06T12:00:00Z') as unknown as Record<string, never>,
          SaleSoftware: {
            ApplicationName: 'till',
            SoftwareVersion: '1.0',
            CertificationCode: 'none',
            ManufacturerID: 'payhil',
          },
          OperatorLanguage: 'en',
        },
      },
      { MessageHeader: header(T.MessageCategoryType.Logout), LogoutRequest: {} },
    ];
    for (const r of requests) {
      const text = adyenRequest(r);
      const m = parseNexo(text);
      assert.equal(m.header.MessageCategory, r.MessageHeader.MessageCategory, text);
    }
  });

  it('is read by the Adyen library: a payment response with its receipt', () => {
    const req = nexoRequest(
      'Payment',
      { SaleID: 'SALE1', POIID: 'P-1', ServiceID: '77' },
      {
        SaleData: { SaleTransactionID: { TransactionID: 'T-1', TimeStamp: '2026-12-06T12:00:00Z' } },
        PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 12.5 } },
      },
    );
    const res = nexoResponse(req.header, {
      Response: nexoStatus(true),
      SaleData: { SaleTransactionID: { TransactionID: 'T-1', TimeStamp: '2026-12-06T12:00:00Z' } },
      POIData: { POITransactionID: { TransactionID: '000123456789', TimeStamp: '2026-12-06T12:00:05Z' } },
      PaymentResult: {
        AmountsResp: { AuthorizedAmount: 12.5, Currency: 'EUR' },
        PaymentInstrumentData: {
          PaymentInstrumentType: 'Card',
          CardData: { MaskedPan: '622588******1234', EntryMode: ['ICC'] },
        },
        PaymentAcquirerData: { ApprovalCode: '123456' },
      },
      PaymentReceipt: [
        { DocumentQualifier: 'CashierReceipt', OutputContent: textContent(['SALE', '12.50 EUR']) },
      ],
    });
    const json = JSON.parse(encodeNexo(res)) as { SaleToPOIResponse: unknown };
    const read = T.ObjectSerializer.deserialize(
      json.SaleToPOIResponse,
      'SaleToPOIResponse',
    ) as Types.terminal.SaleToPOIResponse;
    assert.equal(read.MessageHeader.MessageCategory, T.MessageCategoryType.Payment);
    assert.equal(read.MessageHeader.ServiceID, '77');
    assert.equal(read.PaymentResponse?.Response.Result, T.ResultType.Success);
    assert.equal(read.PaymentResponse?.PaymentResult?.AmountsResp?.AuthorizedAmount, 12.5);
    assert.equal(read.PaymentResponse?.PaymentReceipt?.[0]?.OutputContent.OutputText?.[1]?.Text, '12.50 EUR');
    assert.equal(read.PaymentResponse?.POIData.POITransactionID.TransactionID, '000123456789');
    // The library writes it back as we wrote it.
    assert.deepEqual(
      JSON.parse(JSON.stringify(T.ObjectSerializer.serialize(read, 'SaleToPOIResponse'))),
      json.SaleToPOIResponse,
    );
  });

  it('is read by the Adyen library: failure, transaction status and event notification', () => {
    const parties = { SaleID: 'SALE1', POIID: 'P-1', ServiceID: '78' };
    const status = nexoResponse(nexoRequest('TransactionStatus', parties, {}).header, {
      Response: nexoStatus(false, 'InProgress'),
    });
    const s = T.ObjectSerializer.deserialize(
      (JSON.parse(encodeNexo(status)) as { SaleToPOIResponse: unknown }).SaleToPOIResponse,
      'SaleToPOIResponse',
    ) as Types.terminal.SaleToPOIResponse;
    assert.equal(
      s.TransactionStatusResponse?.Response.ErrorCondition,
      T.Response.ErrorConditionEnum.InProgress,
    );
    const event = nexoRequest('Event', parties, {
      TimeStamp: '2026-12-06T12:00:00Z',
      EventToNotify: 'Reject',
      EventDetails: 'message=bad',
    });
    const e = T.ObjectSerializer.deserialize(
      (JSON.parse(encodeNexo(event)) as { SaleToPOIRequest: unknown }).SaleToPOIRequest,
      'SaleToPOIRequest',
    ) as Types.terminal.SaleToPOIRequest;
    assert.equal(e.MessageHeader.MessageType, T.MessageType.Notification);
    assert.equal(e.EventNotification?.EventToNotify, T.EventToNotifyType.Reject);
  });
});
