/**
 * The acquirer's record of transactions: found again by terminal + batch + STAN (reversals, batch
 * upload) and by retrieval reference number (voids, refunds, completions). Each record keeps the money
 * effects it applied so a reversal can undo exactly those. Running totals per terminal batch feed
 * settlement. Bounded: the oldest records are forgotten past `capacity` (totals stay exact).
 */

export type TxKind =
  'purchase' | 'withdrawal' | 'preauth' | 'completion' | 'void' | 'refund' | 'balance' | 'offline';
export type TxState = 'approved' | 'declined' | 'reversed' | 'voided' | 'completed';

/** A money movement on an account, undone by its inverse. */
export interface Effect {
  op: 'debit' | 'hold' | 'credit' | 'release';
  pan: string;
  amount: number;
}

export interface TxRecord {
  key: string;
  terminalId: string;
  merchantId: string;
  batch: string;
  stan: string;
  rrn: string;
  authCode: string;
  kind: TxKind;
  pan: string;
  amount: number;
  responseCode: string;
  state: TxState;
  effects: Effect[];
  /** The record this one acted on (void → purchase, completion → preauth, refund → purchase). */
  original?: TxRecord;
  /** State the original had before this record changed it. */
  originalStateBefore?: TxState;
  /** Refunded so far against this record. */
  refunded: number;
  /** Came in through batch upload / offline upload. */
  uploaded: boolean;
  /** Counts in settlement totals as a debit (+1) or credit (−1), or not at all (0). */
  settles: 1 | -1 | 0;
  time: number;
}

export interface BatchTotals {
  debitCount: number;
  debitAmount: number;
  creditCount: number;
  creditAmount: number;
}

export function txKey(terminalId: string, batch: string, stan: string): string {
  return `${terminalId}|${batch}|${stan}`;
}

export class TransactionLedger {
  private readonly byKey = new Map<string, TxRecord>();
  private readonly byRrn = new Map<string, TxRecord>();
  private readonly totals = new Map<string, BatchTotals>();
  /** Insertion order, as a ring: the slot to overwrite next holds the oldest record. */
  private ring: (TxRecord | undefined)[];
  private next = 0;
  /** The totals `count` touched last, and whose they are. */
  private lastTerminalId: string | undefined;
  private lastBatch: string | undefined;
  private lastTotals: BatchTotals | undefined;

  constructor(readonly capacity = 100000) {
    this.ring = new Array<TxRecord | undefined>(capacity);
  }

  add(rec: TxRecord): void {
    const old = this.byKey.get(rec.key);
    if (old) this.forget(old);
    this.byKey.set(rec.key, rec);
    if (rec.rrn) this.byRrn.set(rec.rrn, rec);
    if (rec.state === 'approved') this.count(rec, +1);
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

  /** Changes a record's state, keeping the batch totals right. */
  setState(rec: TxRecord, state: TxState): void {
    const wasCounted = rec.state === 'approved';
    const counted = state === 'approved';
    if (wasCounted && !counted) this.count(rec, -1);
    if (!wasCounted && counted) this.count(rec, +1);
    rec.state = state;
  }

  /** Settlement totals of one terminal batch. */
  batchTotals(terminalId: string, batch: string): BatchTotals {
    return {
      ...(this.totals.get(`${terminalId}|${batch}`) ?? {
        debitCount: 0,
        debitAmount: 0,
        creditCount: 0,
        creditAmount: 0,
      }),
    };
  }

  get size(): number {
    return this.byKey.size;
  }

  /** All records in memory (oldest first). */
  records(): TxRecord[] {
    return [...this.byKey.values()];
  }

  clear(): void {
    this.ring = new Array<TxRecord | undefined>(this.capacity);
    this.next = 0;
    this.byKey.clear();
    this.byRrn.clear();
    this.totals.clear();
    this.lastTerminalId = this.lastBatch = this.lastTotals = undefined;
  }

  private forget(rec: TxRecord): void {
    this.byKey.delete(rec.key);
    if (this.byRrn.get(rec.rrn) === rec) this.byRrn.delete(rec.rrn);
  }

  private count(rec: TxRecord, sign: 1 | -1): void {
    if (rec.settles === 0) return;
    let t: BatchTotals | undefined;
    // Consecutive records mostly share their terminal batch: the last totals spare a key and a lookup.
    if (rec.terminalId === this.lastTerminalId && rec.batch === this.lastBatch) t = this.lastTotals;
    if (!t) {
      const k = `${rec.terminalId}|${rec.batch}`;
      t = this.totals.get(k);
      if (!t) this.totals.set(k, (t = { debitCount: 0, debitAmount: 0, creditCount: 0, creditAmount: 0 }));
      this.lastTerminalId = rec.terminalId;
      this.lastBatch = rec.batch;
      this.lastTotals = t;
    }
    if (rec.settles === 1) {
      t.debitCount += sign;
      t.debitAmount += sign * rec.amount;
    } else {
      t.creditCount += sign;
      t.creditAmount += sign * rec.amount;
    }
  }
}
