/**
 * The transactions that refer to an original: void (0200/0100 `20xxxx`), pre-authorisation completion,
 * refund (0220 `20xxxx`) and reversal (0400/0420), with the account effects they undo.
 */
import type { IsoMessage } from '../iso8583/index.js';
import { RC, readField61 } from '../pos-protocol/index.js';
import { AuthorisationProcessor } from './authorisation-processor.js';
import type { KnownTerminal } from './terminal-registry.js';
import { txKey, type Effect, type TxRecord } from './transaction-ledger.js';

/** Void, completion, refund and reversal of an original transaction. */
export abstract class FollowUpProcessor extends AuthorisationProcessor {
  /** The original a void/refund/completion refers to: field 37 (RRN), else field 61 (batch ‖ STAN). */
  private original(req: IsoMessage, t: KnownTerminal): TxRecord | undefined {
    const rrn = req.fields[37];
    if (rrn) {
      const r = this.ledger.byReference(rrn);
      if (r) return r;
    }
    const f61 = readField61(req.fields[61]);
    return f61 ? this.ledger.get(txKey(t.config.terminalId, f61.batch, f61.stan)) : undefined;
  }

  protected voidTx(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    if (req.fields[11] === undefined) return RC.FORMAT_ERROR;
    const orig = this.original(req, t);
    if (!orig || orig.terminalId !== t.config.terminalId || orig.state === 'declined')
      return RC.ORIGINAL_NOT_FOUND;
    if (orig.state !== 'approved') return RC.ALREADY_REVERSED;
    if (!['purchase', 'completion', 'preauth'].includes(orig.kind)) return RC.INVALID_TRANSACTION;
    const amount = this.amountOf(req);
    if (amount !== undefined && amount !== orig.amount) return RC.INVALID_AMOUNT;
    if (req.fields[52] !== undefined || req.fields[55] !== undefined) {
      const check = this.cardChecks(req, resp, t, false);
      if (check.code !== RC.APPROVED) return check.code;
    }
    const now = this.now();
    const rec = this.newRecord(req, t, 'void', orig.pan, orig.amount, RC.APPROVED);
    rec.original = orig;
    rec.originalStateBefore = orig.state;
    for (const e of [...orig.effects].reverse()) {
      const inv = this.inverse(e);
      this.apply(inv, now);
      rec.effects.push(inv);
    }
    this.uncount(orig, now);
    this.ledger.setState(orig, 'voided');
    if (this.has[2] && resp.fields[2] === undefined) resp.fields[2] = orig.pan;
    return this.finish(rec, resp);
  }

  protected completion(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    if (req.fields[11] === undefined) return RC.FORMAT_ERROR;
    const amount = this.amountOf(req);
    if (amount === undefined) return RC.FORMAT_ERROR;
    const orig = this.original(req, t);
    if (!orig || orig.kind !== 'preauth' || orig.state === 'declined') return RC.ORIGINAL_NOT_FOUND;
    if (orig.state !== 'approved') return RC.ALREADY_REVERSED;
    // A completion may exceed the authorised amount by at most 15 % (common acquirer tolerance).
    if (amount <= 0 || amount > Math.floor(orig.amount * 1.15)) return RC.INVALID_AMOUNT;
    const now = this.now();
    const rec = this.newRecord(req, t, 'completion', orig.pan, amount, RC.APPROVED);
    rec.original = orig;
    rec.originalStateBefore = orig.state;
    const release: Effect = { op: 'release', pan: orig.pan, amount: orig.amount };
    this.apply(release, now);
    const stop = this.accounts.debit(orig.pan, amount, now, { skipLimits: true });
    if (stop) {
      this.accounts.forceHold(orig.pan, orig.amount, now);
      return stop;
    }
    rec.effects.push(release, { op: 'debit', pan: orig.pan, amount });
    this.ledger.setState(orig, 'completed');
    if (this.has[2] && resp.fields[2] === undefined) resp.fields[2] = orig.pan;
    return this.finish(rec, resp);
  }

  protected refund(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    if (req.fields[11] === undefined) return RC.FORMAT_ERROR;
    const amount = this.amountOf(req);
    if (amount === undefined) return RC.FORMAT_ERROR;
    if (amount <= 0) return RC.INVALID_AMOUNT;
    const wantsOriginal = req.fields[37] !== undefined || req.fields[61] !== undefined;
    const orig = wantsOriginal ? this.original(req, t) : undefined;
    if (wantsOriginal && (!orig || orig.state === 'declined')) return RC.ORIGINAL_NOT_FOUND;
    if (orig && amount > orig.amount - orig.refunded) return RC.INVALID_AMOUNT;
    const cardPan = this.panOf(req, t);
    // A refund goes back to the card that paid: another card's refund of this original has none.
    if (orig && cardPan !== undefined && cardPan !== orig.pan) return RC.ORIGINAL_NOT_FOUND;
    const pan = cardPan ?? orig?.pan;
    if (!pan) return RC.FORMAT_ERROR;
    if (!this.accounts.has(pan)) return RC.NO_SUCH_CARD;
    const now = this.now();
    const rec = this.newRecord(req, t, 'refund', pan, amount, RC.APPROVED);
    if (orig) {
      rec.original = orig;
      orig.refunded += amount;
    }
    const eff: Effect = { op: 'credit', pan, amount };
    this.apply(eff, now);
    rec.effects.push(eff);
    return this.finish(rec, resp);
  }

  protected reversal(req: IsoMessage, t: KnownTerminal): string {
    const stan = req.fields[11];
    if (stan === undefined) return RC.FORMAT_ERROR;
    const rec = this.ledger.get(txKey(t.config.terminalId, this.batchOf(req, t), stan));
    if (!rec) return this.config.reversalUnknownOriginal ?? RC.ORIGINAL_NOT_FOUND;
    // Idempotent: a reversal of a declined or already reversed transaction changes nothing.
    if (rec.state !== 'approved' && rec.state !== 'voided' && rec.state !== 'completed') return RC.APPROVED;
    if (rec.state !== 'approved') return RC.ALREADY_REVERSED;
    const now = this.now();
    for (const e of [...rec.effects].reverse()) this.apply(this.inverse(e), now);
    this.uncount(rec, now);
    if (rec.original && rec.originalStateBefore) this.ledger.setState(rec.original, rec.originalStateBefore);
    if (rec.original && rec.kind === 'refund') rec.original.refunded -= rec.amount;
    this.ledger.setState(rec, 'reversed');
    return RC.APPROVED;
  }

  /** A purchase, withdrawal or pre-authorisation undone no longer counts against the daily count limit. */
  private uncount(rec: TxRecord, now: Date): void {
    if (
      (rec.kind === 'purchase' || rec.kind === 'withdrawal' || rec.kind === 'preauth') &&
      this.accounts.has(rec.pan)
    )
      this.accounts.uncount(rec.pan, now);
  }

  private inverse(e: Effect): Effect {
    const op =
      e.op === 'debit' ? 'credit' : e.op === 'credit' ? 'debit' : e.op === 'hold' ? 'release' : 'hold';
    return { op, pan: e.pan, amount: e.amount };
  }

  private apply(e: Effect, now: Date): void {
    if (!this.accounts.has(e.pan)) return;
    if (e.op === 'credit') this.accounts.credit(e.pan, e.amount, now, { undoSpend: true });
    else if (e.op === 'debit') this.accounts.forceDebit(e.pan, e.amount, now);
    else if (e.op === 'hold') this.accounts.forceHold(e.pan, e.amount, now);
    else this.accounts.release(e.pan, e.amount, now, { undoSpend: true });
  }
}
