/* eslint-disable @typescript-eslint/no-explicit-any -- tests mutate messages field by field */
import { strict as assert } from 'node:assert';
import { NexoMessageError, NexoUnknownCategoryError } from './errors.js';
import { currencyOfNumeric, fromMinorUnits, toMinorUnits } from './nexo-amount.js';
import { nexoRequest, nexoResponse, nexoStatus } from './nexo-builder.js';
import { encodeNexo } from './nexo-message.js';
import { parseNexo } from './nexo-parser.js';

/**
 * The payment request of Adyen's Terminal API guide "Make a payment" (docs.adyen.com/point-of-sale/
 * basic-tapi-integration/make-a-payment): header values and body as the guide shows them.
 */
const ADYEN_PAYMENT_REQUEST = `{
  "SaleToPOIRequest": {
    "MessageHeader": {
      "ProtocolVersion": "3.0",
      "MessageClass": "Service",
      "MessageCategory": "Payment",
      "MessageType": "Request",
      "SaleID": "POSSystemID12345",
      "ServiceID": "0207111104",
      "POIID": "V400m-324688179"
    },
    "PaymentRequest": {
      "SaleData": {
        "SaleTransactionID": { "TransactionID": "27908", "TimeStamp": "2019-03-07T10:11:04+00:00" }
      },
      "PaymentTransaction": { "AmountsReq": { "Currency": "EUR", "RequestedAmount": 10.99 } }
    }
  }
}`;

/** Adyen's DiagnosisRequest reference (docs.adyen.com/point-of-sale/diagnostics/request-diagnosis). */
const ADYEN_DIAGNOSIS_REQUEST = {
  SaleToPOIRequest: {
    MessageHeader: {
      ProtocolVersion: '3.0',
      MessageClass: 'Service',
      MessageCategory: 'Diagnosis',
      MessageType: 'Request',
      ServiceID: '0207111105',
      SaleID: 'POSSystemID12345',
      POIID: 'V400m-324688179',
    },
    DiagnosisRequest: { HostDiagnosisFlag: false },
  },
};

function refusal(text: string): NexoMessageError {
  try {
    parseNexo(text);
  } catch (e) {
    assert.ok(e instanceof NexoMessageError, `not a NexoMessageError: ${String(e)}`);
    return e;
  }
  assert.fail('accepted');
}

function mutate(f: (m: Record<string, any>) => void): string {
  const m = JSON.parse(ADYEN_PAYMENT_REQUEST) as Record<string, any>;
  f(m);
  return JSON.stringify(m);
}

describe('nexo/parser', () => {
  it('reads the payment request of the Adyen Terminal API guide', () => {
    const m = parseNexo(ADYEN_PAYMENT_REQUEST);
    assert.equal(m.envelope, 'SaleToPOIRequest');
    assert.equal(m.bodyName, 'PaymentRequest');
    assert.equal(m.header.POIID, 'V400m-324688179');
    assert.deepEqual((m.body as any).PaymentTransaction.AmountsReq, {
      Currency: 'EUR',
      RequestedAmount: 10.99,
    });
  });

  it('reads the diagnosis request of the Adyen reference', () => {
    const m = parseNexo(JSON.stringify(ADYEN_DIAGNOSIS_REQUEST));
    assert.equal(m.bodyName, 'DiagnosisRequest');
  });

  it('writes what it reads (request and response)', () => {
    const parties = { SaleID: 'S1', POIID: 'P-1', ServiceID: '42' };
    const req = nexoRequest('Reversal', parties, {
      OriginalPOITransaction: {
        POITransactionID: { TransactionID: 'abc', TimeStamp: '2026-01-01T00:00:00Z' },
      },
      ReversalReason: 'MerchantCancel',
    });
    assert.deepEqual(parseNexo(encodeNexo(req)), req);
    const res = nexoResponse(req.header, { Response: nexoStatus(false, 'NotFound') });
    const back = parseNexo(encodeNexo(res));
    assert.equal(back.bodyName, 'ReversalResponse');
    assert.deepEqual(back.body, { Response: { Result: 'Failure', ErrorCondition: 'NotFound' } });
  });

  it('refuses text that is not JSON', () => {
    const e = refusal('{"SaleToPOIRequest": {');
    assert.equal(e.code, 'E_NEXO_JSON');
    assert.match(e.message, /not JSON/);
  });

  it('refuses a value that is not one envelope', () => {
    assert.match(refusal('[]').message, /JSON object/);
    assert.match(refusal('{"a":1,"b":2}').message, /exactly one SaleToPOIRequest/);
    assert.match(refusal('{"SaleToPOIRequest": 3}').message, /SaleToPOIRequest must be an object/);
  });

  it('refuses an unknown MessageCategory, naming it', () => {
    const e = refusal(mutate((m) => (m.SaleToPOIRequest.MessageHeader.MessageCategory = 'Teleport')));
    assert.ok(e instanceof NexoUnknownCategoryError);
    assert.equal(e.code, 'E_NEXO_UNKNOWN_CATEGORY');
    assert.equal(e.field, 'SaleToPOIRequest.MessageHeader.MessageCategory');
    assert.match(e.message, /'Teleport' is not a MessageCategory/);
  });

  it('names the message and the field at fault', () => {
    const cases: [(m: Record<string, any>) => void, string, RegExp][] = [
      [
        (m) => delete m.SaleToPOIRequest.MessageHeader.POIID,
        'SaleToPOIRequest.MessageHeader.POIID',
        /missing/,
      ],
      [
        (m) => (m.SaleToPOIRequest.MessageHeader.MessageClass = 'Device'),
        'SaleToPOIRequest.MessageHeader.MessageClass',
        /must be Service/,
      ],
      [
        (m) => (m.SaleToPOIRequest.MessageHeader.MessageType = 'Response'),
        'SaleToPOIRequest.MessageHeader.MessageType',
        /Request or Notification/,
      ],
      [
        (m) => delete m.SaleToPOIRequest.MessageHeader.ServiceID,
        'SaleToPOIRequest.MessageHeader.ServiceID',
        /required/,
      ],
      [
        (m) => (m.SaleToPOIRequest.MessageHeader.ServiceID = '01234567890'),
        'SaleToPOIRequest.MessageHeader.ServiceID',
        /1 to 10/,
      ],
      [
        (m) => (m.SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount = '10.99'),
        'SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount',
        /must be a number/,
      ],
      [
        (m) => delete m.SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID,
        'SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID',
        /missing/,
      ],
      [
        (m) => (m.SaleToPOIRequest.PaymentRequest.PaymentData = { PaymentType: 'Gift' }),
        'SaleToPOIRequest.PaymentRequest.PaymentData.PaymentType',
        /one of Normal, Refund/,
      ],
      [
        (m) => ((m.SaleToPOIRequest.ReversalRequest = {}), delete m.SaleToPOIRequest.PaymentRequest),
        'SaleToPOIRequest.PaymentRequest',
        /missing/,
      ],
      [(m) => (m.SaleToPOIRequest.ReversalRequest = {}), 'SaleToPOIRequest', /one message body/],
    ];
    for (const [f, field, problem] of cases) {
      const e = refusal(mutate(f));
      assert.equal(e.field, field, e.message);
      assert.match(e.message, problem);
      assert.match(e.message, /^(SaleToPOIRequest|PaymentRequest)/);
    }
  });

  it('converts amounts between nexo decimals and minor units', () => {
    assert.equal(toMinorUnits(10.99, 2), 1099);
    assert.equal(toMinorUnits(0.29, 2), 29);
    assert.equal(fromMinorUnits(1099, 2), 10.99);
    assert.equal(fromMinorUnits(500, 0), 500);
    assert.throws(() => toMinorUnits(1.001, 2), /more than 2 decimals/);
    assert.throws(() => toMinorUnits(-1, 2), /non-negative/);
    assert.deepEqual(currencyOfNumeric('0156'), { alpha: 'CNY', exponent: 2 });
    assert.throws(() => currencyOfNumeric('999'), /no ISO 4217/);
  });
});
