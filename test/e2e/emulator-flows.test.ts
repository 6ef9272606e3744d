/**
 * The reference emulated terminal end to end: the in-process API against the real host simulator over
 * TCP on 127.0.0.1, with the bundled virtual cards (TEST data). Profile cup-pos-ci / cup-atm-ci keep the
 * timeouts short (host 1 s).
 */
import { strict as assert } from 'node:assert';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import {
  answered,
  card,
  payWith,
  received,
  startRig,
  type Rig,
} from '../../harness/emulator/emulator-test-kit.test-helper.js';
import { createTerminal } from '../../harness/emulator/emulated-terminal.js';
import { loadTerminalProfileSpec } from '../../harness/emulator/terminal-profile.js';
import { flattenTlv, parseTlv, TVR } from '../../harness/emv/index.js';

const CUP_DEBIT = '6222021000000000017';

function tags55(hex: string | undefined): Map<string, Buffer> {
  assert.ok(hex, 'field 55 present');
  return flattenTlv(parseTlv(Buffer.from(hex.replace(/\*/g, '0'), 'hex')));
}

describe('emulated terminal (e2e, host simulator on 127.0.0.1)', function () {
  let rig: Rig;
  let host: HostHandle;
  before(async () => {
    rig = await startRig();
    host = rig.host;
  });
  after(async () => rig.close());
  beforeEach(() => {
    host.clearRules();
    host.journal.clear();
  });

  describe('sign-in', () => {
    // Terminals of their own host: a sign-in rotates the working keys of the shared rig's terminal id.
    let own: HostHandle;
    before(async () => {
      own = await startHost({ dialect: 'cup' });
    });
    after(async () => own.close());
    beforeEach(() => {
      own.clearRules();
      own.journal.clear();
    });

    it('refuses transactions before sign-in and sends nothing to the host', async () => {
      const t = await createTerminal({ profile: 'cup-pos-ci', host: own.address });
      try {
        assert.equal(t.state, 'notSignedIn');
        const r = await t.purchase(100);
        assert.equal(r.outcome, 'failed');
        assert.equal(r.messageKey, 'notSignedIn');
        assert.equal(received(own).length, 0);
      } finally {
        await t.close();
      }
    });

    it('downloads working keys with verified check values, takes the batch, and retries a lost answer', async () => {
      const t = await createTerminal({ profile: 'cup-pos-ci', host: own.address });
      try {
        own.addRule({ mti: '0800', times: 1, respond: { noAnswer: true } });
        const r = await t.signIn();
        assert.equal(r.outcome, 'approved');
        assert.equal(r.details?.batch, '000001');
        assert.equal(received(own, '0800').length, 2, 'one retry after the lost answer');
        assert.equal(t.signedIn, true);
        assert.equal(t.state, 'idle');
        assert.ok(t.events.history().some((e) => e.type === 'host-error' && e.reason === 'timeout'));
      } finally {
        await t.close();
      }
    });

    it('says the line is down when the host is unreachable', async () => {
      const down = await startHost({ dialect: 'cup' });
      const address = down.address;
      await down.close();
      const t = await createTerminal({ profile: 'cup-pos-ci', host: address });
      try {
        const r = await t.signIn();
        assert.equal(r.outcome, 'failed');
        assert.equal(r.messageKey, 'lineDown');
        assert.equal(t.state, 'notSignedIn');
      } finally {
        await t.close();
      }
    });
  });

  describe('purchase by insert (contact EMV)', () => {
    it('online PIN card: ARQC in field 55, PIN block, MAC, ARPC checked by the card, receipt masked', async () => {
      const t = rig.terminal;
      const before = host.accounts.get(CUP_DEBIT)?.balance as number;
      const r = await payWith(t, () => t.purchase(1234), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(r.entryMode, '051');
      assert.equal(r.maskedPan, '622202*********0017');
      const req = received(host, '0200')[0];
      assert.ok(req?.fields);
      assert.equal(req.fields['22'], '051');
      assert.ok(req.fields['52'], 'PIN block sent');
      assert.ok(req.fields['64'], 'MAC sent');
      const icc = tags55(req.fields['55']);
      assert.equal(icc.get('9F27')?.toString('hex'), '80', 'ARQC');
      assert.ok(TVR.has(icc.get('95') as Buffer, 'offlineDataAuthNotPerformed'));
      assert.ok(TVR.has(icc.get('95') as Buffer, 'onlinePinEntered'));
      assert.equal(r.details?.tsi, '5800', 'CVM, issuer authentication and TRM performed');
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, before - 1234);
      const receipt = t.lastReceipt();
      assert.ok(receipt?.includes('622202*********0017'));
      assert.ok(!receipt?.includes(CUP_DEBIT));
      assert.equal(t.state, 'idle');
      assert.ok(!JSON.stringify(t.events.history()).includes(CUP_DEBIT), 'no PAN in clear on the timeline');
      assert.ok(!JSON.stringify(t.events.history()).includes('"123456"'), 'no PIN on the timeline');
      assert.ok(
        t.events.history().some((e) => e.type === 'message' && e.fields['52']?.startsWith('<PIN block')),
        'field 52 redacted',
      );
    });

    it('offline plaintext PIN card: VERIFY with a wrong PIN, retry prompt, then approval without field 52', async () => {
      const t = rig.terminal;
      const since = t.events.lastSeq;
      const p = t.purchase(500);
      await t.cardSlot.insert(card('cup-credit'));
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'enterPin', 5000, since);
      await t.keypad.enterPin('9999');
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'wrongPinRetry');
      assert.deepEqual(t.display.lines.slice(1), ['2']);
      await t.keypad.press(['1', '2', '3', '4', 'ENTER']);
      const r = await p;
      await t.cardSlot.remove();
      assert.equal(r.outcome, 'approved', r.message);
      const req = received(host, '0200')[0];
      assert.equal(req?.fields?.['22'], '052');
      assert.equal(req?.fields?.['52'], undefined);
    });

    it('EC purse by insert (9F7A = 01 under the EC limit): approved offline, then online above it', async () => {
      const ec = card('ec-debit');
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(3000), { insert: ec });
      assert.equal(r.messageKey, 'approvedOffline', r.message);
      assert.equal(received(host).length, 0);
      assert.equal(ec.snapshot().ecBalance, 47000);
      const r2 = await payWith(rig.terminal, () => rig.terminal.purchase(20000), {
        insert: ec,
        pin: '888888',
      });
      assert.equal(r2.outcome, 'approved', r2.message);
      assert.equal(received(host, '0200').length, 1);
    });

    it('card not supported: no UnionPay application → no host message', async () => {
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(100), {
        insert: card('foreign-aid'),
      });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.messageKey, 'cardNotSupported');
      assert.equal(received(host).length, 0);
    });

    it('expired card: declined by processing restrictions, no host message', async () => {
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(100), { insert: card('expired') });
      assert.equal(r.messageKey, 'cardExpired');
      assert.equal(received(host).length, 0);
    });

    it('issuer decline (51): the card gets an AAC request, display says insufficient funds', async () => {
      host.addRule({ mti: '0200', respond: { fields: { '39': '51' } } });
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(100), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.responseCode, '51');
      assert.equal(r.message, 'INSUFFICIENT FUNDS');
      assert.equal(received(host, '0400').length, 0);
    });

    it('card pulled out at the PIN prompt → cancelled, nothing sent', async () => {
      const t = rig.terminal;
      const since = t.events.lastSeq;
      const p = t.purchase(100);
      await t.cardSlot.insert(card('cup-debit'));
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'enterPin', 2000, since);
      await t.cardSlot.remove();
      const r = await p;
      assert.equal(r.outcome, 'cancelled');
      assert.equal(r.messageKey, 'cardRemoved');
      assert.equal(received(host).length, 0);
      assert.equal(t.state, 'idle');
    });

    it('cancel while waiting for the card', async () => {
      const since = rig.terminal.events.lastSeq;
      const p = rig.terminal.purchase(100);
      await rig.terminal.events.waitFor(
        (e) => e.type === 'state' && e.state === 'waitingForCard',
        2000,
        since,
      );
      await rig.terminal.cancel();
      const r = await p;
      assert.equal(r.outcome, 'cancelled');
    });
  });

  describe('reversal', () => {
    it('late answer → 0400 with the same STAN, reason 98, and the debit undone', async () => {
      const before = host.accounts.get(CUP_DEBIT)?.balance as number;
      host.addRule({ mti: '0200', times: 1, respond: { delayMs: 1500 } });
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(777), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.messageKey, 'hostTimeout');
      const rev = received(host, '0400');
      assert.equal(rev.length, 1);
      assert.equal(rev[0]?.fields?.['11'], received(host, '0200')[0]?.fields?.['11']);
      assert.equal(rev[0]?.fields?.['39'], '98');
      await new Promise((res) => setTimeout(res, 600));
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, before);
      assert.equal(rig.terminal.hasPendingReversal, false);
    });

    it('bad MAC on the answer → MAC error and reversal A0', async () => {
      host.addRule({ mti: '0200', times: 1, respond: { badMac: true } });
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(300), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r.messageKey, 'macError');
      assert.equal(received(host, '0400')[0]?.fields?.['39'], 'A0');
    });

    it('card declines after host approval (wrong ARPC) → reversal 06', async () => {
      host.addRule({
        mti: '0200',
        times: 1,
        respond: { fields: { '55': '910A00112233445566773030' }, process: true },
      });
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(300), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r.messageKey, 'cardDeclined');
      assert.equal(r.responseCode, '00');
      assert.equal(received(host, '0400')[0]?.fields?.['39'], '06');
    });

    it('an unanswered reversal goes out again before the next transaction', async () => {
      host.addRule({ mti: '0200', times: 1, respond: { noAnswer: true } });
      host.addRule({ mti: '0400', times: 1, respond: { noAnswer: true } });
      const r1 = await payWith(rig.terminal, () => rig.terminal.purchase(200), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r1.messageKey, 'hostTimeout');
      assert.equal(rig.terminal.hasPendingReversal, true);
      const r2 = await payWith(rig.terminal, () => rig.terminal.purchase(201), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r2.outcome, 'approved', r2.message);
      const order = received(host).map((e) => e.mti);
      assert.deepEqual(order, ['0200', '0400', '0400', '0200']);
      assert.equal(rig.terminal.hasPendingReversal, false);
    });
  });

  describe('tap (qPBOC)', () => {
    it('EC purse under the offline limit: approved offline, uploaded (0320) at settlement', async () => {
      const ec = card('ec-debit');
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(5000), { tap: ec });
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(r.messageKey, 'approvedOffline');
      assert.equal(r.details?.ecBalance, 45000);
      assert.equal(received(host).length, 0);
      const offline = rig.terminal.batch.unuploaded().length;
      assert.ok(offline >= 1);
      const s = await rig.terminal.settle();
      assert.equal(s.outcome, 'approved', s.message);
      assert.deepEqual(
        received(host).map((e) => e.mti),
        [...Array<string>(offline).fill('0320'), '0500'],
      );
      assert.equal(s.messageKey, 'settled');
    });

    it('phone wallet: offline under the limit until its offline count is spent, then online', async () => {
      const wallet = card('phone-wallet');
      const outcomes: string[] = [];
      for (let i = 0; i < 11; i++)
        outcomes.push(
          (await payWith(rig.terminal, () => rig.terminal.purchase(1000), { tap: wallet })).messageKey,
        );
      assert.deepEqual(outcomes, [...Array<string>(10).fill('approvedOffline'), 'approved']);
      assert.equal(received(host, '0200').length, 1);
    });

    it('a tap shorter than the read → "please tap again", then a proper tap goes online (072)', async () => {
      const t = rig.terminal;
      const since = t.events.lastSeq;
      const p = t.purchase(20000);
      await t.cardSlot.tap(card('phone-wallet'), 100);
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'pleaseTapAgain', 2000, since);
      await t.cardSlot.tap(card('phone-wallet'), 1000);
      const r = await p;
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(r.entryMode, '072');
      assert.equal(received(host, '0200').length, 1);
    });

    it('over the contactless transaction limit → please insert', async () => {
      const own = await startHost({ dialect: 'cup' });
      const t = await createTerminal({
        profile: { ...loadTerminalProfileSpec('cup-pos-ci'), kernel: { contactlessTransactionLimit: 10 } },
        host: own.address,
      });
      try {
        await t.signIn();
        const since = t.events.lastSeq;
        const p = t.purchase(2000);
        await t.cardSlot.tap(card('cup-debit'));
        await t.events.waitFor((e) => e.type === 'display' && e.key === 'useContact', 2000, since);
        await t.cardSlot.insert(card('cup-debit'));
        await t.keypad.enterPin('123456');
        const r = await p;
        assert.equal(r.entryMode, '051');
      } finally {
        await t.close();
        await own.close();
      }
    });
  });

  describe('swipe', () => {
    it('chip card swiped (service code 2xx) → please insert the chip', async () => {
      const t = rig.terminal;
      const since = t.events.lastSeq;
      const p = t.purchase(100);
      await t.cardSlot.swipe(card('cup-debit'));
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'pleaseInsertChip', 2000, since);
      await t.cancel();
      assert.equal((await p).outcome, 'cancelled');
      assert.equal(received(host).length, 0);
    });

    it('magstripe-only card: swipe with online PIN (021)', async () => {
      const r = await payWith(rig.terminal, () => rig.terminal.purchase(100), {
        swipe: card('magstripe-only'),
        pin: '123456',
      });
      assert.equal(received(host, '0200')[0]?.fields?.['22'], '021');
      assert.ok(r.outcome === 'approved' || r.responseCode === '55', r.message);
    });

    it('track encryption under the TDK: the host decrypts track 2 (no field 2) and approves', async () => {
      const own = await startHost({ dialect: 'cup' });
      const t = await createTerminal({
        profile: { ...loadTerminalProfileSpec('cup-pos-ci'), trackEncryption: true },
        host: own.address,
      });
      try {
        await t.signIn();
        const r = await payWith(t, () => t.purchase(100), { swipe: card('magstripe-only'), pin: '123456' });
        assert.equal(r.outcome, 'approved', r.message);
        const req = received(own, '0200')[0];
        assert.equal(req?.fields?.['2'], undefined);
        assert.equal(req?.fields?.['53']?.[2], '1');
      } finally {
        await t.close();
        await own.close();
      }
    });

    it('damaged chip → fallback to the stripe (801)', async () => {
      const t = rig.terminal;
      const damaged = card('damaged-chip');
      const since = t.events.lastSeq;
      const p = t.purchase(100);
      await t.cardSlot.insert(damaged);
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'pleaseSwipe', 2000, since);
      await t.cardSlot.remove();
      await t.keypad.enterPin('123456');
      await t.cardSlot.swipe(damaged);
      const r = await p;
      assert.equal(r.entryMode, '801');
      assert.equal(r.outcome, 'approved', r.message);
    });
  });

  describe('void, refund, balance, pre-authorisation, settlement', () => {
    it('purchase → void restores the balance; refund credits; balance inquiry reads field 54', async () => {
      const t = rig.terminal;
      const start = host.accounts.get(CUP_DEBIT)?.balance as number;
      const buy = await payWith(t, () => t.purchase(2500), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(buy.outcome, 'approved');
      const v = await t.void({ reference: buy.reference as string });
      assert.equal(v.outcome, 'approved', v.message);
      assert.equal(received(host, '0200').at(-1)?.fields?.['3'], '200000');
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, start);
      const buy2 = await payWith(t, () => t.purchase(4000), { insert: card('cup-debit'), pin: '123456' });
      const rf = await t.refund(1000, { reference: buy2.reference as string });
      assert.equal(rf.outcome, 'approved', rf.message);
      assert.equal(received(host, '0220').length, 1);
      assert.equal(host.accounts.get(CUP_DEBIT)?.balance, start - 3000);
      const bal = await payWith(t, () => t.balance(), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(bal.outcome, 'approved', bal.message);
      assert.equal(bal.balance, start - 3000);
    });

    it('pre-authorisation (0100) and its completion', async () => {
      const t = rig.terminal;
      const pa = await payWith(t, () => t.preAuth(10000), { insert: card('cup-debit'), pin: '123456' });
      assert.equal(pa.outcome, 'approved', pa.message);
      assert.equal(received(host, '0100').length, 1);
      const c = await t.completion(9000, { reference: pa.reference as string });
      assert.equal(c.outcome, 'approved', c.message);
      assert.equal(received(host, '0200').at(-1)?.fields?.['25'], '06');
    });

    it('settlement balances with the host and opens the next batch', async () => {
      const s = await rig.terminal.settle();
      assert.equal(s.outcome, 'approved', s.message);
      assert.equal(s.messageKey, 'settled');
      assert.equal(answered(host, '0510')[0]?.fields?.['48']?.[30], '1');
      assert.notEqual(rig.terminal.status().batch, s.details?.batch);
    });
  });

  describe('settlement out of balance', () => {
    it('uploads every transaction of the batch (0320) when the host says unbalanced, then ends the upload with its count', async () => {
      const t = rig.terminal;
      await payWith(t, () => t.purchase(1500), { insert: card('cup-debit'), pin: '123456' });
      await payWith(t, () => t.purchase(1600), { insert: card('cup-debit'), pin: '123456' });
      host.addRule({
        mti: '0500',
        times: 1,
        respond: { fields: { '48': '0'.repeat(30) + '2' + '0'.repeat(31) }, process: true },
      });
      const s = await t.settle();
      assert.equal(s.messageKey, 'settledUnbalanced');
      assert.deepEqual(s.totals, { debitAmount: 3100, debitCount: 2, creditAmount: 0, creditCount: 0 });
      const last = received(host).slice(-4);
      assert.deepEqual(
        last.map((e) => e.mti),
        ['0500', '0320', '0320', '0320'],
      );
      // 批上送结束: 60.3 = 202, field 48 = the two transactions uploaded; the host found the count right.
      const end = last[3]?.fields ?? {};
      assert.deepEqual([end[48], end[60]?.slice(8, 11)], ['0002', '202']);
      assert.deepEqual([s.details?.uploaded, s.details?.uploadEndCode], [2, '00']);
    });
  });

  describe('ATM', () => {
    let atm: Rig;
    before(async () => {
      atm = await startRig({ profile: 'cup-atm-ci', host });
    });
    after(async () => atm.close());

    it('withdrawal with a chip card and online PIN', async () => {
      const r = await payWith(atm.terminal, () => atm.terminal.withdraw(10000), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r.outcome, 'approved', r.message);
      assert.equal(received(host, '0200')[0]?.fields?.['3'], '010000');
      assert.equal(r.messageKey, 'dispensing');
    });

    it('magstripe-only card at the chip-only ATM is refused without a host message', async () => {
      const r = await payWith(atm.terminal, () => atm.terminal.withdraw(10000), {
        insert: card('magstripe-only'),
      });
      assert.equal(r.outcome, 'declined');
      assert.equal(r.messageKey, 'chipOnly');
      assert.equal(received(host).length, 0);
    });

    it('keeps the card when the host says so (41)', async () => {
      host.addRule({ mti: '0200', times: 1, respond: { fields: { '39': '41' } } });
      const r = await payWith(atm.terminal, () => atm.terminal.withdraw(10000), {
        insert: card('cup-debit'),
        pin: '123456',
      });
      assert.equal(r.messageKey, 'cardRetained');
      assert.equal(atm.terminal.cardSlot.retained, true);
      assert.ok(atm.terminal.events.history().some((e) => e.type === 'card' && e.action === 'retain'));
      atm.terminal.releaseRetainedCard();
    });

    it('a POS transaction on the ATM is not supported', async () => {
      const r = await atm.terminal.purchase(100);
      assert.equal(r.messageKey, 'notSupportedTx');
    });
  });

  describe('ISO 8583:1987 ASCII POS with Chinese display', () => {
    it('signs in and buys over iso87-ascii; texts in Chinese', async () => {
      const r87 = await startRig({ profile: 'iso87-pos', dialect: 'iso87-ascii' });
      try {
        const r = await payWith(r87.terminal, () => r87.terminal.purchase(100), {
          insert: card('cup-debit'),
          pin: '123456',
        });
        assert.equal(r.outcome, 'approved', r.message);
        assert.equal(r.message, '交易成功');
        assert.ok(r87.terminal.lastReceipt()?.includes('银联POS签购单'));
      } finally {
        await r87.close();
      }
    });
  });
});
