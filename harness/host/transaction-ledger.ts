/**
 * The acquirer's record of transactions: found again by terminal + batch + STAN (reversals, batch
 * upload) and by retrieval reference number (voids, refunds, completions). Each record keeps the money
 * effects it applied so a reversal can undo exactly those. Running totals per terminal batch feed
 * settlement. Bounded: the oldest records are forgotten past `capacity` (totals stay exact).
 *
 * Storage: the records sit in a ring of `capacity` slots (insertion order); two open-addressing hash
 * tables of slot numbers (typed arrays, linear probing, deletion by backward shift) find a slot by key
 * and by RRN. Adding a record hashes its terminal id, batch and STAN in place (the key string is never
 * built into a flat string or compared on that path) and allocates nothing that outlives the call: no
 * map entries for the garbage collector to trace, two small tables that stay in cache.
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
  /** txKey(terminalId, batch, stan): the ledger relies on this. */
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

/** 32-bit FNV-1a step over the characters of `s`, from hash `h`. */
function fnv(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
const FNV_BASIS = 0x811c9dc5 | 0;
const PIPE = 124; // '|'

/** Spreads every bit of `h` over the low bits the tables use (the MurmurHash3 finaliser). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of a key or RRN string. */
function textHash(s: string): number {
  return mix(fnv(FNV_BASIS, s));
}

/** textHash(txKey(terminalId, batch, stan)), computed from the parts without joining them. */
function partsHash(terminalId: string, batch: string, stan: string): number {
  let h = fnv(FNV_BASIS, terminalId);
  h = Math.imul(h ^ PIPE, 0x01000193);
  h = fnv(h, batch);
  h = Math.imul(h ^ PIPE, 0x01000193);
  return mix(fnv(h, stan));
}

/**
 * An open-addressing hash table of ring slot numbers (stored as slot + 1; 0 = empty), linear probing.
 * The hash of each slot's entry is kept per slot, so probing compares numbers before records and a
 * deletion can move the entries after it back (no tombstones).
 */
class SlotTable {
  private readonly table: Int32Array;
  private readonly mask: number;
  /** Hash of the entry of each ring slot (valid while `has[slot]`). */
  private readonly hashes: Int32Array;
  /** 1 where the ring slot is in the table. */
  private readonly has: Uint8Array;

  constructor(slots: number) {
    let size = 8;
    while (size < 2 * slots) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    this.hashes = new Int32Array(slots);
    this.has = new Uint8Array(slots);
  }

  holds(slot: number): boolean {
    return this.has[slot] === 1;
  }

  /** First slot with hash `h` for which `match(slot)` holds, or -1. */
  find(h: number, match: (slot: number) => boolean): number {
    const { table, mask, hashes } = this;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = table[p]!;
      if (e === 0) return -1;
      if (hashes[e - 1] === h && match(e - 1)) return e - 1;
    }
  }

  insert(h: number, slot: number): void {
    const { table, mask } = this;
    let p = h & mask;
    while (table[p] !== 0) p = (p + 1) & mask;
    table[p] = slot + 1;
    this.hashes[slot] = h;
    this.has[slot] = 1;
  }

  remove(slot: number): void {
    if (this.has[slot] !== 1) return;
    const { table, mask, hashes } = this;
    let i = hashes[slot]! & mask;
    while (table[i] !== slot + 1) i = (i + 1) & mask;
    // Backward shift: move each following entry of the run into the hole unless its home bucket lies
    // cyclically after the hole and at or before its own position.
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const e = table[j]!;
      const home = hashes[e - 1]! & mask;
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        table[i] = e;
        i = j;
      }
    }
    table[i] = 0;
    this.has[slot] = 0;
  }

  clear(): void {
    this.table.fill(0);
    this.has.fill(0);
  }
}

export class TransactionLedger {
  private readonly totals = new Map<string, BatchTotals>();
  /** Insertion order, as a ring: the slot to overwrite next holds the oldest record. */
  private readonly ring: (TxRecord | undefined)[];
  private next = 0;
  /** Ring slots by key: a slot is here while its record is the one its key finds. */
  private readonly byKey: SlotTable;
  /** Ring slots by RRN: a slot is here while its record is the one its RRN finds. */
  private readonly byRrn: SlotTable;
  private live = 0;
  /** The totals `count` touched last, and whose they are. */
  private lastTerminalId: string | undefined;
  private lastBatch: string | undefined;
  private lastTotals: BatchTotals | undefined;
  /** What the lookup callbacks compare against (set just before each `find`). */
  private probeRec: TxRecord | undefined;
  private probeText = '';
  private readonly sameKeyAsProbeRec = (slot: number): boolean => {
    const a = this.ring[slot] as TxRecord;
    const b = this.probeRec as TxRecord;
    return (a.terminalId === b.terminalId && a.batch === b.batch && a.stan === b.stan) || a.key === b.key;
  };
  private readonly keyIsProbeText = (slot: number): boolean =>
    (this.ring[slot] as TxRecord).key === this.probeText;
  private readonly rrnIsProbeText = (slot: number): boolean =>
    (this.ring[slot] as TxRecord).rrn === this.probeText;

  readonly capacity: number;

  constructor(capacity = 100000) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.ring = new Array<TxRecord | undefined>(this.capacity).fill(undefined);
    this.byKey = new SlotTable(this.capacity);
    this.byRrn = new SlotTable(this.capacity);
  }

  add(rec: TxRecord): void {
    const slot = this.next;
    // The oldest record leaves first: its slot is the one the new record takes.
    if (this.ring[slot] !== undefined) this.forget(slot);
    const h = partsHash(rec.terminalId, rec.batch, rec.stan);
    this.probeRec = rec;
    const old = this.byKey.find(h, this.sameKeyAsProbeRec);
    this.probeRec = undefined;
    if (old >= 0) this.forget(old);
    this.ring[slot] = rec;
    this.byKey.insert(h, slot);
    this.live++;
    if (rec.rrn) {
      const rh = textHash(rec.rrn);
      this.probeText = rec.rrn;
      const same = this.byRrn.find(rh, this.rrnIsProbeText);
      if (same >= 0) this.byRrn.remove(same);
      this.byRrn.insert(rh, slot);
    }
    if (rec.state === 'approved') this.count(rec, +1);
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
  }

  get(key: string): TxRecord | undefined {
    this.probeText = key;
    const slot = this.byKey.find(textHash(key), this.keyIsProbeText);
    return slot >= 0 ? this.ring[slot] : undefined;
  }

  byReference(rrn: string): TxRecord | undefined {
    this.probeText = rrn;
    const slot = this.byRrn.find(textHash(rrn), this.rrnIsProbeText);
    return slot >= 0 ? this.ring[slot] : undefined;
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
    return this.live;
  }

  /** All records in memory (oldest first). */
  records(): TxRecord[] {
    const out: TxRecord[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const slot = (this.next + i) % this.capacity;
      if (this.byKey.holds(slot)) out.push(this.ring[slot] as TxRecord);
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.live = 0;
    this.byKey.clear();
    this.byRrn.clear();
    this.totals.clear();
    this.lastTerminalId = this.lastBatch = this.lastTotals = undefined;
  }

  /** Takes the record in `slot` out of both indexes (it stays in the ring until overwritten). */
  private forget(slot: number): void {
    if (this.byKey.holds(slot)) {
      this.byKey.remove(slot);
      this.live--;
    }
    this.byRrn.remove(slot);
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
