/**
 * The host simulator through a real TCP socket on 127.0.0.1: sign-in, every transaction type, every
 * response code the issue names, rules, journal. Card data and keys come from harness/testing/host-test-config.ts
 * (TEST data); cryptograms are computed with harness/emv.
 */
import { strict as assert } from 'node:assert';
import {
  deriveCommonSessionKey,
  deriveIccMasterKeyOptionA,
  generateArpcMethod1,
} from '../../harness/emv/index.js';
import { fromHex, toHex } from '../../harness/crypto/index.js';
import { flattenTlv, parseTlv } from '../../harness/emv/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import {
  RC,
  applyMac,
  buildBatchUpload,
  buildBatchUploadEnd,
  buildNetworkManagement,
  buildSettlement,
  buildSignIn,
  settlementResult,
} from '../../harness/pos-protocol/index.js';
import {
  buildIccData,
  TEST_IMK_AC,
  TEST_PANS,
  TEST_PIN,
  TEST_TERMINAL,
  TEST_TERMINAL_2,
  TEST_TMK,
  testHostConfig,
  TestTerminal,
  type Answer,
} from '../../harness/testing/index.js';

let atc = 1;
function chip(
  pan: string,
  amount: number,
  opts: { cvn?: 10 | 18; corrupt?: boolean; extra?: Record<string, string> } = {},
) {
  return {
    pan,
    expiry: '3012',
    psn: '01',
    iccData: buildIccData({
      imkAc: TEST_IMK_AC,
      pan,
      psn: '01',
      atc: atc++,
      amount,
      cvn: opts.cvn ?? 18,
      corrupt: opts.corrupt ?? false,
      extra: opts.extra ?? {},
    }),
  };
}
const swipe = (pan: string) => ({ pan, expiry: '3012', track2: `${pan}=30122201234500000` });

describe('host e2e: transactions over TCP (cup)', function () {
  let host: HostHandle;
  let t: TestTerminal;
  const others: TestTerminal[] = [];
  const open = async (
    id: { terminalId: string; merchantId: string } = TEST_TERMINAL,
    tmk = TEST_TMK,
    timeoutMs = 3000,
  ) => {
    const x = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      ...id,
      tmk,
      timeoutMs,
    });
    others.push(x);
    return x;
  };
  const balance = (pan: string) => host.accounts.get(pan)?.balance;
  const purchase = (pan: string, amount: number, extra: Record<string, unknown> = {}) =>
    t.transact('purchase', { card: chip(pan, amount), amount, pin: TEST_PIN, ...extra });

  before(async () => {
    host = await startHost({ dialect: 'cup', config: testHostConfig() });
    t = await open();
  });
  beforeEach(async () => {
    host.reset();
    await t.signIn();
  });
  after(async () => {
    for (const x of others) await x.close();
    await host.close();
  });

  describe('sign-in and message security', () => {
    it('hands out PIK, MAK and TDK under the TMK with check values (60 bytes, scheme 004) and MACs the answer', async () => {
      const a = await t.signIn('004');
      assert.equal(a.mti, '0810');
      assert.equal(a.fields[39], '00');
      assert.equal(a.fields[62]?.length, 120);
      assert.equal(a.fields[60], '00000001004');
      assert.equal(a.macOk, true);
      assert.equal(t.keys?.pik.length, 16);
      assert.equal(t.keys?.tdk?.length, 16);
    });
    it('uses the 24-byte (001) and 40-byte (003) layouts when asked', async () => {
      const a1 = await t.signIn('001');
      assert.equal(a1.fields[62]?.length, 48);
      assert.equal(t.keys?.pik.length, 8);
      const a3 = await t.signIn('003');
      assert.equal(a3.fields[62]?.length, 80);
      assert.equal(t.keys?.tdk, undefined);
      const r = await purchase(TEST_PANS.debit, 100);
      assert.equal(r.answer.fields[39], '00');
    });
    it('rotates the keys at every sign-in', async () => {
      const before = t.keys?.mak.toString('hex');
      await t.signIn();
      assert.notEqual(t.keys?.mak.toString('hex'), before);
    });
    it('swaps TPDU source and destination in the answer', async () => {
      const a = await t.echo();
      assert.equal(a.tpdu, '6000000003');
    });
    it('refuses an unknown terminal with 97', async () => {
      const x = await open({ terminalId: '99999999', merchantId: '123456789012345' });
      const a = await x.exchange(
        buildSignIn({ terminalId: '99999999', merchantId: '123456789012345' }, '000001'),
        { mac: false },
      );
      assert.equal(a.fields[39], RC.TERMINAL_UNKNOWN);
    });
    it('refuses a terminal that has not signed in with 77', async () => {
      const x = await open(TEST_TERMINAL_2, '11111111111111112222222222222222');
      const a = await x.exchange(x.build('purchase', { card: swipe(TEST_PANS.credit), amount: 100 }), {
        mac: false,
      });
      assert.equal(a.fields[39], RC.SIGN_IN_REQUIRED);
      await x.signIn();
      const b = await x.transact('purchase', { card: swipe(TEST_PANS.credit), amount: 100 });
      assert.equal(b.answer.fields[39], '00');
    });
    it('answers A0 to a request whose MAC does not verify, and changes nothing', async () => {
      const msg = t.build('purchase', { card: chip(TEST_PANS.debit, 100), amount: 100, pin: TEST_PIN });
      applyMac(t.dialect, msg, t.keys!.mak);
      msg.fields[64] = '0000000000000000';
      const a = await t.exchange(msg, { mac: false });
      assert.equal(a.fields[39], RC.BAD_MAC);
      assert.equal(balance(TEST_PANS.debit), 100000);
    });
    it('sign-out (0820, 60.3 = 002) requires a new sign-in', async () => {
      const a = await t.exchange(buildNetworkManagement(t.id, t.nextStan(), t.batch, '002'));
      assert.equal(a.fields[39], '00');
      const b = await t.exchange(t.build('purchase', { card: swipe(TEST_PANS.credit), amount: 1 }), {
        mac: false,
      });
      assert.equal(b.fields[39], RC.SIGN_IN_REQUIRED);
    });
  });

  describe('transaction types', () => {
    it('purchase (chip, CVN 18): approves, debits, answers the ARPC (method 1, session key) in 55 and a verifying MAC', async () => {
      const { request, answer } = await purchase(TEST_PANS.debit, 1234);
      assert.equal(answer.mti, '0210');
      assert.equal(answer.fields[39], '00');
      assert.equal(answer.macOk, true);
      assert.match(answer.fields[37] ?? '', /^\d{12}$/);
      assert.match(answer.fields[38] ?? '', /^\d{6}$/);
      assert.equal(balance(TEST_PANS.debit), 100000 - 1234);
      const req = flattenTlv(parseTlv(fromHex(request.fields[55]!)));
      const iad91 = flattenTlv(parseTlv(fromHex(answer.fields[55]!))).get('91')!;
      // Independent check: session key from the IMK by EMV option A + common session key derivation.
      const mk = deriveIccMasterKeyOptionA(fromHex(TEST_IMK_AC), TEST_PANS.debit, '01');
      const key = deriveCommonSessionKey(mk, req.get('9F36')!);
      assert.equal(
        toHex(iad91),
        toHex(generateArpcMethod1(key, req.get('9F26')!, Buffer.from('00'))) + '3030',
      );
    });
    it('purchase (chip, CVN 10): ARPC method 1 with the ARC', async () => {
      const { request, answer } = await t.transact('purchase', {
        card: chip(TEST_PANS.cvn10, 500, { cvn: 10 }),
        amount: 500,
        pin: TEST_PIN,
      });
      assert.equal(answer.fields[39], '00');
      const req = flattenTlv(parseTlv(fromHex(request.fields[55]!)));
      const iad91 = flattenTlv(parseTlv(fromHex(answer.fields[55]!))).get('91')!;
      const key = deriveIccMasterKeyOptionA(fromHex(TEST_IMK_AC), TEST_PANS.cvn10, '01');
      assert.equal(
        toHex(iad91),
        toHex(generateArpcMethod1(key, req.get('9F26')!, Buffer.from('00'))) + '3030',
      );
    });
    it('purchase with a wrong ARQC is declined 05 (and the ARPC carries the decline)', async () => {
      const { answer } = await t.transact('purchase', {
        card: chip(TEST_PANS.debit, 500, { corrupt: true }),
        amount: 500,
        pin: TEST_PIN,
      });
      assert.equal(answer.fields[39], RC.DO_NOT_HONOUR);
      assert.equal(balance(TEST_PANS.debit), 100000);
    });
    it('purchase by swipe (track 2) without PIN', async () => {
      const { answer } = await t.transact('purchase', { card: swipe(TEST_PANS.credit), amount: 700 });
      assert.equal(answer.fields[39], '00');
      assert.equal(answer.fields[22], '022');
      assert.equal(balance(TEST_PANS.credit), 10000000 - 700);
    });
    it('void by RRN restores the balance; a second void is 22; an unknown original is 25', async () => {
      const p = await purchase(TEST_PANS.debit, 2000);
      const v = await t.transact('void', {
        card: { pan: TEST_PANS.debit },
        amount: 2000,
        original: { rrn: p.answer.fields[37]! },
      });
      assert.equal(v.answer.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 100000);
      const v2 = await t.transact('void', {
        card: { pan: TEST_PANS.debit },
        amount: 2000,
        original: { rrn: p.answer.fields[37]! },
      });
      assert.equal(v2.answer.fields[39], RC.ALREADY_REVERSED);
      const v3 = await t.transact('void', {
        card: { pan: TEST_PANS.debit },
        amount: 2000,
        original: { rrn: '999999999999' },
      });
      assert.equal(v3.answer.fields[39], RC.ORIGINAL_NOT_FOUND);
    });
    it('void by original batch and STAN (field 61); reversing the void puts the purchase back', async () => {
      const p = await purchase(TEST_PANS.debit, 3000);
      const v = await t.transact('void', {
        card: { pan: TEST_PANS.debit },
        amount: 3000,
        original: { batch: t.batch, stan: p.request.fields[11]! },
      });
      assert.equal(v.answer.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 100000);
      assert.equal((await t.reverse(v.request)).fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 97000);
    });
    it('refund (0220) credits; more than the original is 13; an unknown original or another card is 25', async () => {
      const p = await purchase(TEST_PANS.debit, 5000);
      const r = await t.transact('refund', {
        card: { pan: TEST_PANS.debit },
        amount: 3000,
        original: { rrn: p.answer.fields[37]! },
      });
      assert.equal(r.answer.mti, '0230');
      assert.equal(r.answer.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 98000);
      const r2 = await t.transact('refund', {
        card: { pan: TEST_PANS.debit },
        amount: 2001,
        original: { rrn: p.answer.fields[37]! },
      });
      assert.equal(r2.answer.fields[39], RC.INVALID_AMOUNT);
      const r3 = await t.transact('refund', {
        card: { pan: TEST_PANS.debit },
        amount: 1,
        original: { rrn: '000000000999' },
      });
      assert.equal(r3.answer.fields[39], RC.ORIGINAL_NOT_FOUND);
      // Another card cannot take the refund of this original, and nothing is credited to it.
      const credit = balance(TEST_PANS.credit);
      const r4 = await t.transact('refund', {
        card: { pan: TEST_PANS.credit },
        amount: 1000,
        original: { rrn: p.answer.fields[37]! },
      });
      assert.equal(r4.answer.fields[39], RC.ORIGINAL_NOT_FOUND);
      assert.equal(balance(TEST_PANS.credit), credit);
    });
    it('balance inquiry answers field 54 with the available balance', async () => {
      await purchase(TEST_PANS.debit, 1500);
      const { answer } = await t.transact('balance', { card: chip(TEST_PANS.debit, 0), pin: TEST_PIN });
      assert.equal(answer.fields[39], '00');
      assert.equal(answer.fields[54], '1002156C000000098500');
    });
    it('pre-authorisation holds; completion debits and releases; completion above 115 % is 13; unknown is 25', async () => {
      const pa = await t.transact('preauth', {
        card: chip(TEST_PANS.debit, 10000),
        amount: 10000,
        pin: TEST_PIN,
      });
      assert.equal(pa.answer.mti, '0110');
      assert.equal(pa.answer.fields[39], '00');
      assert.deepEqual([host.accounts.get(TEST_PANS.debit)?.held, balance(TEST_PANS.debit)], [10000, 100000]);
      const over = await t.transact('completion', {
        card: { pan: TEST_PANS.debit },
        amount: 11501,
        original: { rrn: pa.answer.fields[37]!, authCode: pa.answer.fields[38]! },
      });
      assert.equal(over.answer.fields[39], RC.INVALID_AMOUNT);
      const c = await t.transact('completion', {
        card: { pan: TEST_PANS.debit },
        amount: 9000,
        original: { rrn: pa.answer.fields[37]!, authCode: pa.answer.fields[38]! },
      });
      assert.equal(c.answer.fields[39], '00');
      assert.deepEqual([host.accounts.get(TEST_PANS.debit)?.held, balance(TEST_PANS.debit)], [0, 91000]);
      const none = await t.transact('completion', {
        card: { pan: TEST_PANS.debit },
        amount: 1,
        original: { rrn: '123123123123' },
      });
      assert.equal(none.answer.fields[39], RC.ORIGINAL_NOT_FOUND);
      assert.equal((await t.reverse(c.request)).fields[39], '00');
      assert.deepEqual([host.accounts.get(TEST_PANS.debit)?.held, balance(TEST_PANS.debit)], [10000, 100000]);
    });
    it('ATM withdrawal (01xxxx) debits with a PIN and is refused 55 without one', async () => {
      const w = await t.transact('withdrawal', {
        card: chip(TEST_PANS.debit, 20000),
        amount: 20000,
        pin: TEST_PIN,
        processingCode: '011000',
      });
      assert.equal(w.answer.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 80000);
      const n = await t.transact('withdrawal', { card: swipe(TEST_PANS.debit), amount: 100 });
      assert.equal(n.answer.fields[39], RC.WRONG_PIN);
    });
    it('reversal restores the balance, is idempotent, and answers 25 for an unknown original', async () => {
      const p = await purchase(TEST_PANS.debit, 4000);
      assert.equal(balance(TEST_PANS.debit), 96000);
      const r1 = await t.reverse(p.request);
      assert.equal(r1.mti, '0410');
      assert.equal(r1.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 100000);
      assert.equal((await t.reverse(p.request)).fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 100000);
      const ghost = { ...p.request, fields: { ...p.request.fields, 11: '777777' } };
      assert.equal((await t.reverse(ghost)).fields[39], RC.ORIGINAL_NOT_FOUND);
    });
    it('reversal of a declined transaction is answered 00 and changes nothing', async () => {
      const p = await purchase(TEST_PANS.poor, 1000);
      assert.equal(p.answer.fields[39], RC.INSUFFICIENT_FUNDS);
      assert.equal((await t.reverse(p.request)).fields[39], '00');
      assert.equal(balance(TEST_PANS.poor), 500);
    });
    it('settlement 0500: balanced totals answer result 1, wrong totals result 2', async () => {
      await purchase(TEST_PANS.debit, 1000);
      const p2 = await purchase(TEST_PANS.debit, 2000);
      const p3 = await purchase(TEST_PANS.credit, 3000);
      await t.reverse(p3.request);
      await t.transact('refund', {
        card: { pan: TEST_PANS.debit },
        amount: 500,
        original: { rrn: p2.answer.fields[37]! },
      });
      const bad = await t.exchange(
        buildSettlement(t.id, t.nextStan(), t.batch, {
          debitAmount: 6000,
          debitCount: 3,
          creditAmount: 500,
          creditCount: 1,
        }),
      );
      assert.equal(bad.mti, '0510');
      assert.equal(bad.fields[39], '00');
      assert.equal(settlementResult(bad), 'unbalanced');
      const ok = await t.exchange(
        buildSettlement(t.id, t.nextStan(), t.batch, {
          debitAmount: 3000,
          debitCount: 2,
          creditAmount: 500,
          creditCount: 1,
        }),
      );
      assert.equal(settlementResult(ok), 'balanced');
    });
    it('batch upload end 0320 (60.3 = 202): the count must be the uploads received since the 0500, else 95', async () => {
      const p1 = await purchase(TEST_PANS.debit, 1000);
      const p2 = await purchase(TEST_PANS.debit, 2000);
      const totals = { debitAmount: 1, debitCount: 1, creditAmount: 0, creditCount: 0 };
      const bad = await t.exchange(buildSettlement(t.id, t.nextStan(), t.batch, totals));
      assert.equal(settlementResult(bad), 'unbalanced');
      for (const p of [p1, p2])
        await t.exchange(
          buildBatchUpload(t.id, t.batch, { stan: p.request.fields[11]!, pan: TEST_PANS.debit, amount: 1 }),
        );
      const end = await t.exchange(buildBatchUploadEnd(t.id, t.nextStan(), t.batch, 2));
      assert.deepEqual([end.mti, end.fields[39]], ['0330', RC.APPROVED]);
      await t.exchange(buildSettlement(t.id, t.nextStan(), t.batch, totals));
      await t.exchange(
        buildBatchUpload(t.id, t.batch, { stan: p1.request.fields[11]!, pan: TEST_PANS.debit, amount: 1 }),
      );
      const short = await t.exchange(buildBatchUploadEnd(t.id, t.nextStan(), t.batch, 2));
      assert.equal(short.fields[39], RC.RECONCILE_ERROR);
    });
    it('batch upload 0320: a known transaction is confirmed; an unknown offline one is booked; EC is not debited twice', async () => {
      const p = await purchase(TEST_PANS.debit, 1000);
      const known = await t.exchange(
        buildBatchUpload(t.id, t.batch, { stan: p.request.fields[11]!, pan: TEST_PANS.debit, amount: 1000 }),
      );
      assert.equal(known.mti, '0330');
      assert.equal(known.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 99000);
      const offline = await t.exchange(
        buildBatchUpload(t.id, t.batch, { stan: '500001', pan: TEST_PANS.debit, amount: 700 }),
      );
      assert.equal(offline.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 98300);
      const ec = await t.exchange(
        buildBatchUpload(t.id, t.batch, {
          stan: '500002',
          pan: TEST_PANS.debit,
          amount: 300,
          iccData: '9F7406303030303030',
        }),
      );
      assert.equal(ec.fields[39], '00');
      assert.equal(balance(TEST_PANS.debit), 98300);
      const s = await t.exchange(
        buildSettlement(t.id, t.nextStan(), t.batch, {
          debitAmount: 2000,
          debitCount: 3,
          creditAmount: 0,
          creditCount: 0,
        }),
      );
      assert.equal(settlementResult(s), 'balanced');
    });
    it('echo 0820 answers 0830 00 (MACed when signed in)', async () => {
      const a = await t.echo();
      assert.deepEqual([a.mti, a.fields[39], a.macOk], ['0830', '00', true]);
    });
    it('serves per-transaction connections (connect, one purchase, close) on the same sign-in', async () => {
      for (let i = 0; i < 5; i++) {
        const x = await open();
        x.keys = t.keys;
        x.batch = t.batch;
        const { answer } = await x.transact('purchase', {
          card: swipe(TEST_PANS.credit),
          amount: 10,
          stan: String(900000 + i),
        });
        assert.equal(answer.fields[39], '00');
        await x.close();
      }
      assert.equal(balance(TEST_PANS.credit), 10000000 - 50);
    });
  });

  describe('issuer declines (one per response code)', () => {
    const cases: [string, string, () => Promise<Answer>][] = [
      ['14 unknown card', RC.NO_SUCH_CARD, async () => (await purchase('6222029999999999999', 100)).answer],
      ['62 account frozen', RC.RESTRICTED, async () => (await purchase(TEST_PANS.frozen, 100)).answer],
      [
        '62 card restricted to another region',
        RC.RESTRICTED,
        async () => (await purchase(TEST_PANS.regional, 100)).answer,
      ],
      ['05 account closed', RC.DO_NOT_HONOUR, async () => (await purchase(TEST_PANS.closed, 100)).answer],
      ['41 lost card', RC.LOST_CARD, async () => (await purchase(TEST_PANS.lost, 100)).answer],
      ['54 expired card', RC.EXPIRED_CARD, async () => (await purchase(TEST_PANS.expired, 100)).answer],
      [
        '75 PIN tries already exhausted',
        RC.PIN_TRIES_EXCEEDED,
        async () => (await purchase(TEST_PANS.pinBlocked, 100)).answer,
      ],
      [
        '51 insufficient funds',
        RC.INSUFFICIENT_FUNDS,
        async () => (await purchase(TEST_PANS.poor, 501)).answer,
      ],
      [
        '61 single-transaction limit',
        RC.AMOUNT_LIMIT,
        async () => (await purchase(TEST_PANS.debit, 50001)).answer,
      ],
      [
        '59 risk rule',
        RC.RISK_DECLINE,
        async () => (await t.transact('purchase', { card: swipe(TEST_PANS.risky), amount: 20001 })).answer,
      ],
      ['13 zero amount', RC.INVALID_AMOUNT, async () => (await purchase(TEST_PANS.debit, 0)).answer],
      [
        '12 unsupported processing code',
        RC.INVALID_TRANSACTION,
        async () =>
          (
            await t.transact('purchase', {
              card: swipe(TEST_PANS.debit),
              amount: 1,
              processingCode: '990000',
            })
          ).answer,
      ],
    ];
    for (const [name, code, run] of cases) {
      it(name, async () => {
        const a = await run();
        assert.equal(a.fields[39], code);
        assert.equal(a.macOk, true);
      });
    }
    it('61 daily amount limit: two purchases reach it, the third is refused', async () => {
      assert.equal((await purchase(TEST_PANS.debit, 40000)).answer.fields[39], '00');
      assert.equal((await purchase(TEST_PANS.debit, 40000)).answer.fields[39], '00');
      assert.equal((await purchase(TEST_PANS.debit, 1)).answer.fields[39], RC.AMOUNT_LIMIT);
      assert.equal(balance(TEST_PANS.debit), 20000);
    });
    it('55 wrong PIN counts tries: 55, 55, then 75; the right PIN is then refused too', async () => {
      const wrong = () =>
        t.transact('purchase', { card: chip(TEST_PANS.debit, 100), amount: 100, pin: '000000' });
      assert.equal((await wrong()).answer.fields[39], RC.WRONG_PIN);
      assert.equal((await wrong()).answer.fields[39], RC.WRONG_PIN);
      assert.equal((await wrong()).answer.fields[39], RC.PIN_TRIES_EXCEEDED);
      assert.equal((await purchase(TEST_PANS.debit, 100)).answer.fields[39], RC.PIN_TRIES_EXCEEDED);
      assert.equal(host.accounts.get(TEST_PANS.debit)?.pinTriesLeft, 0);
    });
    it('a right PIN resets the try counter', async () => {
      await t.transact('purchase', { card: chip(TEST_PANS.debit, 100), amount: 100, pin: '000000' });
      assert.equal(host.accounts.get(TEST_PANS.debit)?.pinTriesLeft, 2);
      await purchase(TEST_PANS.debit, 100);
      assert.equal(host.accounts.get(TEST_PANS.debit)?.pinTriesLeft, 3);
    });
    it('30 format error: a frame whose fields do not decode gets 0210 with 39 = 30', async () => {
      const x = await open();
      // Valid length, TPDU, header and MTI 0200, then a bitmap announcing field 2 with a non-BCD length.
      x.writeRaw(fromHex('0013' + '6000030000' + '603100311003' + '0200' + '4000000000000000' + 'FF'));
      const a = await x.nextAnswer();
      assert.deepEqual([a.mti, a.fields[39], a.tpdu], ['0210', RC.FORMAT_ERROR, '6000000003']);
    });
  });

  describe('rules', () => {
    it('answers with given fields instead of the issuer (no balance change); removeRule restores', async () => {
      const id = host.addRule({ mti: '0200', respond: { fields: { '39': '96' } } });
      const a = (await purchase(TEST_PANS.debit, 100)).answer;
      assert.deepEqual([a.fields[39], a.macOk], ['96', true]);
      assert.equal(balance(TEST_PANS.debit), 100000);
      assert.equal(host.removeRule(id), true);
      assert.equal((await purchase(TEST_PANS.debit, 100)).answer.fields[39], '00');
    });
    it('first match wins, on amount range, entry mode and field path matchers', async () => {
      host.addRule({ amount: { min: 1000, max: 2000 }, respond: { fields: { '39': '91' } } });
      host.addRule({ entryMode: '02', respond: { fields: { '39': '96' } } });
      host.addRule({ match: { '55.9F27': '80', '4': { gt: 5000 } }, respond: { fields: { '39': '59' } } });
      assert.equal(
        (await t.transact('purchase', { card: swipe(TEST_PANS.credit), amount: 1500 })).answer.fields[39],
        '91',
      );
      assert.equal(
        (await t.transact('purchase', { card: swipe(TEST_PANS.credit), amount: 3000 })).answer.fields[39],
        '96',
      );
      assert.equal((await purchase(TEST_PANS.credit, 6000)).answer.fields[39], '59');
      assert.equal((await purchase(TEST_PANS.credit, 4000)).answer.fields[39], '00');
    });
    it('nth: only the 2nd matching request is bent; times: a rule fires once', async () => {
      host.addRule({ mti: '0200', nth: 2, respond: { fields: { '39': '51' } } });
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await purchase(TEST_PANS.credit, 10)).answer.fields[39]);
      assert.deepEqual(codes, ['00', '51', '00']);
      host.clearRules();
      host.addRule({ mti: '0200', times: 1, respond: { fields: { '39': '91' } } });
      assert.equal((await purchase(TEST_PANS.credit, 10)).answer.fields[39], '91');
      assert.equal((await purchase(TEST_PANS.credit, 10)).answer.fields[39], '00');
    });
    it('delay holds the answer back', async () => {
      host.addRule({ mti: '0200', respond: { delayMs: 300 } });
      const start = Date.now();
      const a = (await purchase(TEST_PANS.credit, 10)).answer;
      assert.equal(a.fields[39], '00');
      assert.ok(Date.now() - start >= 250, 'answer came before the delay');
    });
    it('no answer: the issuer books it but the answer is lost; the reversal undoes it on the same connection', async () => {
      host.addRule({ mti: '0200', times: 1, respond: { noAnswer: true } });
      const req = t.build('purchase', { card: swipe(TEST_PANS.credit), amount: 10 });
      await assert.rejects(t.exchange(req, { timeoutMs: 300 }), { code: 'E_HOST_TIMEOUT' });
      assert.equal(balance(TEST_PANS.credit), 10000000 - 10);
      assert.equal((await t.reverse(req)).fields[39], '00');
      assert.equal(balance(TEST_PANS.credit), 10000000);
    });
    it('no answer with process: false drops the request without touching the account', async () => {
      host.addRule({ mti: '0200', times: 1, respond: { noAnswer: true, process: false } });
      await assert.rejects(
        t.exchange(t.build('purchase', { card: swipe(TEST_PANS.credit), amount: 10 }), { timeoutMs: 300 }),
        { code: 'E_HOST_TIMEOUT' },
      );
      assert.equal(balance(TEST_PANS.credit), 10000000);
    });
    it('close: the connection is closed instead of answering', async () => {
      const x = await open();
      x.keys = t.keys;
      host.addRule({ mti: '0200', times: 1, respond: { close: true } });
      await assert.rejects(x.transact('purchase', { card: swipe(TEST_PANS.credit), amount: 10 }), {
        code: 'E_HOST_CLOSED',
      });
    });
    it('bad MAC, wrong MTI and wrong STAN', async () => {
      host.addRule({ mti: '0200', times: 1, respond: { badMac: true } });
      host.addRule({ mti: '0200', times: 1, respond: { mti: '0230' } });
      host.addRule({ mti: '0200', times: 1, respond: { stan: '999999' } });
      const a = (await purchase(TEST_PANS.credit, 10)).answer;
      assert.deepEqual([a.fields[39], a.macOk], ['00', false]);
      const b = (await purchase(TEST_PANS.credit, 10)).answer;
      assert.deepEqual([b.mti, b.macOk], ['0230', true]);
      const c = (await purchase(TEST_PANS.credit, 10)).answer;
      assert.deepEqual([c.fields[11], c.macOk], ['999999', true]);
    });
    it('refuses a rule that does nothing', () => {
      assert.throws(() => host.addRule({ mti: '0200', respond: {} }), { code: 'E_HOST_RULE' });
    });
  });

  describe('journal', () => {
    it('records every message in and out, decoded and masked, with raw bytes free of PAN, PIN and track data', async () => {
      const seen: string[] = [];
      const listener = (e: { direction: string; mti?: string }) => seen.push(`${e.direction}:${e.mti ?? ''}`);
      host.journal.on('entry', listener);
      const { request } = await t.transact('purchase', {
        card: { ...swipe(TEST_PANS.debit), ...chip(TEST_PANS.debit, 100) },
        amount: 100,
        pin: TEST_PIN,
      });
      host.journal.off('entry', listener);
      assert.deepEqual(seen, ['in:0200', 'out:0210']);
      const [inE, outE] = host.journal.entries().filter((e) => e.mti === '0200' || e.mti === '0210');
      assert.equal(inE?.fields?.['2'], '622202*********0017');
      assert.match(inE?.fields?.['52'] ?? '', /redacted/);
      assert.match(inE?.fields?.['35'] ?? '', /redacted/);
      assert.equal(inE?.terminalId, '12345678');
      assert.ok(inE?.connectionId && inE.connectionId > 0);
      const raw = inE?.raw ?? '';
      assert.ok(raw.length > 100);
      assert.ok(!raw.includes(request.fields[52]!), 'PIN block in raw');
      assert.ok(!raw.includes(TEST_PANS.debit.slice(0, 16)), 'PAN in raw');
      assert.ok(
        !JSON.stringify(host.journal.entries()).includes(TEST_PANS.debit),
        'clear PAN somewhere in the journal',
      );
      assert.equal(outE?.fields?.['39'], '00');
    });
    it('is bounded', async () => {
      for (let i = 0; i < 600; i++) await t.echo();
      assert.equal(host.journal.length, 1000);
      assert.ok(host.journal.total > 1200);
    });
  });
});
