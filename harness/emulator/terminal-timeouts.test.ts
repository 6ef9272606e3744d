/**
 * The cardholder timeouts of the profile acted on: `cardRemoval` (a reminder at a POS, retention at an
 * ATM when the card is left in after the transaction) and `idle` (a card prompt nobody answers is
 * cancelled). Short timeouts (100–150 ms) in profiles derived from the CI ones; a host simulator on
 * 127.0.0.1 (port 0).
 */
import { strict as assert } from 'node:assert';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createVirtualCard } from '../cards/index.js';
import { startHost, type HostHandle } from '../host/index.js';
import { createTerminal, type EmulatedTerminal } from './emulated-terminal.js';
import { received } from './emulator-test-kit.test-helper.js';
import { TerminalStateError } from './errors.js';
import type { TerminalEvent } from './terminal-events.js';
import { loadTerminalProfile, type TerminalProfile } from './terminal-profile.js';

const REMOVAL_MS = 100;
const IDLE_MS = 150;

function quick(name: string): TerminalProfile {
  const p = loadTerminalProfile(name);
  return { ...p, timeouts: { ...p.timeouts, cardRemoval: REMOVAL_MS, idle: IDLE_MS } };
}

describe('terminal timeouts from the profile', () => {
  let host: HostHandle;
  const open: EmulatedTerminal[] = [];

  before(async () => {
    host = await startHost({ dialect: 'cup' });
  });
  after(async () => {
    for (const t of open) await t.close();
    await host.close();
  });

  async function terminal(
    profile: string,
    timeouts: Partial<TerminalProfile['timeouts']> = {},
  ): Promise<EmulatedTerminal> {
    const q = quick(profile);
    const t = await createTerminal({
      profile: { ...q, timeouts: { ...q.timeouts, ...timeouts } },
      host: host.address,
    });
    open.push(t);
    const s = await t.signIn();
    assert.equal(s.outcome, 'approved', s.message);
    return t;
  }

  const isNotRemoved = (e: TerminalEvent): boolean => e.type === 'card' && e.action === 'not-removed';

  it('the bundled quick-timeouts profile carries the short removal and idle timeouts', () => {
    const p = loadTerminalProfile('cup-pos-ci-quick-timeouts');
    assert.equal(p.timeouts.cardRemoval, 300);
    assert.equal(p.timeouts.idle, 500);
    assert.equal(p.timeouts.cardRead, loadTerminalProfile('cup-pos-ci').timeouts.cardRead);
  });

  it('POS: card left in after the transaction → CARD NOT REMOVED reminder, still waiting for the card', async () => {
    const t = await terminal('cup-pos-ci');
    const since = t.events.lastSeq;
    const p = t.purchase(1500);
    await t.keypad.enterPin('123456');
    await t.cardSlot.insert(createVirtualCard('cup-debit'));
    const r = await p;
    assert.equal(r.outcome, 'approved', r.message);
    assert.equal(t.state, 'removeCard');
    await t.events.waitFor(isNotRemoved, 5000, since);
    assert.equal(t.display.key, 'cardNotRemoved');
    assert.match(t.display.text(), /CARD NOT REMOVED, PLEASE REMOVE CARD/);
    assert.equal(t.state, 'removeCard', 'a POS keeps waiting for the card');
    assert.ok(t.events.history().some((e) => e.seq > since && e.type === 'indicator' && e.beep === 3));
    assert.equal(t.cardSlot.retained, false);
    await t.cardSlot.remove();
    assert.equal(t.state, 'idle');
    assert.equal(t.display.key, 'welcome');
  });

  it('POS: card taken out in time → no reminder', async () => {
    const t = await terminal('cup-pos-ci');
    const since = t.events.lastSeq;
    const p = t.purchase(1500);
    await t.keypad.enterPin('123456');
    await t.cardSlot.insert(createVirtualCard('cup-debit'));
    assert.equal((await p).outcome, 'approved');
    await t.cardSlot.remove();
    // The timer was cleared with the removal: nothing may fire after its deadline.
    await new Promise((r) => setTimeout(r, REMOVAL_MS * 2));
    assert.ok(!t.events.history().some((e) => e.seq > since && isNotRemoved(e)));
    assert.equal(t.display.key, 'welcome');
  });

  it('POS: a new transaction started with the card still in cancels the reminder', async () => {
    const t = await terminal('cup-pos-ci', { idle: 60000 });
    const p = t.purchase(1500);
    await t.keypad.enterPin('123456');
    const c = createVirtualCard('cup-debit');
    await t.cardSlot.insert(c);
    assert.equal((await p).outcome, 'approved');
    const since = t.events.lastSeq;
    const next = t.purchase(700);
    await new Promise((r) => setTimeout(r, REMOVAL_MS * 2));
    assert.ok(!t.events.history().some((e) => e.seq > since && isNotRemoved(e)));
    await t.cancel();
    assert.equal((await next).outcome, 'cancelled');
    await t.cardSlot.remove();
  });

  it('ATM: card not taken within cardRemoval → retained (CARD NOT TAKEN), back to idle', async () => {
    const t = await terminal('cup-atm-ci');
    const since = t.events.lastSeq;
    const p = t.withdraw(10000);
    await t.keypad.enterPin('123456');
    await t.cardSlot.insert(createVirtualCard('cup-debit'));
    const r = await p;
    assert.equal(r.outcome, 'approved', r.message);
    assert.equal(r.messageKey, 'dispensing');
    assert.equal(t.state, 'removeCard');
    const retain = await t.events.waitFor((e) => e.type === 'card' && e.action === 'retain', 5000, since);
    const reminded = t.events.history().find((e) => e.seq > since && isNotRemoved(e));
    assert.ok(reminded && reminded.seq < retain.seq, 'not-removed, then retained');
    assert.equal(t.cardSlot.retained, true);
    assert.equal(t.cardSlot.occupied, false);
    assert.equal(t.state, 'idle');
    assert.equal(t.display.key, 'cardNotTaken');
    assert.match(t.display.text(), /CARD NOT TAKEN, CARD RETAINED/);
    await assert.rejects(
      t.cardSlot.insert(createVirtualCard('cup-debit')),
      (e: unknown) => e instanceof TerminalStateError && e.code === 'E_TERMINAL_SLOT',
    );
    assert.ok(t.releaseRetainedCard());
  });

  it('ATM: issuer retention (41) is unchanged by the removal timer', async () => {
    const t = await terminal('cup-atm-ci');
    host.addRule({ mti: '0200', respond: { fields: { '39': '41' } } });
    try {
      const since = t.events.lastSeq;
      const p = t.withdraw(10000);
      await t.keypad.enterPin('123456');
      await t.cardSlot.insert(createVirtualCard('cup-debit'));
      const r = await p;
      assert.equal(r.messageKey, 'cardRetained');
      assert.equal(t.cardSlot.retained, true);
      assert.equal(t.state, 'idle');
      await new Promise((res) => setTimeout(res, REMOVAL_MS * 2));
      assert.ok(!t.events.history().some((e) => e.seq > since && isNotRemoved(e)));
      assert.ok(t.releaseRetainedCard());
    } finally {
      host.clearRules();
    }
  });

  it('idle: a card prompt nobody answers is cancelled (TIMEOUT), nothing sent, terminal idle', async () => {
    const t = await terminal('cup-pos-ci');
    const before = received(host, '0200').length;
    const since = t.events.lastSeq;
    const r = await t.purchase(1200);
    assert.equal(r.outcome, 'cancelled');
    assert.equal(r.messageKey, 'timeout');
    assert.equal(r.message, 'TIMEOUT');
    assert.deepEqual(r.details, { timeout: 'idle', waitedMs: IDLE_MS });
    assert.equal(t.state, 'idle');
    const shown = t.events.history().filter((e) => e.seq > since && e.type === 'display');
    assert.deepEqual(
      shown.map((e) => (e.type === 'display' ? e.key : '')),
      ['amount', 'insertCard', 'timeout', 'welcome'],
    );
    assert.equal(received(host, '0200').length, before);
  });

  it('idle: each card presentation is activity (PLEASE TAP AGAIN then a good tap completes)', async () => {
    const t = await terminal('cup-pos-ci');
    const p = t.purchase(500);
    const c = createVirtualCard('cup-credit');
    // Two taps too short for the 300 ms read, each followed by a pause under the idle timeout: more
    // than `idle` passes from the prompt to the good tap, but never `idle` without anything happening.
    for (let i = 0; i < 2; i++) {
      const since = t.events.lastSeq;
      await t.cardSlot.tap(c, 20);
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'pleaseTapAgain', 5000, since);
      await new Promise((r) => setTimeout(r, IDLE_MS * 0.6));
    }
    await t.cardSlot.tap(c);
    const r = await p;
    assert.equal(r.outcome, 'approved', r.message);
  });

  it('cardRead shorter than idle: the card wait ends on cardRead', async () => {
    const t = await terminal('cup-pos-ci', { cardRead: 80, idle: 60000 });
    const r = await t.purchase(100);
    assert.equal(r.outcome, 'cancelled');
    assert.deepEqual(r.details, { timeout: 'cardRead', waitedMs: 80 });
  });
  it('ATM signing in by itself: a withdrawal meanwhile is refused OUT OF SERVICE, not "busy"', async () => {
    // A host that takes the connection and never answers: every sign-in runs to its timeout.
    const held: Socket[] = [];
    const silent = createServer((s) => held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    const q = quick('cup-atm-ci');
    const t = await createTerminal({
      profile: {
        ...q,
        timeouts: { ...q.timeouts, signIn: 300 },
        signIn: { ...q.signIn, retries: 0, intervalMs: 20 },
      },
      host: { host: '127.0.0.1', port },
    });
    try {
      const first = await t.signIn();
      assert.equal(first.outcome, 'failed');
      const since = t.events.lastSeq;
      await t.events.waitFor((e) => e.type === 'state' && e.state === 'signingIn', 5000, since);
      const r = await t.withdraw(100);
      assert.equal(r.messageKey, 'notSignedIn');
      assert.equal(r.outcome, 'failed');
      assert.equal(t.display.text(), 'OUT OF SERVICE');
      assert.equal(t.state, 'signingIn', 'the sign-in by itself goes on');
    } finally {
      await t.close();
      for (const s of held) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
  it('a sign-in asked for while a reversal is tried again in idle waits for that try, then signs in', async () => {
    const t = await terminal('cup-pos-ci');
    // The 0210 and every 0400 are lost: each reversal try runs to the reversal timeout (1 s).
    const lost = [
      host.addRule({ mti: '0200', times: 1, respond: { noAnswer: true } }),
      host.addRule({ mti: '0400', respond: { noAnswer: true } }),
    ];
    try {
      const p = t.purchase(1500);
      await t.keypad.enterPin('123456');
      await t.cardSlot.insert(createVirtualCard('cup-debit'));
      assert.notEqual((await p).outcome, 'approved');
      const since = t.events.lastSeq;
      await t.cardSlot.remove();
      await t.events.waitFor((e) => e.type === 'reversal' && e.status === 'sent', 5000, since);
      assert.equal(t.state, 'reversal', 'the idle try is on the line');
      const s = await t.signIn();
      assert.equal(s.outcome, 'approved', s.message);
      const seen = t.events
        .history()
        .filter(
          (e) => e.seq > since && (e.type === 'state' || (e.type === 'reversal' && e.status === 'failed')),
        )
        .map((e) => (e.type === 'state' ? e.state : `reversal ${e.type === 'reversal' ? e.status : ''}`));
      assert.deepEqual(seen.slice(seen.indexOf('reversal')), [
        'reversal',
        'reversal failed',
        'signingIn',
        'result',
        'idle',
      ]);
    } finally {
      for (const id of lost) host.removeRule(id);
    }
  });
});
