import { strict as assert } from 'node:assert';
import { atrOf, isContactlessAtr } from './atr.js';
import { loadCardFixture } from './card-fixture-loader.js';

describe('cards/atr', () => {
  it('builds T=0, T=1 and contactless ATRs with a correct TCK', () => {
    const debit = loadCardFixture('cup-debit'); // T0
    const credit = loadCardFixture('cup-credit'); // T1
    assert.equal(atrOf(debit, false).toString('hex').toUpperCase(), '3B68000050415948494C4355');
    const t1 = atrOf(credit, false);
    assert.equal(t1.subarray(0, 8).toString('hex').toUpperCase(), '3BE800008131FE45');
    const cl = atrOf(debit, true);
    assert.equal(cl.subarray(0, 4).toString('hex'), '3b888001');
    // TCK: XOR of T0 through TCK is 0 (ISO/IEC 7816-3 §8.2.5).
    for (const atr of [t1, cl])
      assert.equal(
        atr.subarray(1).reduce((x, b) => x ^ b, 0),
        0,
      );
    assert.equal(atrOf({ ...debit, atr: '3B0200' }, false).toString('hex'), '3b0200');
  });

  it('recognises the contactless ATR a PC/SC reader synthesises', () => {
    assert.equal(isContactlessAtr(Buffer.from('3B8F8001804F0CA000000306030001000000006A', 'hex')), true);
    assert.equal(isContactlessAtr(Buffer.from('3BE800008131FE45', 'hex')), false);
    assert.equal(isContactlessAtr(Buffer.from('3B', 'hex')), false);
    assert.equal(isContactlessAtr(undefined), false);
  });
});
