import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { KeyLengthError, tdesEcbEncrypt } from '../crypto/index.js';
import { SessionKeyCache } from './session-key-cache.js';

describe('pos-protocol/session-key-cache (held keys for the hot path)', () => {
  it('caches one key object per key buffer, whichever order the keys are asked for in', () => {
    const cache = new SessionKeyCache();
    const keys = [randomBytes(8), randomBytes(16), randomBytes(8)];
    const first = keys.map((k) => cache.get(k));
    for (let i = 0; i < 20; i++) {
      const n = (i * 7) % 3;
      assert.equal(cache.get(keys[n] as Buffer), first[n]);
    }
    assert.notEqual(first[0], first[2]);
    // Same bytes in another buffer: another key object with the same results.
    const copy = Buffer.from(keys[0] as Buffer);
    const block = randomBytes(8);
    assert.notEqual(cache.get(copy), first[0]);
    assert.equal(cache.get(copy).encrypt(block).toString('hex'), tdesEcbEncrypt(copy, block).toString('hex'));
  });
  it("refuses a key of the wrong size (the crypto layer's typed error)", () => {
    assert.throws(() => new SessionKeyCache().get(Buffer.alloc(10)), KeyLengthError);
  });
});
