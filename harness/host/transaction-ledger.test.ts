import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { RC } from '../pos-protocol/index.js';
import { TransactionLedger, txKey, type TxRecord, type TxState } from './transaction-ledger.js';

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
    responseCode: RC.APPROVED,
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

/**
 * The ledger's contract as plain maps (what it was before the hash tables): a record is found by key
 * until a record with the same key or the ring overwrites it, and by RRN until another record with the
 * same RRN takes it over or it is forgotten.
 */
class MapLedger {
  private readonly byKey = new Map<string, TxRecord>();
  private readonly byRrn = new Map<string, TxRecord>();
  private readonly ring: (TxRecord | undefined)[];
  private next = 0;
  constructor(private readonly capacity: number) {
    this.ring = new Array<TxRecord | undefined>(capacity);
  }
  add(rec: TxRecord): void {
    const old = this.byKey.get(rec.key);
    if (old) this.forget(old);
    this.byKey.set(rec.key, rec);
    if (rec.rrn) this.byRrn.set(rec.rrn, rec);
    const oldest = this.ring[this.next];
    if (oldest && this.byKey.get(oldest.key) === oldest) this.forget(oldest);
    this.ring[this.next] = rec;
    this.next = (this.next + 1) % this.capacity;
  }
  get(key: string): TxRecord | undefined {
    return this.byKey.get(key);
  }
  byReference(rrn: string): TxRecord | undefined {
    return this.byRrn.get(rrn);
  }
  records(): TxRecord[] {
    return [...this.byKey.values()];
  }
  private forget(rec: TxRecord): void {
    this.byKey.delete(rec.key);
    if (this.byRrn.get(rec.rrn) === rec) this.byRrn.delete(rec.rrn);
  }
}

describe('host/transaction-ledger against the plain-map model', () => {
  const terminals = ['12345678', '87654321'];
  const batches = ['000001', '000002'];
  const stans = ['000001', '000002', '000003', '000004', '000005', '000006'];
  const rrns = ['', '000000000001', '000000000002', '000000000003', 'R4'];
  const states: TxState[] = ['approved', 'declined', 'reversed', 'voided'];
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('add' as const),
      t: fc.nat(1),
      b: fc.nat(1),
      s: fc.nat(5),
      r: fc.nat(4),
      state: fc.nat(1),
      settles: fc.constantFrom<1 | -1 | 0>(1, -1, 0),
      amount: fc.integer({ min: 1, max: 9999 }),
    }),
    fc.record({ kind: fc.constant('get' as const), t: fc.nat(1), b: fc.nat(1), s: fc.nat(5) }),
    fc.record({ kind: fc.constant('ref' as const), r: fc.nat(4) }),
    fc.record({ kind: fc.constant('state' as const), i: fc.nat(200), state: fc.nat(3) }),
  );

  it('finds, forgets, orders and totals records exactly as the model, through evictions and collisions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(op, { maxLength: 120 }), (capacity, ops) => {
        const real = new TransactionLedger(capacity);
        const model = new MapLedger(capacity);
        // Every record exists twice (one per ledger: setState changes the record itself).
        const realRecs: TxRecord[] = [];
        const modelRecs: TxRecord[] = [];
        const index = (list: TxRecord[], r: TxRecord | undefined): number => (r ? list.indexOf(r) : -1);
        const totals = new Map<
          string,
          { debitCount: number; debitAmount: number; creditCount: number; creditAmount: number }
        >();
        const count = (r: TxRecord, sign: number): void => {
          if (r.settles === 0) return;
          const k = `${r.terminalId}|${r.batch}`;
          const t = totals.get(k) ?? { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0 };
          if (r.settles === 1) {
            t.debitCount += sign;
            t.debitAmount += sign * r.amount;
          } else {
            t.creditCount += sign;
            t.creditAmount += sign * r.amount;
          }
          totals.set(k, t);
        };
        for (const o of ops) {
          if (o.kind === 'add') {
            const base: TxRecord = {
              key: txKey(terminals[o.t]!, batches[o.b]!, stans[o.s]!),
              terminalId: terminals[o.t]!,
              merchantId: '123456789012345',
              batch: batches[o.b]!,
              stan: stans[o.s]!,
              rrn: rrns[o.r]!,
              authCode: '',
              kind: 'purchase',
              pan: '6222021000000000017',
              amount: o.amount,
              responseCode: o.state === 0 ? RC.APPROVED : RC.INSUFFICIENT_FUNDS,
              state: o.state === 0 ? 'approved' : 'declined',
              effects: [],
              refunded: 0,
              uploaded: false,
              settles: o.settles,
              time: 0,
            };
            realRecs.push({ ...base });
            modelRecs.push({ ...base });
            real.add(realRecs.at(-1)!);
            model.add(modelRecs.at(-1)!);
            if (base.state === 'approved') count(base, 1);
          } else if (o.kind === 'get') {
            const key = txKey(terminals[o.t]!, batches[o.b]!, stans[o.s]!);
            assert.equal(index(realRecs, real.get(key)), index(modelRecs, model.get(key)));
          } else if (o.kind === 'ref') {
            const rrn = rrns[o.r]!;
            if (rrn === '') assert.equal(real.byReference(rrn), undefined);
            else
              assert.equal(index(realRecs, real.byReference(rrn)), index(modelRecs, model.byReference(rrn)));
          } else if (realRecs.length > 0) {
            const i = o.i % realRecs.length;
            const r = realRecs[i]!;
            const to = states[o.state]!;
            if (r.state === 'approved' && to !== 'approved') count(r, -1);
            if (r.state !== 'approved' && to === 'approved') count(r, 1);
            real.setState(r, to);
            modelRecs[i]!.state = to;
          }
          assert.equal(real.size, model.records().length);
          // Every key and RRN is looked up after every step: a broken probe chain shows at once.
          for (const t of terminals)
            for (const b of batches)
              for (const st of stans) {
                const key = txKey(t, b, st);
                assert.equal(index(realRecs, real.get(key)), index(modelRecs, model.get(key)));
              }
          for (const rrn of rrns.slice(1))
            assert.equal(index(realRecs, real.byReference(rrn)), index(modelRecs, model.byReference(rrn)));
        }
        assert.deepEqual(
          real.records().map((r) => index(realRecs, r)),
          model.records().map((r) => index(modelRecs, r)),
        );
        for (const t of terminals)
          for (const b of batches)
            assert.deepEqual(
              real.batchTotals(t, b),
              totals.get(`${t}|${b}`) ?? { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0 },
            );
      }),
      { numRuns: 400, seed: 20261121 },
    );
  });

  it('stays right with a full ring of 100,000 records (forgets the oldest, finds the newest by key and RRN)', () => {
    const l = new TransactionLedger(100000);
    const make = (i: number): TxRecord => {
      const stan = String(i % 1000000).padStart(6, '0');
      return { ...rec(stan, 1), key: txKey('12345678', '000001', stan), rrn: String(i).padStart(12, '0') };
    };
    for (let i = 0; i < 250000; i++) l.add(make(i));
    assert.equal(l.size, 100000);
    assert.equal(l.get(txKey('12345678', '000001', '149999')), undefined);
    assert.equal(l.get(txKey('12345678', '000001', '150000'))?.rrn, '000000150000');
    assert.equal(l.byReference('000000249999')?.stan, '249999');
    assert.equal(l.byReference('000000149999'), undefined);
    assert.equal(l.records()[0]?.stan, '150000');
    assert.deepEqual(l.batchTotals('12345678', '000001').debitCount, 250000);
    l.clear();
    assert.equal(l.size, 0);
    assert.equal(l.get(txKey('12345678', '000001', '200000')), undefined);
  });
});
