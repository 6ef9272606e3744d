/**
 * Card transactions (消费, 预授权, 余额查询, ATM 取款): purchase, pre-authorisation, balance inquiry and
 * cash withdrawal. Ask for a card, read it (full mode), then the kernel's offline decision or the online
 * authorisation, the second GENERATE AC with the issuer's answer (a reversal when the card refuses an
 * approval), card retention on an ATM, batch record and receipt.
 */
import { RC, REVERSAL_REASON, type TransactionKind } from '../../pos-protocol/index.js';
import { isResult, type CardData } from '../card-reader/card-reader.js';
import type { TerminalRooms } from '../core/terminal-rooms.js';
import { runTransaction } from '../core/transaction-run.js';
import type { TxContext } from '../core/transaction-context.js';
import { responseCodeKey, type TextKey } from '../display-texts.js';
import { aacOnCardFault, type KernelTransaction } from '../card-reader/kernel-contract.js';
import { TerminalStateError } from '../errors.js';
import type { TerminalResult } from '../terminal-result.js';

/** The card transactions of this flow. */
export type SaleOperation = 'purchase' | 'preAuth' | 'balance' | 'withdraw';

/** How many presentations one card prompt takes before it gives up (card read error). */
const MAX_PRESENTATIONS = 32;

/** Runs card transaction `op` for `amount` minor units (0 for a balance inquiry). */
export function sale(
  rooms: TerminalRooms,
  op: SaleOperation,
  amount: number,
  ecrReference?: string,
): Promise<TerminalResult> {
  const { core, host } = rooms;
  if (op !== 'balance' && (!Number.isSafeInteger(amount) || amount <= 0 || amount > 999999999999))
    return Promise.reject(
      new TerminalStateError(
        `amount must be 1..999999999999 minor units, got ${amount}`,
        core.state,
        'E_TERMINAL_AMOUNT',
      ),
    );
  return runTransaction(
    rooms,
    op,
    amount,
    async (ctx) => {
      const stop = core.preconditions(op);
      if (stop) return stop;
      const after = await host.reversalBefore(ctx.signal);
      const r = await cardFlow(rooms, ctx, op, amount);
      await after();
      return r;
    },
    ecrReference,
  );
}

async function cardFlow(
  rooms: TerminalRooms,
  ctx: TxContext,
  op: SaleOperation,
  amount: number,
): Promise<TerminalResult> {
  const { core, reader } = rooms;
  const refused = reader.askForCard(op, amount, op === 'balance' ? undefined : core.money(amount));
  if (refused) return refused;
  const type: KernelTransaction['type'] =
    op === 'withdraw' ? '01' : op === 'preAuth' ? '03' : op === 'balance' ? '31' : '00';
  const ktx: KernelTransaction = { amount, type, offlineAllowed: op === 'purchase' };
  for (let round = 0; round < MAX_PRESENTATIONS; round++) {
    const p = await reader.nextPresentation(ctx);
    ctx.presentation = p;
    const got = await reader.read(ctx, p, ktx, 'full');
    if (got === 'again') continue;
    if (isResult(got)) return got;
    return authorise(rooms, ctx, op, amount, got);
  }
  return core.result(op, 'failed', 'cardReadError', { amount });
}

/** Online authorisation (or the offline outcome of the kernel), completion, reversal, receipt. */
async function authorise(
  rooms: TerminalRooms,
  ctx: TxContext,
  op: SaleOperation,
  amount: number,
  card: CardData,
): Promise<TerminalResult> {
  const { core, reader, host, keypad, printer } = rooms;
  const o = card.outcome;
  const base = { amount, maskedPan: card.maskedPan, currency: core.currency() };
  const details: Record<string, unknown> = o ? { aid: o.aid, tvr: o.tvr, tsi: o.tsi } : {};
  if (card.fieldMs !== undefined) details.fieldMs = card.fieldMs;
  if (o && o.decision === 'AAC')
    return core.result(op, 'declined', o.declineKey ?? 'cardDeclined', { ...base, details });
  if (o && o.decision === 'TC') {
    const stan = core.nextStan();
    const entryMode = card.read.entry === 'contactless' ? '072' : '052';
    core.batch.add({
      op: 'purchase',
      stan,
      pan: card.read.pan,
      amount,
      entryMode,
      iccData: o.iccData,
      offline: true,
      uploaded: false,
      reference: '',
      authCode: '',
      state: 'approved',
      date: core.dateOf(),
    });
    const r = core.result(op, 'approved', 'approvedOffline', {
      ...base,
      stan,
      entryMode,
      details: {
        ...details,
        offline: true,
        ...(o.ecBalance !== undefined ? { ecBalance: o.ecBalance } : {}),
      },
    });
    printer.print(r, false, core.batchNo);
    return r;
  }
  // Balance inquiry and withdrawal need a PIN: ask when the CVM did not.
  if ((op === 'balance' || op === 'withdraw') && card.pin === undefined && core.profile.capabilities.pinpad) {
    const pin = await keypad.requestPin(ctx);
    if (pin !== undefined) card.pin = pin;
  }
  core.setState('online');
  core.show('connecting');
  const kind: TransactionKind = op === 'withdraw' ? 'withdrawal' : op === 'preAuth' ? 'preauth' : op;
  const stan = core.nextStan();
  const request = host.messages.transaction(kind, stan, card.read, amount, card.pin);
  const entryMode = request.fields[22];
  const ex = await host.exchangeFinancial(request);
  details.stanSent = ex.request.fields[11];
  const sentStan = ex.request.fields[11] ?? stan;
  if (!ex.answer) {
    if (card.kernel && o?.decision === 'ARQC' && card.read.entry === 'chip')
      await card.kernel.complete(undefined, undefined).catch(aacOnCardFault);
    return core.result(op, 'failed', ex.badMac ? 'macError' : ex.connectFailed ? 'lineDown' : 'hostTimeout', {
      ...base,
      stan: sentStan,
      ...(entryMode ? { entryMode } : {}),
      ...(ex.badMac && ex.rc ? { responseCode: ex.rc } : {}),
      details,
    });
  }
  const answer = ex.answer;
  const rc = answer.fields[39] ?? '';
  const reference = answer.fields[37];
  const authCode = answer.fields[38];
  const common = {
    ...base,
    stan: sentStan,
    responseCode: rc,
    ...(entryMode ? { entryMode } : {}),
    ...(reference ? { reference } : {}),
    ...(authCode ? { authCode } : {}),
  };
  if (card.kernel && o?.decision === 'ARQC' && card.read.entry === 'chip') {
    core.setState('completion');
    const issuerAuth = host.messages.issuerAuthData(answer);
    let final: 'TC' | 'AAC';
    try {
      final = await card.kernel.complete(rc, issuerAuth);
    } catch (e) {
      final = aacOnCardFault(e);
    }
    details.tvr = card.kernel.tvrHex;
    details.tsi = card.kernel.tsiHex;
    if (rc === RC.APPROVED && final !== 'TC' && !core.defects.has('no-arpc-check')) {
      await host.queueReversal(ex.request, REVERSAL_REASON.TERMINAL_FAULT);
      return core.result(op, 'declined', 'cardDeclined', { ...common, details });
    }
  }
  if (rc !== RC.APPROVED) {
    const retain =
      core.profile.kind === 'atm' &&
      core.profile.atm.retainCodes.includes(rc) &&
      reader.insertedCard !== undefined;
    if (retain) reader.retain();
    return core.result(op, 'declined', retain ? 'cardRetained' : responseCodeKey(rc), {
      ...common,
      details: { ...details, ...(retain ? { cardRetained: true } : {}) },
    });
  }
  const balance = op === 'balance' ? host.messages.balanceOf(answer) : undefined;
  if (op !== 'balance')
    core.batch.add({
      op,
      stan: sentStan,
      pan: card.read.pan,
      amount,
      entryMode: entryMode ?? '',
      ...(card.read.iccData ? { iccData: card.read.iccData } : {}),
      offline: false,
      uploaded: true,
      reference: reference ?? '',
      authCode: authCode ?? '',
      state: 'approved',
      ...(card.read.expiry ? { expiry: card.read.expiry } : {}),
      date: core.dateOf(answer),
    });
  const key: TextKey = op === 'balance' ? 'balance' : op === 'withdraw' ? 'dispensing' : 'approved';
  const r = core.result(op, 'approved', key, {
    ...common,
    ...(balance !== undefined ? { balance } : {}),
    details,
  });
  if (op !== 'balance')
    printer.print(
      r,
      card.outcome?.signature === true || (card.pin === undefined && card.read.entry !== 'contactless'),
      core.batchNo,
    );
  return r;
}
