/**
 * Runs one transaction: refuses a second one while one runs, gives it an abort signal (cancel, CANCEL key,
 * card removal, close), turns the flow's product outcomes into a result (cancelled, device failed, a
 * typed product error) and ends on the result screen, then PLEASE REMOVE CARD or idle.
 *
 * A bug inside payhil (a TypeError, an illegal state transition, any error that is not a typed product
 * outcome) is never turned into a result: the terminal notes it, goes back to idle and the transaction's
 * promise rejects with the error itself, stack and all, so the run is *broken*, not *declined*.
 */
import { isPayhilError } from '../../common/payhil-error.js';
import { text, type TextKey } from '../display-texts.js';
import { TerminalStateError } from '../errors.js';
import type { TerminalOperation, TerminalResult } from '../terminal-result.js';
import type { TerminalRooms } from './terminal-rooms.js';
import { Cancelled, DeviceStop, type TxContext } from './transaction-context.js';

/**
 * The result a flow's error stands for, or undefined when the error is a bug. Product outcomes are the
 * cancels and device stops of the flows, and typed errors whose verdict is `failed` (a card that stopped
 * answering the way a card must).
 */
function outcomeOf(
  rooms: TerminalRooms,
  op: TerminalOperation,
  amount: number,
  e: unknown,
): TerminalResult | undefined {
  const core = rooms.core;
  if (e instanceof Cancelled)
    return core.result(op, 'cancelled', e.key, { amount, ...(e.details ? { details: e.details } : {}) });
  if (e instanceof DeviceStop) return core.result(op, 'failed', e.key, { amount });
  if (isPayhilError(e) && e.verdict === 'failed') {
    core.note(`internal error: ${e.message}`);
    return core.result(op, 'failed', 'declined', { amount, details: { error: e.message } });
  }
  return undefined;
}

/** Runs `body` as transaction `op`; see the module comment for what becomes a result and what rejects. */
export async function runTransaction(
  rooms: TerminalRooms,
  op: TerminalOperation,
  amount: number,
  body: (ctx: TxContext) => Promise<TerminalResult>,
  ecrReference?: string,
): Promise<TerminalResult> {
  const { core, reader, keypad } = rooms;
  // A sign-in of a previous day no longer counts (profile signIn.daily): checked before the run begins.
  core.expireStaleSignIn();
  const signingInByItself = core.busy && core.state === 'signingIn' && core.profile.kind === 'atm';
  if (signingInByItself && op !== 'signIn') {
    // An ATM that cannot sign in tries again by itself; a cardholder who comes meanwhile is refused as when
    // it is idle (the screen already says OUT OF SERVICE), and the sign-in goes on undisturbed.
    const refusal = core.preconditions(op);
    if (refusal) {
      core.events.emit({ type: 'result', result: refusal });
      return refusal;
    }
  }
  if (core.busy)
    throw new TerminalStateError(
      `a transaction is in progress (${core.state})`,
      core.state,
      'E_TERMINAL_BUSY',
    );
  core.busy = true;
  reader.clearRemovalTimer();
  core.abort = new AbortController();
  keypad.reset();
  const ctx: TxContext = {
    op,
    signal: core.abort.signal,
    amount,
    fallbackAllowed: false,
    ...(ecrReference ? { ecrReference } : {}),
  };
  let r: TerminalResult | undefined;
  let bug: { error: unknown } | undefined;
  try {
    await rooms.host.idleReversalSettled();
    r = await body(ctx);
  } catch (e) {
    r = outcomeOf(rooms, op, amount, e);
    if (!r) bug = { error: e };
  } finally {
    core.busy = false;
    core.abort = undefined;
    keypad.closePrompt();
    reader.endTransaction();
  }
  try {
    if (bug) throw bug.error;
    return finish(rooms, op, r as TerminalResult, ecrReference);
  } catch (e) {
    core.recoverFromBug(e);
    throw e;
  }
}

/** The result screen, indicator and `result` event; then PLEASE REMOVE CARD (card still in) or idle. */
function finish(
  rooms: TerminalRooms,
  op: TerminalOperation,
  result: TerminalResult,
  ecrReference: string | undefined,
): TerminalResult {
  const { core, reader } = rooms;
  const profile = core.profile;
  let r = result;
  if (ecrReference) r.ecrReference = ecrReference;
  if (r.outcome === 'approved' && r.details?.receiptPrinted === false)
    r = {
      ...r,
      messageKey: 'approvedNoReceipt',
      message: text('approvedNoReceipt', profile.language),
    };
  core.setState('result');
  core.show(
    r.messageKey as TextKey,
    r.messageKey === 'balance' && r.balance !== undefined
      ? (r.balance / 10 ** profile.kernel.currencyExponent).toFixed(profile.kernel.currencyExponent)
      : undefined,
  );
  core.events.emit({
    type: 'indicator',
    beep: r.outcome === 'approved' ? 1 : 3,
    leds: { green: r.outcome === 'approved' ? 'on' : 'off', red: r.outcome === 'approved' ? 'off' : 'on' },
  });
  core.events.emit({ type: 'result', result: r });
  const inserted = reader.insertedCard;
  if (inserted && op !== 'signIn' && op !== 'settle') {
    core.setState('removeCard');
    core.show('removeCard');
    reader.armRemovalTimer(inserted);
  } else core.toIdle();
  return r;
}
