import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { Types } from '@adyen/api-library';
import { encodeNexo, nexoRequest, parseNexo, type NexoMessage, type NexoParties } from '../../nexo/index.js';
import { card, received, startRig, type Rig } from '../emulator-test-kit.test-helper.js';
import { NexoPoi } from './nexo-poi.js';
import { startNexoServer, type NexoServerHandle } from './nexo-server.js';

function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Resolves once the terminal waits for a card (bounded). */
async function untilWaitingForCard(rig: Rig): Promise<void> {
  for (let i = 0; i < 200 && rig.terminal.status().state !== 'waitingForCard'; i++)
    await new Promise((r) => setTimeout(r, 20));
}

const JSON_TYPE = { 'content-type': 'application/json' };
const SALE_TX = { TransactionID: 'T-1', TimeStamp: '2026-12-06T12:00:00Z' };

describe('emulator nexo endpoint', function () {
  this.timeout(20000);
  let rig: Rig;
  let poi: NexoPoi;
  let server: NexoServerHandle;
  let service = 0;
  const parties = (): NexoParties => ({
    SaleID: 'TILL1',
    POIID: 'payhil-emulator',
    ServiceID: String(++service),
  });

  async function post(m: NexoMessage): Promise<NexoMessage | undefined> {
    const r = await raw(server.url, { headers: JSON_TYPE, body: encodeNexo(m) });
    assert.equal(r.status, 200, r.body);
    return r.body ? parseNexo(r.body) : undefined;
  }

  const payment = (amount: number, extra: Record<string, unknown> = {}): NexoMessage =>
    nexoRequest('Payment', parties(), {
      SaleData: { SaleTransactionID: SALE_TX },
      PaymentTransaction: { AmountsReq: { Currency: 'CNY', RequestedAmount: amount } },
      ...extra,
    });

  beforeEach(async () => {
    rig = await startRig({ signIn: false });
    poi = new NexoPoi({ terminal: rig.terminal, events: rig.terminal.events });
    server = await startNexoServer({ poi });
  });
  afterEach(async () => {
    await server.close();
    await rig.close();
  });

  it('signs in on Login, pays, reverses and reconciles; the Adyen library reads the answers', async () => {
    const login = await post(
      nexoRequest('Login', parties(), {
        DateTime: '2026-12-06T12:00:00Z',
        SaleSoftware: { ApplicationName: 'till', SoftwareVersion: '1', CertificationCode: 'x' },
        OperatorLanguage: 'en',
      }),
    );
    assert.deepEqual((login?.body as { Response: unknown }).Response, {
      Result: 'Success',
      AdditionalResponse: (login?.body as { Response: { AdditionalResponse: string } }).Response
        .AdditionalResponse,
    });
    assert.equal(rig.terminal.signedIn, true);

    const paying = post(payment(12.34));
    await untilWaitingForCard(rig);
    await rig.terminal.cardSlot.insert(card('cup-debit'));
    await rig.terminal.keypad.enterPin('123456');
    const paid = await paying;
    await rig.terminal.cardSlot.remove();
    assert.ok(paid);
    const read = Types.terminal.ObjectSerializer.deserialize(
      (JSON.parse(encodeNexo(paid)) as { SaleToPOIResponse: unknown }).SaleToPOIResponse,
      'SaleToPOIResponse',
    ) as Types.terminal.SaleToPOIResponse;
    const pr = read.PaymentResponse;
    assert.equal(pr?.Response.Result, 'Success', pr?.Response.AdditionalResponse);
    assert.equal(pr?.PaymentResult?.AmountsResp?.AuthorizedAmount, 12.34);
    assert.match(pr?.PaymentResult?.PaymentInstrumentData?.CardData?.MaskedPan ?? '', /^\d{6}\*+\d{4}$/);
    assert.equal(received(rig.host, '0200').at(-1)?.fields?.[4], '000000001234');
    const ref = pr?.POIData.POITransactionID.TransactionID as string;

    const reversed = await post(
      nexoRequest('Reversal', parties(), {
        OriginalPOITransaction: { POITransactionID: { TransactionID: ref, TimeStamp: SALE_TX.TimeStamp } },
        ReversalReason: 'MerchantCancel',
      }),
    );
    assert.equal((reversed?.body as { Response: { Result: string } }).Response.Result, 'Success');

    const rec = await post(
      nexoRequest('Reconciliation', parties(), { ReconciliationType: 'SaleReconciliation' }),
    );
    assert.equal(rec?.bodyName, 'ReconciliationResponse');
    assert.equal((rec?.body as { Response: { Result: string } }).Response.Result, 'Success');
  });

  it('answers TransactionStatus: InProgress while a payment runs, then the repeated response; Abort cancels', async () => {
    await rig.terminal.signIn();
    const p = payment(5);
    const paying = post(p);
    await new Promise((r) => setTimeout(r, 100));
    const status = (ref: string | undefined) =>
      post(
        nexoRequest('TransactionStatus', parties(), {
          MessageReference: {
            MessageCategory: 'Payment',
            ...(ref ? { ServiceID: ref } : {}),
            SaleID: 'TILL1',
          },
        }),
      );
    const during = await status(p.header.ServiceID);
    assert.deepEqual((during?.body as { Response: unknown }).Response, {
      Result: 'Failure',
      ErrorCondition: 'InProgress',
    });
    const abort = await post(
      nexoRequest('Abort', parties(), {
        MessageReference: { MessageCategory: 'Payment', ServiceID: p.header.ServiceID, SaleID: 'TILL1' },
        AbortReason: 'MerchantAbort',
      }),
    );
    assert.equal(abort, undefined);
    const aborted = await paying;
    assert.equal(
      (aborted?.body as { Response: { ErrorCondition: string } }).Response.ErrorCondition,
      'Aborted',
    );
    const after = await status(p.header.ServiceID);
    const body = after?.body as {
      Response: { Result: string };
      RepeatedMessageResponse: { RepeatedResponseMessageBody: Record<string, unknown> };
    };
    assert.equal(body.Response.Result, 'Success');
    assert.deepEqual(body.RepeatedMessageResponse.RepeatedResponseMessageBody.PaymentResponse, aborted?.body);
    const unknown = await status('999999');
    assert.equal(
      (unknown?.body as { Response: { ErrorCondition: string } }).Response.ErrorCondition,
      'NotFound',
    );
  });

  it('delivers display texts and receipts as DisplayRequest and PrintRequest by long-poll', async () => {
    const first = await raw(`${server.url}/notifications?after=0&wait=0`, { method: 'GET' });
    const start = (JSON.parse(first.body) as { next: number }).next;
    await rig.terminal.signIn();
    const paying = post(payment(1));
    await untilWaitingForCard(rig);
    await rig.terminal.cardSlot.insert(card('cup-debit'));
    await rig.terminal.keypad.enterPin('123456');
    await paying;
    await rig.terminal.cardSlot.remove();
    const r = await raw(`${server.url}/notifications?after=${start}&wait=1000`, { method: 'GET' });
    const got = JSON.parse(r.body) as { next: number; lost: number; messages: unknown[] };
    const msgs = got.messages.map((m) => parseNexo(JSON.stringify(m)));
    assert.ok(msgs.some((m) => m.bodyName === 'DisplayRequest'));
    const print = msgs.find((m) => m.bodyName === 'PrintRequest');
    assert.ok(print, 'a receipt');
    assert.equal(got.lost, 0);
    assert.ok(got.next > start);
  });

  it('refuses bad input with clear answers and keeps serving', async () => {
    const reject = async (body: string, field: RegExp): Promise<void> => {
      const r = await raw(server.url, { headers: JSON_TYPE, body });
      assert.equal(r.status, 400);
      const m = parseNexo(r.body);
      assert.equal(m.bodyName, 'EventNotification');
      const ev = m.body as { EventToNotify: string; EventDetails: string };
      assert.equal(ev.EventToNotify, 'Reject');
      assert.match(new URLSearchParams(ev.EventDetails).get('message') ?? '', field);
    };
    await reject('{"SaleToPOIRequest": {', /not JSON/);
    const unknown = JSON.parse(encodeNexo(payment(1))) as {
      SaleToPOIRequest: { MessageHeader: Record<string, string> };
    };
    unknown.SaleToPOIRequest.MessageHeader.MessageCategory = 'Teleport';
    await reject(JSON.stringify(unknown), /MessageCategory 'Teleport' is not a MessageCategory/);
    await reject(
      encodeNexo(payment(1)).replace('"RequestedAmount":1', '"RequestedAmount":"1"'),
      /PaymentRequest.*RequestedAmount must be a number/,
    );
    assert.equal(
      (await raw(server.url, { headers: { ...JSON_TYPE, host: 'evil.example' }, body: '{}' })).status,
      403,
    );
    assert.equal(
      (await raw(server.url, { headers: { ...JSON_TYPE, origin: 'http://evil.example' }, body: '{}' }))
        .status,
      403,
    );
    assert.equal(
      (await raw(server.url, { headers: { 'content-type': 'text/plain' }, body: '{}' })).status,
      415,
    );
    assert.equal((await raw(server.url, { method: 'GET' })).status, 405);
    assert.equal((await raw(server.url, { headers: JSON_TYPE, body: 'x'.repeat(70 * 1024) })).status, 413);
    const diag = await post(nexoRequest('Diagnosis', parties(), {}));
    assert.equal((diag?.body as { POIStatus: { GlobalStatus: string } }).POIStatus.GlobalStatus, 'OK');
  });

  it('answers a payment in another currency NotAllowed, a second service while one runs Busy', async () => {
    await rig.terminal.signIn();
    const eur = await post(
      nexoRequest('Payment', parties(), {
        SaleData: { SaleTransactionID: SALE_TX },
        PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 1 } },
      }),
    );
    assert.equal(
      (eur?.body as { Response: { ErrorCondition: string } }).Response.ErrorCondition,
      'NotAllowed',
    );
    const paying = post(payment(1));
    await new Promise((r) => setTimeout(r, 100));
    const busy = await post(payment(2));
    assert.equal((busy?.body as { Response: { ErrorCondition: string } }).Response.ErrorCondition, 'Busy');
    await rig.terminal.cancel();
    await paying;
  });
});
