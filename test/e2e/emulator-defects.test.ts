/**
 * One test per defect switch of the emulated terminal: the same steps on a correct terminal and on one
 * with the defect, each against its own host simulator on 127.0.0.1, showing exactly the behaviour the
 * defect changes.
 */
import { strict as assert } from 'node:assert';
import {
  card,
  payWith,
  received,
  startRig,
  type Rig,
} from '../../harness/emulator/emulator-test-kit.test-helper.js';
import { DEFECTS, resolveDefects, type DefectName } from '../../harness/emulator/defects.js';
import type { TerminalResult } from '../../harness/emulator/terminal-result.js';
import { SimulatedClock } from '../../harness/common/simulated-clock.js';

/** Runs `steps` on a correct terminal and on one with `defect`; returns both results and hosts' request MTIs. */
async function both(
  defect: DefectName,
  steps: (rig: Rig) => Promise<TerminalResult>,
  options: { signIn?: boolean } = {},
): Promise<{
  good: TerminalResult;
  bad: TerminalResult;
  goodMtis: string[];
  badMtis: string[];
  goodRig: Rig;
  badRig: Rig;
}> {
  const goodRig = await startRig({ ...(options.signIn === false ? { signIn: false } : {}) });
  const badRig = await startRig({
    defects: [defect],
    ...(options.signIn === false ? { signIn: false } : {}),
  });
  try {
    for (const r of [goodRig, badRig]) r.host.journal.clear();
    const good = await steps(goodRig);
    const bad = await steps(badRig);
    await new Promise((res) => setTimeout(res, 50));
    const mtis = (r: Rig) => received(r.host).map((e) => e.mti as string);
    return { good, bad, goodMtis: mtis(goodRig), badMtis: mtis(badRig), goodRig, badRig };
  } finally {
    await goodRig.close();
    await badRig.close();
  }
}

const debitInsert = (rig: Rig, amount = 1000) =>
  payWith(rig.terminal, () => rig.terminal.purchase(amount), { insert: card('cup-debit'), pin: '123456' });

describe('emulated terminal defect switches (e2e)', function () {
  this.timeout(20000);

  it('knows exactly the thirteen defects (twelve of issue 5, slow-kernel of issue 17) and refuses unknown names', () => {
    assert.equal(DEFECTS.length, 13);
    assert.throws(() => resolveDefects(['no-such-bug']), /unknown defect 'no-such-bug'/);
    assert.deepEqual([...resolveDefects(['skip-kcv-check'], { 'skip-kcv-check': false })], []);
  });

  it('no-reversal-on-timeout: a late answer leaves no reversal', async () => {
    const x = await both('no-reversal-on-timeout', (rig) => {
      rig.host.addRule({ mti: '0200', times: 1, respond: { delayMs: 1500 } });
      return debitInsert(rig);
    });
    assert.equal(x.good.messageKey, 'hostTimeout');
    assert.equal(x.bad.messageKey, 'hostTimeout');
    assert.deepEqual(x.goodMtis, ['0200', '0400']);
    assert.deepEqual(x.badMtis, ['0200']);
  });

  it('reversal-after-next-txn: the pending reversal follows the next purchase instead of preceding it', async () => {
    const x = await both('reversal-after-next-txn', async (rig) => {
      rig.host.addRule({ mti: '0200', times: 1, respond: { noAnswer: true } });
      rig.host.addRule({ mti: '0400', times: 1, respond: { noAnswer: true } });
      await debitInsert(rig);
      return debitInsert(rig, 1001);
    });
    assert.deepEqual(x.goodMtis, ['0200', '0400', '0400', '0200']);
    assert.deepEqual(x.badMtis, ['0200', '0400', '0200', '0400']);
  });

  it('wrong-entry-mode-fallback: a fallback swipe says 02x instead of 80x', async () => {
    const x = await both('wrong-entry-mode-fallback', async (rig) => {
      const t = rig.terminal;
      const damaged = card('damaged-chip');
      const since = t.events.lastSeq;
      const p = t.purchase(100);
      await t.cardSlot.insert(damaged);
      await t.events.waitFor((e) => e.type === 'display' && e.key === 'pleaseSwipe', 2000, since);
      await t.cardSlot.remove();
      await t.keypad.enterPin('123456');
      await t.cardSlot.swipe(damaged);
      return p;
    });
    assert.equal(x.good.entryMode, '801');
    assert.equal(x.bad.entryMode, '021');
  });

  it('mac-excludes-field-63: the host answers A0 (MAC error)', async () => {
    const x = await both('mac-excludes-field-63', (rig) => debitInsert(rig));
    assert.equal(x.good.responseCode, '00');
    assert.equal(x.bad.responseCode, 'A0');
    assert.equal(x.bad.messageKey, 'rcA0');
  });

  it('pin-block-format-1: the issuer reads a wrong PIN (55)', async () => {
    const x = await both('pin-block-format-1', (rig) => debitInsert(rig));
    assert.equal(x.good.responseCode, '00');
    assert.equal(x.bad.responseCode, '55');
  });

  it('skip-kcv-check: working keys with wrong check values are accepted', async () => {
    const x = await both(
      'skip-kcv-check',
      (rig) => {
        rig.host.addRule({ mti: '0800', times: 1, respond: { fields: { '62': '11'.repeat(60) } } });
        return rig.terminal.signIn();
      },
      { signIn: false },
    );
    assert.equal(x.good.messageKey, 'keyCheckError');
    assert.equal(x.good.outcome, 'failed');
    assert.equal(x.bad.outcome, 'approved');
  });

  it('transacts-without-sign-in: a purchase reaches the host before any sign-in', async () => {
    const x = await both('transacts-without-sign-in', (rig) => debitInsert(rig), { signIn: false });
    assert.equal(x.good.messageKey, 'notSignedIn');
    assert.deepEqual(x.goodMtis, []);
    assert.deepEqual(x.badMtis, ['0200']);
    assert.equal(x.bad.responseCode, '77');
  });

  it('ignores-service-code: a swiped chip card is taken on the stripe', async () => {
    const x = await both('ignores-service-code', async (rig) => {
      const t = rig.terminal;
      const since = t.events.lastSeq;
      const p = t.purchase(100);
      await t.cardSlot.swipe(card('cup-debit'));
      await t.keypad.enterPin('123456');
      const r = await Promise.race([
        p,
        t.events
          .waitFor((e) => e.type === 'display' && e.key === 'pleaseInsertChip', 2000, since)
          .then(() => undefined),
      ]);
      if (r) return r;
      await t.cancel();
      return p;
    });
    assert.equal(x.good.outcome, 'cancelled');
    assert.deepEqual(x.goodMtis, []);
    assert.equal(x.bad.entryMode, '021');
  });

  it('ignores-offline-limit: an EC tap above the terminal offline limit is approved offline', async () => {
    const x = await both('ignores-offline-limit', (rig) =>
      payWith(rig.terminal, () => rig.terminal.purchase(20000), { tap: card('ec-debit') }),
    );
    assert.deepEqual(x.goodMtis, ['0200']);
    assert.equal(x.good.entryMode, '072');
    assert.equal(x.bad.messageKey, 'approvedOffline');
    assert.deepEqual(x.badMtis, []);
  });

  it('accepts-expired-card: an expired chip card goes online (and the issuer says 54)', async () => {
    const x = await both('accepts-expired-card', (rig) =>
      payWith(rig.terminal, () => rig.terminal.purchase(100), { insert: card('expired'), pin: '123456' }),
    );
    assert.equal(x.good.messageKey, 'cardExpired');
    assert.deepEqual(x.goodMtis, []);
    assert.deepEqual(x.badMtis, ['0200']);
    assert.equal(x.bad.responseCode, '54');
  });

  it('no-arpc-check: a wrong ARPC is not given to the card; approved on the host word, no reversal', async () => {
    const x = await both('no-arpc-check', (rig) => {
      rig.host.addRule({
        mti: '0200',
        times: 1,
        respond: { fields: { '55': '910A00112233445566773030' }, process: true },
      });
      return debitInsert(rig);
    });
    assert.equal(x.good.messageKey, 'cardDeclined');
    assert.deepEqual(x.goodMtis, ['0200', '0400']);
    assert.equal(x.bad.outcome, 'approved');
    assert.deepEqual(x.badMtis, ['0200']);
  });

  it('slow-kernel: every APDU of a tap takes 300 ms more of the terminal clock (simulated)', async () => {
    const tap = async (defects: string[]): Promise<{ readMs: number; apdus: number[] }> => {
      const clock = new SimulatedClock();
      const rig = await startRig({ defects, clock });
      try {
        const since = rig.terminal.events.history().at(-1)?.seq ?? 0;
        const r = await payWith(rig.terminal, () => rig.terminal.purchase(800), { tap: card('cup-debit') });
        assert.equal(r.outcome, 'approved', r.message);
        const events = rig.terminal.events.history().filter((e) => e.seq > since);
        const apdus = events.flatMap((e) => (e.type === 'apdu' ? [e.ms] : []));
        const first = events.find((e) => e.type === 'card' && e.action === 'tap');
        const sent = events.find((e) => e.type === 'message' && e.direction === 'sent' && e.mti === '0200');
        assert.ok(first && sent);
        return { readMs: sent.at - first.at, apdus };
      } finally {
        await rig.close();
      }
    };
    const good = await tap([]);
    const bad = await tap(['slow-kernel']);
    assert.equal(good.apdus.length, bad.apdus.length, 'the same APDUs');
    assert.ok(good.apdus.length >= 4, `${good.apdus.length} APDUs`);
    // cup-pos-ci: contactlessReadMs 300 → 50 ms per contactless APDU, charged on the clock.
    assert.equal(good.readMs, 50 * good.apdus.length);
    assert.equal(bad.readMs, 350 * bad.apdus.length);
  });

  it('double-submit-on-retry: an unanswered purchase is sent again with a new STAN, not reversed', async () => {
    const x = await both('double-submit-on-retry', (rig) => {
      rig.host.addRule({ mti: '0200', times: 1, respond: { noAnswer: true } });
      return debitInsert(rig);
    });
    assert.deepEqual(x.goodMtis, ['0200', '0400']);
    assert.deepEqual(x.badMtis, ['0200', '0200']);
    const stans = received(x.badRig.host, '0200').map((e) => e.fields?.['11']);
    assert.equal(new Set(stans).size, 2, 'two STANs');
    assert.equal(x.bad.outcome, 'approved');
  });
});
