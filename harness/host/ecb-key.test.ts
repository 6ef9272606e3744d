import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import {
  DataLengthError,
  KeyLengthError,
  fromHex,
  macCupEcbField,
  tdesCbcEncrypt,
  tdesEcbDecrypt,
  tdesEcbEncrypt,
} from '../crypto/index.js';
import { EcbKey, EcbKeyCache, cupMacField } from './ecb-key.js';

describe('host/ecb-key (cached cipher for the hot path)', () => {
  for (const len of [8, 16, 24]) {
    it(`gives the same bytes as harness/crypto for ${len}-byte keys, block after block`, () => {
      const key = randomBytes(len);
      const k = new EcbKey(key);
      for (let i = 0; i < 50; i++) {
        const block = randomBytes(8);
        assert.equal(k.encrypt(block).toString('hex'), tdesEcbEncrypt(key, block).toString('hex'));
        assert.equal(k.decrypt(block).toString('hex'), tdesEcbDecrypt(key, block).toString('hex'));
      }
    });
  }
  it('computes the CUP ECB MAC exactly as harness/crypto does, for every length 0..40 and a sub-range', () => {
    const mak = fromHex('0123456789ABCDEF');
    const k = new EcbKey(mak);
    for (let n = 0; n <= 40; n++) {
      const data = randomBytes(n);
      assert.equal(cupMacField(k, data).toString('latin1'), macCupEcbField(mak, data).toString('latin1'));
    }
    const framed = randomBytes(64);
    assert.equal(
      cupMacField(k, framed, 13, 56).toString('hex'),
      macCupEcbField(mak, framed.subarray(13, 56)).toString('hex'),
    );
  });
  for (const len of [8, 16, 24]) {
    it(`gives the same CBC (zero IV) bytes as harness/crypto for ${len}-byte keys, call after call`, () => {
      const key = randomBytes(len);
      const k = new EcbKey(key);
      for (let i = 0; i < 50; i++) {
        const data = randomBytes(8 * (1 + (i % 4)));
        assert.equal(k.encryptCbc(data).toString('hex'), tdesCbcEncrypt(key, data).toString('hex'));
        // ECB calls in between leave the CBC state alone.
        const block = randomBytes(8);
        assert.equal(k.encrypt(block).toString('hex'), tdesEcbEncrypt(key, block).toString('hex'));
      }
      assert.throws(() => k.encryptCbc(Buffer.alloc(12)), DataLengthError);
    });
  }
  it("refuses a key of the wrong size (the crypto layer's typed error)", () => {
    assert.throws(() => new EcbKey(Buffer.alloc(10)), KeyLengthError);
  });
  it('caches one key object per key buffer, whichever order the keys are asked for in', () => {
    const cache = new EcbKeyCache();
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
    assert.equal(cache.get(copy).encrypt(block).toString('hex'), first[0]?.encrypt(block).toString('hex'));
  });
});
