/**
 * Settlement (0500: the terminal's batch totals against the ledger's) and batch upload (0320: known
 * transactions confirmed, offline ones booked; the 0320 with 60.3 = 202 ends the upload with its count).
 */
import type { IsoMessage } from '../iso8583/index.js';
import {
  RC,
  readBatchUploadEndCount,
  readSettlementTotals,
  settlementAnswerField,
} from '../pos-protocol/index.js';
import { FollowUpProcessor } from './follow-up-processor.js';
import type { KnownTerminal } from './terminal-registry.js';
import { txKey, type Effect } from './transaction-ledger.js';

/** Settlement and batch upload. */
export abstract class SettlementProcessor extends FollowUpProcessor {
  /** Per terminal id: the batch of its last 0500 and the 0320s of that batch received since. */
  private readonly batchUploads = new Map<string, { batch: string; count: number }>();

  /** Back to the opening state, batch uploads included (see ProcessorCore.reset). */
  override reset(): void {
    super.reset();
    this.batchUploads.clear();
  }

  protected settlement(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    const f48 = req.fields[48];
    const sent = readSettlementTotals(f48);
    if (f48 === undefined || sent === undefined) return RC.FORMAT_ERROR;
    const batch = this.batchOf(req, t);
    const totals = this.ledger.batchTotals(t.config.terminalId, batch);
    const balanced =
      sent.debitAmount === totals.debitAmount &&
      sent.debitCount === totals.debitCount &&
      sent.creditAmount === totals.creditAmount &&
      sent.creditCount === totals.creditCount;
    resp.fields[48] = settlementAnswerField(f48, balanced);
    if (this.has[15]) resp.fields[15] = (resp.fields[13] ?? '0101').slice(0, 4);
    if (balanced && batch === t.batch) t.batch = String((Number(batch) + 1) % 1000000).padStart(6, '0');
    this.batchUploads.set(t.config.terminalId, { batch, count: 0 });
    return RC.APPROVED;
  }

  protected uploadEnd(req: IsoMessage, t: KnownTerminal): string {
    const count = readBatchUploadEndCount(req.fields[48]);
    if (req.fields[11] === undefined || count === undefined) return RC.FORMAT_ERROR;
    const upload = this.batchUploads.get(t.config.terminalId);
    const received = upload?.batch === this.batchOf(req, t) ? upload.count : 0;
    this.batchUploads.delete(t.config.terminalId);
    return count === received ? RC.APPROVED : RC.RECONCILE_ERROR;
  }

  protected upload(req: IsoMessage, t: KnownTerminal): string {
    const stan = req.fields[11];
    if (stan === undefined) return RC.FORMAT_ERROR;
    const upload = this.batchUploads.get(t.config.terminalId);
    if (upload?.batch === this.batchOf(req, t)) upload.count++;
    const known = this.ledger.get(txKey(t.config.terminalId, this.batchOf(req, t), stan));
    if (known) {
      known.uploaded = true;
      return RC.APPROVED;
    }
    const amount = this.amountOf(req);
    const pan = this.panOf(req, t);
    if (amount === undefined || !pan) return RC.FORMAT_ERROR;
    const rec = this.newRecord(req, t, 'offline', pan, amount, RC.APPROVED);
    rec.uploaded = true;
    // An EC (electronic cash) purchase was paid from the chip purse: the account is not debited again.
    const ec = this.iccTags(req)?.has('9F74') ?? false;
    if (!ec && this.accounts.has(pan)) {
      const eff: Effect = { op: 'debit', pan, amount };
      this.accounts.forceDebit(pan, amount, this.now());
      rec.effects.push(eff);
    }
    this.ledger.add(rec);
    return RC.APPROVED;
  }
}
