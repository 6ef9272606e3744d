import { strict as assert } from 'node:assert';
import { RC } from '../pos-protocol/index.js';
import { AccountStore, type AccountSpec } from './account-store.js';

const spec = (over: Partial<AccountSpec> = {}): AccountSpec => ({
  pan: '6222021000000000017',
  pinTryLimit: 3,
  pinTriesLeft: 3,
  balance: 10000,
  currency: '156',
  status: 'active',
  limits: { single: 5000, daily: 8000 },
  risk: [],
  ...over,
});
const day1 = new Date('2026-01-01T10:00:00Z');
const day2 = new Date('2026-01-02T10:00:00Z');

describe('host/account-store', () => {
  it('checks single and daily amount limits (61) before funds, and the daily limit rolls over at midnight', () => {
    const s = new AccountStore([spec()]);
    const pan = '6222021000000000017';
    assert.equal(s.debit(pan, 5001, day1), RC.AMOUNT_LIMIT);
    assert.equal(s.debit(pan, 5000, day1), undefined);
    assert.equal(s.debit(pan, 3001, day1), RC.AMOUNT_LIMIT);
    assert.equal(s.debit(pan, 3000, day1), undefined);
    assert.equal(s.debit(pan, 2001, day2), RC.INSUFFICIENT_FUNDS);
    assert.equal(s.debit(pan, 2000, day2), undefined);
    assert.equal(s.get(pan)?.balance, 0);
  });
  it('counts debits per day against the count limit (65); an uncounted one frees a slot; a new day resets', () => {
    const s = new AccountStore([spec({ limits: { dailyCount: 2 } })]);
    const pan = '6222021000000000017';
    assert.equal(s.debit(pan, 100, day1), undefined);
    assert.equal(s.debit(pan, 100, day1, { hold: true }), undefined);
    assert.equal(s.debit(pan, 100, day1), RC.FREQUENCY_LIMIT);
    assert.equal(s.get(pan)?.countToday, 2);
    s.uncount(pan, day1);
    assert.equal(s.debit(pan, 100, day1), undefined);
    assert.equal(s.debit(pan, 100, day1, { skipLimits: true }), undefined);
    assert.equal(s.get(pan)?.countToday, 2);
    assert.equal(s.debit(pan, 100, day2), undefined);
    assert.equal(s.get(pan)?.countToday, 1);
  });
  it('holds count against the available balance, not the ledger balance', () => {
    const s = new AccountStore([spec({ limits: {} })]);
    const pan = '6222021000000000017';
    assert.equal(s.debit(pan, 9000, day1, { hold: true }), undefined);
    assert.deepEqual([s.get(pan)?.balance, s.get(pan)?.available], [10000, 1000]);
    assert.equal(s.debit(pan, 1001, day1), RC.INSUFFICIENT_FUNDS);
    s.release(pan, 9000, day1, { undoSpend: true });
    assert.equal(s.get(pan)?.available, 10000);
  });
  it('counts PIN tries down to exceeded and resets them on a right PIN', () => {
    const s = new AccountStore([spec()]);
    const pan = '6222021000000000017';
    assert.deepEqual(
      [s.checkPin(pan, false), s.checkPin(pan, true), s.get(pan)?.pinTriesLeft],
      ['wrong', 'ok', 3],
    );
    assert.deepEqual(
      [s.checkPin(pan, false), s.checkPin(pan, false), s.checkPin(pan, false), s.checkPin(pan, true)],
      ['wrong', 'wrong', 'exceeded', 'exceeded'],
    );
  });
  it('reset() restores the opening state', () => {
    const s = new AccountStore([spec()]);
    const pan = '6222021000000000017';
    s.debit(pan, 100, day1);
    s.setStatus(pan, 'frozen');
    s.checkPin(pan, false);
    s.reset();
    assert.deepEqual(
      [s.get(pan)?.balance, s.get(pan)?.status, s.get(pan)?.pinTriesLeft],
      [10000, 'active', 3],
    );
  });
  it('peek shows live status and PIN tries, and the last-account shortcut never serves a stale account', () => {
    const a = '6222021000000000017';
    const b = '6222021000000000025';
    const s = new AccountStore([spec(), spec({ pan: b, balance: 7 })]);
    assert.deepEqual({ ...s.peek(a) }.status, 'active');
    s.setStatus(a, 'frozen');
    assert.equal(s.peek(a)?.status, 'frozen');
    assert.equal(s.checkPin(a, false), 'wrong');
    assert.equal(s.peek(a)?.pinTriesLeft, 2);
    // Another string object with the same PAN, and the other account in between.
    assert.equal(s.spec(b)?.balance, 7);
    assert.equal(s.peek(String(Number(a.slice(0, 10))) + a.slice(10))?.pinTriesLeft, 2);
    assert.equal(s.peek('6222021000000000999'), undefined);
    s.reset();
    assert.deepEqual([s.peek(a)?.status, s.peek(a)?.pinTriesLeft], ['active', 3]);
    assert.equal(s.debit(a, 100, day1), undefined);
    assert.equal(s.get(a)?.balance, 9900);
  });
});
