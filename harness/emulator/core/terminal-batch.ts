/**
 * The terminal's current batch: every approved transaction since the last settlement, with what the
 * terminal needs for voids, refunds, offline upload and settlement totals. Holds PANs in memory only —
 * never emitted; `summary()` is masked.
 */
import { maskPan } from '../../common/mask.js';
import type { TerminalOperation } from '../terminal-result.js';

export interface BatchRecord {
  op: TerminalOperation;
  stan: string;
  pan: string;
  expiry?: string;
  amount: number;
  entryMode: string;
  iccData?: string;
  /** Approved offline (EC): the host has not seen it until uploaded. */
  offline: boolean;
  uploaded: boolean;
  reference: string;
  authCode: string;
  state: 'approved' | 'voided' | 'completed';
  /** Transaction date MMDD (the host's field 13, else the terminal's clock): field 61.3 of a later refund. */
  date?: string;
}

export class TerminalBatch {
  private list: BatchRecord[] = [];

  add(r: BatchRecord): void {
    this.list.push(r);
  }

  records(): readonly BatchRecord[] {
    return this.list;
  }

  clear(): void {
    this.list = [];
  }

  /** Offline transactions the host has not seen yet. */
  unuploaded(): BatchRecord[] {
    return this.list.filter((r) => r.offline && !r.uploaded);
  }

  /** The original of a void/refund/completion: by reference (field 37) or STAN. */
  find(o: { reference?: string; stan?: string }): BatchRecord | undefined {
    return [...this.list]
      .reverse()
      .find(
        (r) =>
          (o.reference !== undefined && r.reference === o.reference) ||
          (o.stan !== undefined && r.stan === o.stan),
      );
  }

  /** Settlement totals: debits = purchases, completions, withdrawals (voided ones out); credits = refunds. */
  totals(): { debitAmount: number; debitCount: number; creditAmount: number; creditCount: number } {
    const t = { debitAmount: 0, debitCount: 0, creditAmount: 0, creditCount: 0 };
    for (const r of this.list) {
      if (r.state === 'voided') continue;
      if (r.op === 'purchase' || r.op === 'completion' || r.op === 'withdraw') {
        t.debitAmount += r.amount;
        t.debitCount++;
      } else if (r.op === 'refund') {
        t.creditAmount += r.amount;
        t.creditCount++;
      }
    }
    return t;
  }

  /** Masked view for reports. */
  summary(): {
    op: TerminalOperation;
    stan: string;
    maskedPan: string;
    amount: number;
    state: string;
    offline: boolean;
    uploaded: boolean;
  }[] {
    return this.list.map((r) => ({
      op: r.op,
      stan: r.stan,
      maskedPan: maskPan(r.pan),
      amount: r.amount,
      state: r.state,
      offline: r.offline,
      uploaded: r.uploaded,
    }));
  }
}
