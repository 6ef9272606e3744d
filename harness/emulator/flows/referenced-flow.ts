/**
 * Referenced transactions (撤销, 退货, 预授权完成): void, refund and pre-authorisation completion of an
 * original in the current batch, by reference (field 37) or STAN, no card needed. A refund whose original
 * is no longer in the batch goes to the settled-refund flow.
 */
import { maskPan } from '../../common/mask.js';
import { RC, type CardRead, type TransactionKind } from '../../pos-protocol/index.js';
import type { TerminalRooms } from '../core/terminal-rooms.js';
import { runTransaction } from '../core/transaction-run.js';
import { responseCodeKey } from '../display-texts.js';
import type { TerminalResult } from '../terminal-result.js';
import { settledRefund } from './settled-refund-flow.js';

/** The original transaction: reference (field 37) or STAN, and for a settled refund its date (MMDD). */
export interface OriginalTransaction {
  reference?: string;
  stan?: string;
  date?: string;
}

/** Void, refund, completion: the original from this terminal's batch; no card needed. */
export function referenced(
  rooms: TerminalRooms,
  op: 'void' | 'refund' | 'completion',
  original: OriginalTransaction,
  amount: number | undefined,
  ecrReference?: string,
): Promise<TerminalResult> {
  const { core, host, printer } = rooms;
  return runTransaction(
    rooms,
    op,
    amount ?? 0,
    async (ctx) => {
      const stop = core.preconditions(op);
      if (stop) return stop;
      const after = await host.reversalBefore(ctx.signal);
      const orig = core.batch.find(original);
      if (!orig && op === 'refund' && amount !== undefined) {
        const r = await settledRefund(rooms, ctx, original, amount);
        await after();
        return r;
      }
      if (!orig) return core.result(op, 'declined', 'originalNotFound', { ...(amount ? { amount } : {}) });
      const amt = amount ?? orig.amount;
      const kind: TransactionKind = op;
      const stan = core.nextStan();
      const read: CardRead = {
        pan: orig.pan,
        ...(orig.expiry ? { expiry: orig.expiry } : {}),
        entry: 'manual',
      };
      const request = host.messages.transaction(kind, stan, read, amt, undefined, {
        rrn: orig.reference,
        authCode: orig.authCode,
        batch: core.batchNo,
        stan: orig.stan,
        ...(original.date ? { date: original.date } : {}),
      });
      core.setState('online');
      core.show('connecting');
      const ex = await host.exchangeFinancial(request);
      const base = {
        amount: amt,
        maskedPan: maskPan(orig.pan),
        currency: core.currency(),
        stan: ex.request.fields[11] ?? stan,
      };
      let r: TerminalResult;
      if (!ex.answer)
        r = core.result(
          op,
          'failed',
          ex.badMac ? 'macError' : ex.connectFailed ? 'lineDown' : 'hostTimeout',
          base,
        );
      else {
        const rc = ex.answer.fields[39] ?? '';
        const reference = ex.answer.fields[37];
        const common = {
          ...base,
          responseCode: rc,
          ...(reference ? { reference } : {}),
          details: { original: orig.stan },
        };
        if (rc !== RC.APPROVED) r = core.result(op, 'declined', responseCodeKey(rc), common);
        else {
          if (op === 'void') orig.state = 'voided';
          if (op === 'completion') orig.state = 'completed';
          core.batch.add({
            op,
            stan: base.stan,
            pan: orig.pan,
            amount: amt,
            entryMode: '012',
            offline: false,
            uploaded: true,
            reference: reference ?? '',
            authCode: ex.answer.fields[38] ?? '',
            state: 'approved',
            date: core.dateOf(ex.answer),
          });
          r = core.result(op, 'approved', 'approved', common);
          printer.print(r, false, core.batchNo);
        }
      }
      await after();
      return r;
    },
    ecrReference,
  );
}
