import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Observation } from '../../capabilities/index.js';
import { card, startRig, type Rig } from '../../emulator/emulator-test-kit.test-helper.js';
import { NexoPoi, startNexoServer, type NexoServerHandle } from '../../emulator/nexo/index.js';
import { encodeNexo, nexoResponse, nexoStatus, parseNexo, type NexoMessage } from '../../nexo/index.js';
import { NexoDriverLostTransactionError, NexoDriverRefusedError } from './errors.js';
import { NexoDriver } from './nexo-driver.js';

/** Resolves once `pred` holds (bounded: rejects after ~5 s). */
async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`never: ${what}`);
}

/** A stub POI: answers each message with `answer` (undefined = never; 'drop' = close the connection). */
async function stubPoi(
  answer: (m: NexoMessage) => NexoMessage | undefined | 'drop' | { status: number; body: string },
): Promise<{ url: string; seen: NexoMessage[]; close(): Promise<void> }> {
  const seen: NexoMessage[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      if (req.url !== '/nexo') return res.writeHead(404).end();
      const m = parseNexo(text);
      seen.push(m);
      const a = answer(m);
      if (a === undefined) return; // never answers
      if (a === 'drop') return req.socket.destroy();
      if ('status' in a) return res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(encodeNexo(a));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/nexo`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const diagnosisOk = (m: NexoMessage): NexoMessage =>
  nexoResponse(m.header, { Response: nexoStatus(true), POIStatus: { GlobalStatus: 'OK' } });

const paymentOk = (m: NexoMessage): NexoMessage =>
  nexoResponse(m.header, {
    Response: nexoStatus(true),
    SaleData: { SaleTransactionID: { TransactionID: 'x', TimeStamp: '2026-12-06T12:00:00Z' } },
    POIData: { POITransactionID: { TransactionID: 'POI-7', TimeStamp: '2026-12-06T12:00:01Z' } },
    PaymentResult: { AmountsResp: { AuthorizedAmount: 2.5, Currency: 'EUR' } },
  });

describe('drivers/nexo', function () {
  this.timeout(20000);

  describe('against the emulator', () => {
    let rig: Rig;
    let server: NexoServerHandle;
    let driver: NexoDriver;
    const seen: Observation[] = [];

    beforeEach(async () => {
      rig = await startRig({ signIn: false });
      server = await startNexoServer({
        poi: new NexoPoi({ terminal: rig.terminal, events: rig.terminal.events }),
      });
      driver = new NexoDriver('nexo test', { url: server.url, currency: 'CNY', startTimeoutMs: 300 });
      seen.length = 0;
      driver.observe((o) => seen.push(o));
      await driver.activate();
    });
    afterEach(async () => {
      await driver.deactivate();
      await server.close();
      await rig.close();
    });

    const results = (): Record<string, unknown>[] =>
      seen.filter((o) => o.kind === 'result').map((o) => o.data.result as Record<string, unknown>);

    it('signs in (Login), pays, voids the last payment (Reversal), with results, receipts and display texts', async () => {
      await driver.terminal.start('signIn');
      await driver.terminal.idle(5000);
      assert.equal(results()[0]?.outcome, 'approved');
      assert.equal((await driver.terminal.status()).signedIn, true);

      await driver.terminal.start('purchase', { amount: 1234 });
      await until(() => rig.terminal.status().state === 'waitingForCard', 'waiting for a card');
      await rig.terminal.cardSlot.insert(card('cup-debit'));
      await rig.terminal.keypad.enterPin('123456');
      await driver.terminal.idle(10000);
      await rig.terminal.cardSlot.remove();
      const paid = results()[1];
      assert.equal(paid?.outcome, 'approved', JSON.stringify(paid));
      assert.equal(paid?.amount, 1234);
      assert.equal(paid?.responseCode, '00');
      assert.match(String(paid?.maskedPan), /^\d{6}\*+\d{4}$/);
      await until(() => seen.some((o) => o.kind === 'receipt'), 'a receipt (PrintRequest)');
      assert.ok(seen.some((o) => o.kind === 'display' && o.data.source === 'nexo'));
      assert.notEqual(await driver.display.text(), '');

      await driver.terminal.start('void');
      await driver.terminal.idle(10000);
      assert.equal(results()[2]?.transaction, 'void');
      assert.equal(results()[2]?.outcome, 'approved', JSON.stringify(results()[2]));
    });

    it('aborts a running payment at the end of a scenario: the result is cancelled', async () => {
      await rig.terminal.signIn();
      await driver.terminal.start('purchase', { amount: 100 });
      await driver.endScenario();
      await until(() => results().length === 1, 'a result');
      assert.equal(results()[0]?.outcome, 'cancelled');
      assert.deepEqual(results()[0]?.nexo, { result: 'Failure', errorCondition: 'Aborted' });
    });

    it('cannot power-cycle or start a withdrawal over nexo (broken, says why)', async () => {
      await assert.rejects(driver.terminal.powerCycle(), /nexo cannot switch a terminal off and on/);
      await assert.rejects(driver.terminal.start('withdraw', { amount: 1 }), /nexo has no withdraw/);
    });
  });

  describe('against a terminal that misbehaves', () => {
    const opts = {
      currency: 'EUR',
      notifications: false,
      startTimeoutMs: 100,
      transactionTimeoutMs: 400,
      controlTimeoutMs: 200,
      recoveryTimeoutMs: 1000,
      recoveryIntervalMs: 100,
    };

    it('recovers a dropped payment with TransactionStatus (InProgress, then the repeated response)', async () => {
      let asked = 0;
      let payment: NexoMessage | undefined;
      const poi = await stubPoi((m) => {
        if (m.header.MessageCategory === 'Diagnosis') return diagnosisOk(m);
        if (m.header.MessageCategory === 'Payment') {
          payment = m;
          return 'drop';
        }
        if (m.header.MessageCategory === 'TransactionStatus' && payment) {
          if (++asked === 1) return nexoResponse(m.header, { Response: nexoStatus(false, 'InProgress') });
          const repeated = paymentOk(payment);
          return nexoResponse(m.header, {
            Response: nexoStatus(true),
            RepeatedMessageResponse: {
              MessageHeader: repeated.header,
              RepeatedResponseMessageBody: { PaymentResponse: repeated.body },
            },
          });
        }
        return undefined;
      });
      const seen: Observation[] = [];
      const faults: Error[] = [];
      const d = new NexoDriver('nexo stub', { url: poi.url, ...opts, onFault: (e) => faults.push(e) });
      d.observe((o) => seen.push(o));
      try {
        await d.activate();
        await d.terminal.start('purchase', { amount: 250 }).catch(() => undefined);
        await d.terminal.idle(5000);
        const result = seen.find((o) => o.kind === 'result')?.data.result as Record<string, unknown>;
        assert.equal(result.outcome, 'approved');
        assert.equal(result.amount, 250);
        assert.equal(result.reference, 'POI-7');
        assert.ok(
          seen.some((o) => o.kind === 'note' && /recovered by TransactionStatus/.test(String(o.data.text))),
        );
        assert.equal(asked, 2);
        assert.deepEqual(faults, []);
      } finally {
        await d.deactivate();
        await poi.close();
      }
    });

    it('a terminal that stops answering mid-payment: TransactionStatus, then a broken fault within the bound', async () => {
      const poi = await stubPoi((m) =>
        m.header.MessageCategory === 'Diagnosis' ? diagnosisOk(m) : undefined,
      );
      const faults: Error[] = [];
      const seen: Observation[] = [];
      const d = new NexoDriver('nexo stub', { url: poi.url, ...opts, onFault: (e) => faults.push(e) });
      d.observe((o) => seen.push(o));
      try {
        await d.activate();
        await d.terminal.start('purchase', { amount: 100 });
        await d.terminal.idle(10000);
        assert.equal(faults.length, 1);
        const f = faults[0] as NexoDriverLostTransactionError;
        assert.ok(f instanceof NexoDriverLostTransactionError);
        assert.equal(f.verdict, 'broken');
        assert.match(f.message, /stopped answering service \d+ \(Payment\).*within 1000 ms/);
        assert.ok(poi.seen.some((m) => m.header.MessageCategory === 'TransactionStatus'));
        assert.ok(!seen.some((o) => o.kind === 'result'));
      } finally {
        await d.deactivate();
        await poi.close();
      }
    });

    it('a terminal that answers malformed JSON or an unknown MessageCategory: broken, saying what it sent', async () => {
      for (const [answer, said] of [
        ['{"SaleToPOIResponse": {', /the answer is not a nexo message: nexo message: is not JSON/],
        [
          JSON.stringify({
            SaleToPOIResponse: {
              MessageHeader: {
                MessageClass: 'Service',
                MessageCategory: 'Teleport',
                MessageType: 'Response',
                ServiceID: '1',
                SaleID: 's',
                POIID: 'p',
              },
              TeleportResponse: {},
            },
          }),
          /MessageCategory 'Teleport' is not a MessageCategory payhil speaks/,
        ],
      ] as const) {
        const poi = await stubPoi((m) =>
          m.header.MessageCategory === 'Diagnosis' ? diagnosisOk(m) : { status: 200, body: answer },
        );
        const faults: Error[] = [];
        const d = new NexoDriver('nexo stub', { url: poi.url, ...opts, onFault: (e) => faults.push(e) });
        try {
          await d.activate();
          await d.terminal.start('purchase', { amount: 1 }).catch((e: unknown) => faults.push(e as Error));
          await d.terminal.idle(5000);
          assert.equal(faults.length, 1);
          const f = faults[0] as NexoDriverLostTransactionError;
          assert.equal(f.verdict, 'broken');
          assert.match(f.message, said);
        } finally {
          await d.deactivate();
          await poi.close();
        }
      }
    });

    it('a terminal that rejects the message: the step is refused, naming the field', async () => {
      const poi = await stubPoi((m) =>
        m.header.MessageCategory === 'Diagnosis'
          ? diagnosisOk(m)
          : {
              status: 400,
              body: JSON.stringify({
                SaleToPOIRequest: {
                  MessageHeader: {
                    MessageClass: 'Event',
                    MessageCategory: 'Event',
                    MessageType: 'Notification',
                    ServiceID: '1',
                    SaleID: 's',
                    POIID: 'p',
                  },
                  EventNotification: {
                    TimeStamp: '2026-12-06T12:00:00Z',
                    EventToNotify: 'Reject',
                    EventDetails: 'message=PaymentRequest%3A+SaleData+is+missing',
                  },
                },
              }),
            },
      );
      const d = new NexoDriver('nexo stub', { url: poi.url, ...opts });
      try {
        await d.activate();
        await assert.rejects(d.terminal.start('purchase', { amount: 1 }), (e: unknown) => {
          assert.ok(e instanceof NexoDriverRefusedError);
          assert.match(e.message, /HTTP 400: PaymentRequest: SaleData is missing/);
          return true;
        });
      } finally {
        await d.deactivate();
        await poi.close();
      }
    });

    it('an unreachable terminal: activate is broken with the reason', async () => {
      const poi = await stubPoi(() => undefined);
      await poi.close();
      const d = new NexoDriver('nexo gone', { url: poi.url, ...opts });
      await assert.rejects(d.activate(), (e: unknown) => {
        assert.equal((e as { verdict?: string }).verdict, 'broken');
        assert.match((e as Error).message, /nexo gone: activate: Diagnosis: /);
        return true;
      });
    });
  });

  describe('over TLS (payhil emulator --nexo-cert/--nexo-key)', () => {
    it('talks to an https POI whose certificate its CA checks, and refuses one it cannot check (broken)', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'payhil-nexo-tls-'));
      const rig = await startRig({ signIn: false });
      try {
        // A self-signed test certificate for 127.0.0.1, made with the machine's openssl.
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=payhil test POI',
            '-addext',
            'subjectAltName=IP:127.0.0.1',
            '-keyout',
            join(dir, 'key.pem'),
            '-out',
            join(dir, 'cert.pem'),
          ],
          { stdio: 'ignore' },
        );
        const cert = readFileSync(join(dir, 'cert.pem'));
        const server = await startNexoServer({
          poi: new NexoPoi({ terminal: rig.terminal, events: rig.terminal.events }),
          tls: { cert, key: readFileSync(join(dir, 'key.pem')) },
        });
        try {
          assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/nexo$/);
          const ok = new NexoDriver('nexo tls', {
            url: server.url,
            ca: cert,
            currency: 'CNY',
            notifications: false,
          });
          await ok.activate();
          assert.equal((await ok.terminal.status()).state, 'notSignedIn');
          await ok.deactivate();
          const unchecked = new NexoDriver('nexo tls', {
            url: server.url,
            currency: 'CNY',
            notifications: false,
          });
          await assert.rejects(unchecked.activate(), /nexo tls: activate: Diagnosis: .*self[- ]signed/i);
        } finally {
          await server.close();
        }
      } finally {
        await rig.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
