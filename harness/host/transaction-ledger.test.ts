import { strict as assert } from 'node:assert';
import { TransactionLedger, txKey, type TxRecord } from './transaction-ledger.js';

function rec(stan: string, amount: number, settles: 1 | -1 | 0 = 1): TxRecord {
  return {
    key: txKey('12345678', '000001', stan),
    terminalId: '12345678',
    merchantId: '123456789012345',
    batch: '000001',
    stan,
    rrn: `R${stan}`,
    authCode: '',
    kind: settles === -1 ? 'refund' : 'purchase',
    pan: '6222021000000000017',
    amount,
    responseCode: '00',
    state: 'approved',
    effects: [],
    refunded: 0,
    uploaded: false,
    settles,
    time: 0,
  };
}

describe('host/transaction-ledger', () => {
  it('forgets the oldest records past its capacity while batch totals stay exact', () => {
    const l = new TransactionLedger(3);
    for (let i = 1; i <= 5; i++) l.add(rec(String(i).padStart(6, '0'), i * 100));
    assert.equal(l.size, 3);
    assert.equal(l.get(txKey('12345678', '000001', '000001')), undefined);
    assert.equal(l.byReference('R000005')?.amount, 500);
    assert.deepEqual(l.batchTotals('12345678', '000001'), {
      debitCount: 5,
      debitAmount: 1500,
      creditCount: 0,
      creditAmount: 0,
    });
  });
  it('keeps totals right through state changes (reversal, void, refund)', () => {
    const l = new TransactionLedger(10);
    const a = rec('000001', 1000);
    const b = rec('000002', 300, -1);
    l.add(a);
    l.add(b);
    l.setState(a, 'reversed');
    assert.deepEqual(l.batchTotals('12345678', '000001'), {
      debitCount: 0,
      debitAmount: 0,
      creditCount: 1,
      creditAmount: 300,
    });
    l.setState(a, 'approved');
    assert.equal(l.batchTotals('12345678', '000001').debitAmount, 1000);
  });
});
