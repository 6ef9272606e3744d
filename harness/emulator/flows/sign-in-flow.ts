/**
 * Sign-in (签到): 0800 with working-key download in field 62, retried per the profile when the host
 * declines or cannot be reached; keys whose check values do not match leave the terminal signed out.
 */
import type { IsoMessage } from '../../iso8583/index.js';
import { RC, field60Batch, type SessionKeys } from '../../pos-protocol/index.js';
import type { TerminalRooms } from '../core/terminal-rooms.js';
import { runTransaction } from '../core/transaction-run.js';
import type { TerminalResult } from '../terminal-result.js';

/**
 * 0800 sign-in with working-key download; retried per the profile on failure. An ATM that cannot sign
 * in stays OUT OF SERVICE and tries again by itself every `signIn.interval` until the host answers.
 */
export async function signIn(rooms: TerminalRooms): Promise<TerminalResult> {
  const { core } = rooms;
  stopSignInRetry(rooms);
  const r = await signInRun(rooms);
  if (r.outcome !== 'approved' && core.profile.kind === 'atm') scheduleSignInRetry(rooms);
  return r;
}

/** Stops an ATM's sign-in attempts by itself (close, power cycle, a sign-in asked for). */
export function stopSignInRetry(rooms: TerminalRooms): void {
  const core = rooms.core;
  core.signInRetry?.cancel();
  core.signInRetry = undefined;
}

/** An ATM whose sign-in expired at the day change signs in again by itself (soon, when it is free). */
export function signInByItself(rooms: TerminalRooms): void {
  stopSignInRetry(rooms);
  scheduleSignInRetry(rooms, 0);
}

function scheduleSignInRetry(rooms: TerminalRooms, delayMs = rooms.core.profile.signIn.intervalMs): void {
  const core = rooms.core;
  core.signInRetry = core.clock.setTimeout(
    () => {
      core.signInRetry = undefined;
      if (core.keys !== undefined) return;
      // A transaction attempt (refused, out of service) may be on the screen: try again later.
      if (core.busy) return scheduleSignInRetry(rooms);
      signIn(rooms).catch((e: unknown) => core.note(`sign-in by itself failed: ${(e as Error).message}`));
    },
    delayMs,
    { unref: true },
  );
}

function signInRun(rooms: TerminalRooms): Promise<TerminalResult> {
  const { core } = rooms;
  return runTransaction(rooms, 'signIn', 0, async (ctx) => {
    const attempts = 1 + core.profile.signIn.retries;
    let last: TerminalResult | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) {
        core.show('retrying');
        await core.sleep(core.profile.signIn.intervalMs, ctx.signal);
      }
      last = await signInOnce(rooms);
      if (last.outcome === 'approved') return last;
      if (last.messageKey === 'keyCheckError') return last;
    }
    return last as TerminalResult;
  });
}

async function signInOnce(rooms: TerminalRooms): Promise<TerminalResult> {
  const { core, host } = rooms;
  core.setState('signingIn');
  core.show('signingIn');
  const stan = core.nextStan();
  const req = host.messages.signIn(stan);
  let answer: IsoMessage;
  try {
    answer = await host.exchange(req, core.profile.timeouts.signIn);
  } catch (e) {
    host.hostError(e, req.mti);
    // The line down is the operator's concern: an ATM's cardholder sees only that it is out of service.
    return core.result('signIn', 'failed', core.profile.kind === 'atm' ? 'outOfService' : 'lineDown', {
      stan,
    });
  }
  const rc = answer.fields[39] ?? '';
  if (rc !== RC.APPROVED)
    return core.result('signIn', 'declined', 'signInFailed', { stan, responseCode: rc });
  let keys: SessionKeys;
  try {
    keys = host.messages.keysOfSignIn(answer.fields[62]);
  } catch (e) {
    core.note(`sign-in keys refused: ${(e as Error).message}`);
    core.keys = undefined;
    core.setState('notSignedIn');
    return core.result('signIn', 'failed', 'keyCheckError', { stan, responseCode: rc });
  }
  core.keys = keys;
  core.signedInDay = core.calendar.dayOf();
  core.batchNo = field60Batch(answer.fields[60]) ?? core.batchNo;
  return core.result('signIn', 'approved', 'signInOk', {
    stan,
    responseCode: rc,
    details: { batch: core.batchNo },
  });
}
