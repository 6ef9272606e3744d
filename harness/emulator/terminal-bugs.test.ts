/**
 * A bug inside payhil is broken, never a decline: an error that is not a typed product outcome (here a
 * TypeError thrown by a stubbed card transport mid-read) rejects the transaction with the error itself,
 * stack and all, instead of becoming a `declined`/`failed` result; the terminal notes it and is usable
 * again. An illegal state change is a typed error (IllegalTransitionError, verdict broken). Product
 * outcomes stay results (a card taken out mid-read is cancelled). Host on 127.0.0.1 (port 0).
 */
import { strict as assert } from 'node:assert';
import { CardRemovedError } from '../cards/index.js';
import { IllegalTransitionError } from './errors.js';
import { assertTransition, isLegalTransition, TRANSITIONS } from './core/state-transitions.js';
import { card, payWith, startRig, type Rig } from './emulator-test-kit.test-helper.js';
import type { PresentedCard } from './card-reader/card-presentation.js';
import type { TerminalEvent } from './terminal-events.js';

/** A card whose transport throws `fault()` on its `failAt`-th APDU (a defect-like stub). */
function faultyCard(name: string, failAt: number, fault: () => Error): PresentedCard {
  const real = card(name);
  let n = 0;
  return {
    name: real.name,
    maskedPan: real.maskedPan,
    powerOn: (via) => real.powerOn(via),
    powerOff: () => real.powerOff(),
    swipe: () => real.swipe(),
    transmit: async (apdu) => {
      if (++n === failAt) throw fault();
      return real.transmit(apdu);
    },
  };
}

describe('emulated terminal: a payhil bug is broken, not a decline', () => {
  let rig: Rig;
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await rig.close();
  });

  it('a TypeError mid-read rejects the purchase with that error and its stack, no declined result', async () => {
    const t = rig.terminal;
    const since = t.events.lastSeq;
    const bug = new TypeError("Cannot read properties of undefined (reading 'tag')");
    const p = t.purchase(1000);
    await t.cardSlot.insert(faultyCard('cup-debit', 3, () => bug));
    const err = await p.then(
      (r) => assert.fail(`resolved as ${r.outcome}/${r.messageKey} instead of rejecting`),
      (e: unknown) => e,
    );
    assert.equal(err, bug, 'the bug itself reaches the caller');
    assert.match((err as Error).stack ?? '', /TypeError: Cannot read properties of undefined/);
    assert.match(
      (err as Error).stack ?? '',
      /terminal-bugs\.test\.js/,
      'the stack shows where it was thrown',
    );
    const after = t.events.history().filter((e: TerminalEvent) => e.seq > since);
    assert.equal(after.filter((e) => e.type === 'result').length, 0, 'a bug is not a transaction outcome');
    assert.ok(after.some((e) => e.type === 'note' && /internal error: Cannot read/.test(e.text)));
    assert.equal(t.state, 'idle');
    assert.equal(t.status().busy, false);
    await t.cardSlot.remove();
    const next = await payWith(t, () => t.purchase(1000), { insert: card('cup-debit'), pin: '123456' });
    assert.equal(next.outcome, 'approved', 'the terminal is usable after the bug');
  });

  it('a RangeError from the card transport is a bug too', async () => {
    const t = rig.terminal;
    const p = t.purchase(1000);
    await t.cardSlot.insert(faultyCard('cup-debit', 1, () => new RangeError('offset out of range')));
    await assert.rejects(p, RangeError);
  });

  it('a TypeError at the second GENERATE AC is a bug, not a card that declined (AAC)', async () => {
    const t = rig.terminal;
    const real = card('cup-debit');
    let generateAcs = 0;
    const stub: PresentedCard = {
      name: real.name,
      maskedPan: real.maskedPan,
      powerOn: (via) => real.powerOn(via),
      powerOff: () => real.powerOff(),
      swipe: () => real.swipe(),
      transmit: async (apdu) => {
        // INS AE = GENERATE AC; the second one completes the transaction after the host's answer.
        if (apdu[1] === 0xae && ++generateAcs === 2) throw new TypeError('issuer data is undefined');
        return real.transmit(apdu);
      },
    };
    const since = t.events.lastSeq;
    const p = t.purchase(1000);
    await t.keypad.enterPin('123456');
    await t.cardSlot.insert(stub);
    await assert.rejects(p, (e: unknown) => e instanceof TypeError && /issuer data/.test(e.message));
    assert.equal(generateAcs, 2);
    const after = t.events.history().filter((e: TerminalEvent) => e.seq > since);
    assert.equal(after.filter((e) => e.type === 'result').length, 0);
  });

  it('a TypeError from the stripe reader is a bug, not an unreadable stripe', async () => {
    const t = rig.terminal;
    const real = card('cup-debit');
    const stub: PresentedCard = {
      name: real.name,
      maskedPan: real.maskedPan,
      powerOn: (via) => real.powerOn(via),
      powerOff: () => real.powerOff(),
      transmit: (apdu) => real.transmit(apdu),
      swipe: () => Promise.reject(new TypeError('track buffer is undefined')),
    };
    const p = t.purchase(1000);
    await t.cardSlot.swipe(stub);
    await assert.rejects(p, TypeError);
  });

  it('a card that leaves mid-read stays a product outcome (cancelled, card removed)', async () => {
    const t = rig.terminal;
    const p = t.purchase(1000);
    await t.cardSlot.insert(faultyCard('cup-debit', 3, () => new CardRemovedError('cup-debit', 'gone')));
    const r = await p;
    assert.equal(r.outcome, 'cancelled');
    assert.equal(r.messageKey, 'cardRemoved');
  });
});

describe('terminal state transition table', () => {
  it('lists every state, and every target is a state', () => {
    const states = Object.keys(TRANSITIONS);
    for (const targets of Object.values(TRANSITIONS))
      for (const s of targets) assert.ok(states.includes(s), `unknown target state ${s}`);
  });

  it('refuses a change it does not list with a typed broken error', () => {
    assert.equal(isLegalTransition('idle', 'amount'), true);
    assert.equal(isLegalTransition('idle', 'idle'), true);
    assert.equal(isLegalTransition('idle', 'completion'), false);
    assert.throws(
      () => assertTransition('powerUp', 'online'),
      (e: unknown) =>
        e instanceof IllegalTransitionError &&
        e.verdict === 'broken' &&
        e.code === 'E_TERMINAL_TRANSITION' &&
        e.from === 'powerUp' &&
        e.to === 'online',
    );
  });
});
