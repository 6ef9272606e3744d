/**
 * Settlement (结算): offline transactions uploaded first, 0500 with the batch totals, batch upload (0320)
 * of every record when the host is out of balance, closed by the batch-upload-end 0320 (批上送结束, 60.3 =
 * 202) with the count uploaded; then the batch closes (kept for next-day refunds), the
 * batch number moves on and the settlement slip is printed.
 */
import type { IsoMessage } from '../../iso8583/index.js';
import { RC } from '../../pos-protocol/index.js';
import { responseCodeKey } from '../display-texts.js';
import { SETTLED_BATCHES_KEPT } from '../core/terminal-core.js';
import type { TerminalRooms } from '../core/terminal-rooms.js';
import { runTransaction } from '../core/transaction-run.js';
import type { TerminalResult } from '../terminal-result.js';

/** Settlement (0500) with offline upload before and batch upload (0320) when the host is out of balance. */
export function settle(rooms: TerminalRooms): Promise<TerminalResult> {
  const { core, host, printer } = rooms;
  return runTransaction(rooms, 'settle', 0, async (ctx) => {
    const stop = core.preconditions('settle');
    if (stop) return stop;
    const after = await host.reversalBefore(ctx.signal);
    core.setState('settling');
    core.show('settling');
    for (const r of core.batch.unuploaded()) {
      const a = await host.uploadRecord(r);
      if (a?.fields[39] === RC.APPROVED) r.uploaded = true;
    }
    const totals = core.batch.totals();
    const stan = core.nextStan();
    const req = host.messages.settlement(stan, totals);
    let answer: IsoMessage;
    try {
      answer = await host.exchange(req, core.profile.timeouts.host);
    } catch (e) {
      host.hostError(e, req.mti);
      return core.result('settle', 'failed', 'lineDown', { stan, totals });
    }
    const rc = answer.fields[39] ?? '';
    if (rc !== RC.APPROVED)
      return core.result('settle', 'declined', responseCodeKey(rc), { stan, responseCode: rc, totals });
    const balanced = !host.messages.settlementUnbalanced(answer);
    const upload: Record<string, unknown> = {};
    if (!balanced) {
      let uploaded = 0;
      for (const r of core.batch.records()) if (await host.uploadRecord(r)) uploaded++;
      const end = host.messages.batchUploadEnd(core.nextStan(), uploaded);
      upload.uploaded = uploaded;
      try {
        upload.uploadEndCode = (await host.exchange(end, core.profile.timeouts.host)).fields[39] ?? '';
      } catch (e) {
        host.hostError(e, end.mti);
      }
    }
    const closed = core.batchNo;
    core.settled.push({ batch: closed, records: [...core.batch.records()] });
    if (core.settled.length > SETTLED_BATCHES_KEPT) core.settled.shift();
    core.batch.clear();
    core.batchNo = String((Number(core.batchNo) + 1) % 1000000).padStart(6, '0');
    await after();
    const done = core.result('settle', 'approved', balanced ? 'settled' : 'settledUnbalanced', {
      stan,
      responseCode: rc,
      totals,
      details: { batch: closed, balanced, ...upload },
    });
    // The settlement slip (结算单) closes the day.
    printer.print(done, false, core.batchNo);
    return done;
  });
}
