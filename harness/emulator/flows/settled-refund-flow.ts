/**
 * Refund (退货) of an original that is no longer in the current batch (settled, typically the next day),
 * the UnionPay way: the card must be presented (insert, tap or swipe; chip cards run the simplified flow,
 * no cryptogram), and the 0220 carries the card data, the original reference (field 37) and field 61 =
 * original batch ‖ original trace ‖ original date MMDD (batch and trace zero when the terminal no longer
 * holds the original). The date comes from `original.date`, else from the settled batches the terminal
 * keeps; without either the terminal cannot fill field 61 and refuses.
 */
import { RC, type CardRead } from '../../pos-protocol/index.js';
import { isResult } from '../card-reader/card-reader.js';
import type { SettledBatch } from '../core/terminal-core.js';
import type { TerminalRooms } from '../core/terminal-rooms.js';
import type { TxContext } from '../core/transaction-context.js';
import { responseCodeKey } from '../display-texts.js';
import { MMDD_PATTERN } from '../ecr/ecr-messages.js';
import type { KernelTransaction } from '../card-reader/kernel-contract.js';
import type { BatchRecord } from '../core/terminal-batch.js';
import type { TerminalResult } from '../terminal-result.js';
import { maskPan } from '../../common/mask.js';

/** How many presentations the card prompt takes before it gives up (card read error). */
const MAX_PRESENTATIONS = 32;

/** The settled-refund flow inside a running refund (see the module comment). */
export async function settledRefund(
  rooms: TerminalRooms,
  ctx: TxContext,
  original: { reference?: string; stan?: string; date?: string },
  amount: number,
): Promise<TerminalResult> {
  const { core, reader, host, printer } = rooms;
  const op = 'refund';
  const known = findSettled(core.settled, original);
  const date = original.date ?? known?.record.date;
  const reference = original.reference ?? known?.record.reference;
  if (date !== undefined && !MMDD_PATTERN.test(date))
    return core.result(op, 'declined', 'originalNotFound', {
      amount,
      details: { error: `original date must be MMDD, got '${date}'` },
    });
  if (!reference || date === undefined) return core.result(op, 'declined', 'originalNotFound', { amount });
  const refused = reader.askForCard(op, amount, core.money(amount));
  if (refused) return refused;
  const ktx: KernelTransaction = { amount, type: '20', offlineAllowed: false };
  let read: CardRead | undefined;
  for (let round = 0; round < MAX_PRESENTATIONS && !read; round++) {
    const p = await reader.nextPresentation(ctx);
    ctx.presentation = p;
    const got = await reader.read(ctx, p, ktx, 'identify');
    if (got === 'again') continue;
    if (isResult(got)) return got;
    read = got.read;
  }
  if (!read) return core.result(op, 'failed', 'cardReadError', { amount });
  const stan = core.nextStan();
  const request = host.messages.transaction('refund', stan, read, amount, undefined, {
    rrn: reference,
    batch: known?.batch ?? '000000',
    stan: known?.record.stan ?? '000000',
    date,
    ...(known?.record.authCode ? { authCode: known.record.authCode } : {}),
  });
  core.setState('online');
  core.show('connecting');
  const ex = await host.exchangeFinancial(request);
  const base = {
    amount,
    maskedPan: maskPan(read.pan),
    currency: core.currency(),
    stan: ex.request.fields[11] ?? stan,
    ...(request.fields[22] ? { entryMode: request.fields[22] } : {}),
  };
  const details = { original: reference, originalDate: date, settledOriginal: true };
  if (!ex.answer)
    return core.result(op, 'failed', ex.badMac ? 'macError' : ex.connectFailed ? 'lineDown' : 'hostTimeout', {
      ...base,
      details,
    });
  const rc = ex.answer.fields[39] ?? '';
  const rrn = ex.answer.fields[37];
  const common = { ...base, responseCode: rc, ...(rrn ? { reference: rrn } : {}), details };
  if (rc !== RC.APPROVED) return core.result(op, 'declined', responseCodeKey(rc), common);
  core.batch.add({
    op,
    stan: base.stan,
    pan: read.pan,
    ...(read.expiry ? { expiry: read.expiry } : {}),
    amount,
    entryMode: request.fields[22] ?? '',
    offline: false,
    uploaded: true,
    reference: rrn ?? '',
    authCode: ex.answer.fields[38] ?? '',
    state: 'approved',
    date: core.dateOf(ex.answer),
  });
  const r = core.result(op, 'approved', 'approved', common);
  printer.print(r, false, core.batchNo);
  return r;
}

/** The original in the settled batches the terminal keeps (newest first), by reference or STAN. */
function findSettled(
  settled: readonly SettledBatch[],
  o: { reference?: string; stan?: string },
): { batch: string; record: BatchRecord } | undefined {
  for (let i = settled.length - 1; i >= 0; i--) {
    const b = settled[i] as SettledBatch;
    for (let j = b.records.length - 1; j >= 0; j--) {
      const r = b.records[j] as BatchRecord;
      if (
        (o.reference !== undefined && r.reference === o.reference) ||
        (o.reference === undefined && o.stan !== undefined && r.stan === o.stan)
      )
        return { batch: b.batch, record: r };
    }
  }
  return undefined;
}
