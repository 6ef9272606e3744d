import assert from 'node:assert/strict';
import {
  cvmConditionSatisfied,
  decodeCvmResults,
  encodeCvmList,
  encodeCvmResults,
  parseCvmList,
  type CvmContext,
} from './cvm.js';
import { CvmListError } from './errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('emv/cvm', () => {
  // openemv/emv-utils tests/emv_cvmlist_test.c
  it('refuses lists without a whole rule after X and Y (emv-utils tests 1 and 2)', () => {
    assert.throws(() => parseCvmList(hex('000186A0 000003E8 1E0342')), CvmListError);
    assert.throws(() => parseCvmList(hex('000186A0 000003')), CvmListError);
    // test 1: X and Y only — accepted here as an empty rule list
    assert.deepEqual(parseCvmList(hex('000186A0 000003E8')).rules, []);
  });

  it('reads amounts X, Y and single rules (emv-utils tests 3 to 5)', () => {
    const sig = parseCvmList(hex('000186A0 000003E8 1E03'));
    assert.equal(sig.amountX, 100000);
    assert.equal(sig.amountY, 1000);
    assert.deepEqual(
      sig.rules.map((r) => [r.method, r.condition, r.applyNextIfUnsuccessful]),
      [['signature', 'terminalSupportsCvm', false]],
    );
    const encOffline = parseCvmList(hex('000186A0 000003E8 4403')).rules[0];
    assert.deepEqual(
      [encOffline?.method, encOffline?.applyNextIfUnsuccessful],
      ['offlineEncipheredPin', true],
    );
    const online = parseCvmList(hex('000186A0 000003E8 4201')).rules[0];
    assert.deepEqual([online?.method, online?.condition], ['onlineEncipheredPin', 'unattendedCash']);
  });

  it('reads a multi-rule list (emv-utils test 6) and re-encodes it', () => {
    const raw = hex('00000000 00000000 4201 4403 4103 5E03 4203 1F03');
    const list = parseCvmList(raw);
    assert.deepEqual(
      list.rules.map((r) => [r.method, r.condition]),
      [
        ['onlineEncipheredPin', 'unattendedCash'],
        ['offlineEncipheredPin', 'terminalSupportsCvm'],
        ['offlinePlaintextPin', 'terminalSupportsCvm'],
        ['signature', 'terminalSupportsCvm'],
        ['onlineEncipheredPin', 'terminalSupportsCvm'],
        ['noCvm', 'terminalSupportsCvm'],
      ],
    );
    assert.equal(list.rules[5]?.applyNextIfUnsuccessful, false);
    const back = encodeCvmList({
      amountX: list.amountX,
      amountY: list.amountY,
      rules: list.rules.map((r) => ({
        method: r.code,
        condition: r.conditionCode,
        applyNextIfUnsuccessful: r.applyNextIfUnsuccessful,
      })),
    });
    assert.deepEqual(back, raw);
  });

  it('reads the Barclays list (python-emv APP_DATA 8E) and PBOC / proprietary codes', () => {
    const list = parseCvmList(hex('0000000000000000 0100'));
    assert.equal(list.rules[0]?.method, 'offlinePlaintextPin');
    assert.equal(list.rules[0]?.condition, 'always');
    assert.match(
      list.rules[0]?.description ?? '',
      /^Plaintext PIN verification performed by ICC; always \(else fail\)$/,
    );
    const other = parseCvmList(hex('0000000000000000 6003 2A80 3001 3F0A'));
    assert.deepEqual(
      other.rules.map((r) => [r.method, r.condition]),
      [
        ['cardholderId', 'terminalSupportsCvm'],
        ['paymentSystem', 'paymentSystem'],
        ['issuer', 'unattendedCash'],
        ['rfu', 'rfu'],
      ],
    );
  });

  it('evaluates conditions against the transaction', () => {
    const list = parseCvmList(
      encodeCvmList({
        amountX: 30000,
        amountY: 100000,
        rules: [
          { method: 'onlineEncipheredPin', condition: 'overX', applyNextIfUnsuccessful: false },
          { method: 'noCvm', condition: 'underX' },
          { method: 'signature', condition: 'terminalSupportsCvm' },
          { method: 'onlineEncipheredPin', condition: 'unattendedCash' },
          { method: 'onlineEncipheredPin', condition: 'purchaseWithCashback' },
          { method: 'signature', condition: 'notCashOrCashback' },
          { method: 'signature', condition: 0x0a },
        ],
      }),
    );
    const ctx: CvmContext = {
      amount: 50000,
      inApplicationCurrency: true,
      transaction: 'purchase',
      unattended: false,
      supports: (code) => code === 0x02,
    };
    const sat = (c: CvmContext): boolean[] => list.rules.map((r) => cvmConditionSatisfied(r, list, c));
    assert.deepEqual(sat(ctx), [true, false, false, false, false, true, false]);
    assert.deepEqual(sat({ ...ctx, amount: 100, supports: () => true }), [
      false,
      true,
      true,
      false,
      false,
      true,
      false,
    ]);
    assert.deepEqual(sat({ ...ctx, inApplicationCurrency: false }), [
      false,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
    assert.deepEqual(sat({ ...ctx, transaction: 'cash', unattended: true }), [
      true,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
  });

  it('decodes and encodes CVM Results (9F34)', () => {
    const online = decodeCvmResults(hex('420300'));
    assert.equal(online.rule?.method, 'onlineEncipheredPin');
    assert.equal(online.result, 'unknown');
    assert.equal(decodeCvmResults(hex('1F0302')).result, 'successful');
    assert.deepEqual(decodeCvmResults(hex('3F0000')), { rule: null, result: 'unknown' });
    assert.equal(
      encodeCvmResults({ method: 'offlinePlaintextPin', condition: 'always' }, 'failed').toString('hex'),
      '010001',
    );
    assert.equal(encodeCvmResults(null, 'failed').toString('hex'), '3f0001');
    assert.throws(() => decodeCvmResults(hex('4203')), CvmListError);
  });
});
