/**
 * Next-day refund (退货 after settlement): the original is no longer in the terminal's batch, so the
 * card must be presented and the 0220 carries the card data, the original reference (field 37) and
 * field 61 = original batch ‖ trace ‖ date MMDD (fixtures/dialects/cup.yaml, field 61 subfields); the host
 * simulator refunds against its ledger. Host on 127.0.0.1 (port 0).
 */
import { strict as assert } from 'node:assert';
import { createVirtualCard } from '../cards/index.js';
import type { HostHandle } from '../host/index.js';
import { loadCardFixture } from '../cards/index.js';
import { maskPan } from '../common/mask.js';
import { createTerminal } from './emulated-terminal.js';
import { card, payWith, received, startRig, type Rig } from './emulator-test-kit.test-helper.js';

describe('refund of a settled original (next-day refund)', () => {
  let rig: Rig;
  let host: HostHandle;
  const debitPan = loadCardFixture('cup-debit').pan;

  beforeEach(async () => {
    rig = await startRig();
    host = rig.host;
  });
  afterEach(async () => {
    await rig.close();
  });

  async function purchaseAndSettle(amount: number) {
    const t = rig.terminal;
    const buy = await payWith(t, () => t.purchase(amount), { insert: card('cup-debit'), pin: '123456' });
    assert.equal(buy.outcome, 'approved', buy.message);
    const batchOfPurchase = t.status().batch;
    const s = await t.settle();
    assert.equal(s.outcome, 'approved', s.message);
    assert.notEqual(t.status().batch, batchOfPurchase);
    return { buy, batchOfPurchase };
  }

  it('asks for the card, sends 0220 with the card, 37 and 61 = batch ‖ trace ‖ date; the host credits', async () => {
    const t = rig.terminal;
    const { buy, batchOfPurchase } = await purchaseAndSettle(3000);
    const answer = host.journal.entries((e) => e.direction === 'out' && e.mti === '0210').at(-1);
    const mmdd = answer?.fields?.['13'];
    assert.match(mmdd ?? '', /^\d{4}$/);
    const balanceBefore = host.accounts.get(debitPan)?.balance as number;
    const since = t.events.lastSeq;
    const p = t.refund(1200, { reference: buy.reference as string });
    await t.events.waitFor((e) => e.type === 'state' && e.state === 'waitingForCard', 2000, since);
    assert.equal(t.display.key, 'insertCard');
    assert.equal(received(host, '0220').length, 0, 'nothing sent before the card');
    await t.cardSlot.insert(createVirtualCard('cup-debit'));
    const r = await p;
    assert.equal(r.outcome, 'approved', r.message);
    assert.equal(r.entryMode, '052');
    assert.equal(r.maskedPan, maskPan(debitPan));
    assert.deepEqual(r.details, {
      original: buy.reference,
      originalDate: mmdd,
      settledOriginal: true,
    });
    const req = received(host, '0220');
    assert.equal(req.length, 1);
    const f = req[0]?.fields ?? {};
    assert.equal(f['3'], '200000');
    assert.equal(f['4'], '000000001200');
    assert.equal(f['37'], buy.reference);
    assert.equal(f['61'], `${batchOfPurchase}${buy.stan}${mmdd}`);
    assert.equal(f['22'], '052');
    assert.ok(f['35'] !== undefined, 'track 2 equivalent data from the chip');
    assert.equal(f['55'], undefined, 'simplified flow: no cryptogram');
    assert.equal(f['52'], undefined, 'no PIN for a refund');
    assert.equal(host.accounts.get(debitPan)?.balance, balanceBefore + 1200);
    // The chip saw no GENERATE AC during the refund.
    assert.ok(
      !t.events.history().some((e) => e.seq > since && e.type === 'apdu' && e.command.startsWith('80AE')),
    );
    assert.equal(t.state, 'removeCard');
    await t.cardSlot.remove();
    // The refund is a credit of the new batch.
    assert.deepEqual(t.batch.totals(), { debitAmount: 0, debitCount: 0, creditAmount: 1200, creditCount: 1 });
  });

  it('a tap works as well (07x), and more than the original is refused by the host (13)', async () => {
    const t = rig.terminal;
    const { buy } = await purchaseAndSettle(800);
    const p = t.refund(500, { reference: buy.reference as string });
    await t.cardSlot.tap(createVirtualCard('cup-debit'));
    const r = await p;
    assert.equal(r.outcome, 'approved', r.message);
    assert.equal(r.entryMode, '072');
    const p2 = t.refund(500, { reference: buy.reference as string });
    await t.cardSlot.tap(createVirtualCard('cup-debit'));
    const r2 = await p2;
    assert.equal(r2.outcome, 'declined');
    assert.equal(r2.responseCode, '13');
  });

  it('an original the terminal no longer holds: refused without a date, sent with one (host says 25)', async () => {
    const t = rig.terminal;
    const none = await t.refund(100, { reference: '999999999999' });
    assert.equal(none.outcome, 'declined');
    assert.equal(none.messageKey, 'originalNotFound');
    assert.equal(received(host, '0220').length, 0);
    const bad = await t.refund(100, { reference: '999999999999', date: '1340' });
    assert.equal(bad.messageKey, 'originalNotFound');
    assert.match(String(bad.details?.error), /MMDD/);
    const p = t.refund(100, { reference: '999999999999', date: '0101' });
    await t.cardSlot.insert(createVirtualCard('cup-debit'));
    const r = await p;
    await t.cardSlot.remove();
    assert.equal(r.outcome, 'declined');
    assert.equal(r.responseCode, '25');
    const f = received(host, '0220')[0]?.fields ?? {};
    assert.equal(f['61'], '0000000000000101');
    assert.equal(f['37'], '999999999999');
  });

  it('a refund of the current batch still needs no card', async () => {
    const t = rig.terminal;
    const buy = await payWith(t, () => t.purchase(900), { insert: card('cup-debit'), pin: '123456' });
    const r = await t.refund(300, { reference: buy.reference as string });
    assert.equal(r.outcome, 'approved', r.message);
    assert.equal(received(host, '0220')[0]?.fields?.['22'], '012');
  });

  it('nobody presents the card: cancelled on the card wait, nothing sent', async () => {
    const base = rig.terminal.profile;
    await rig.terminal.close();
    const t = await createTerminal({
      profile: { ...base, timeouts: { ...base.timeouts, idle: 100 } },
      host: host.address,
      signIn: true,
    });
    rig.terminal = t;
    const buy = await payWith(t, () => t.purchase(900), { insert: card('cup-debit'), pin: '123456' });
    assert.equal((await t.settle()).outcome, 'approved');
    const r = await t.refund(300, { reference: buy.reference as string });
    assert.equal(r.outcome, 'cancelled');
    assert.equal(r.messageKey, 'timeout');
    assert.equal(received(host, '0220').length, 0);
  });
});
