import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { cupMacField, cupMacInto, cupMacMatches, macCupEcb } from './cup-mac.js';
import { DataLengthError, KeyLengthError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { tdesCbcEncrypt, tdesEcbDecrypt, tdesEcbEncrypt } from './tdes.js';
import { TdesKey } from './tdes-key.js';

describe('crypto/tdes-key (a key held with its key schedule)', () => {
  it('gives the classic single-DES answer (key 133457799BBCDFF1, 0123456789ABCDEF → 85E813540F0AB405)', () => {
    // J. Orlin Grabbe, "The DES Algorithm Illustrated" (worked example).
    const k = new TdesKey(fromHex('133457799BBCDFF1'));
    assert.equal(toHex(k.encrypt(fromHex('0123456789ABCDEF'))), '85E813540F0AB405');
    assert.equal(toHex(k.decrypt(fromHex('85E813540F0AB405'))), '0123456789ABCDEF');
  });
  it('gives the published check value of a double-length key (08D7B4FB629D0885)', () => {
    // KCV example for 0123456789ABCDEFFEDCBA9876543210: TDES of eight zero bytes.
    const k = new TdesKey(fromHex('0123456789ABCDEFFEDCBA9876543210'));
    assert.equal(toHex(k.encrypt(Buffer.alloc(8))), '08D7B4FB629D0885');
    // Again: nothing carries from one call into the next.
    assert.equal(toHex(k.encrypt(Buffer.alloc(8))), '08D7B4FB629D0885');
  });
  for (const len of [8, 16, 24]) {
    it(`matches tdes.ts for ${len}-byte keys over interleaved ECB and CBC calls of 1–4 blocks`, () => {
      const key = randomBytes(len);
      const k = new TdesKey(key);
      assert.equal(k.length, len);
      for (let i = 0; i < 40; i++) {
        const data = randomBytes(8 * (1 + (i % 4)));
        assert.equal(toHex(k.encryptCbc(data)), toHex(tdesCbcEncrypt(key, data)));
        assert.equal(toHex(k.encrypt(data)), toHex(tdesEcbEncrypt(key, data)));
        assert.equal(toHex(k.decrypt(data)), toHex(tdesEcbDecrypt(key, data)));
      }
    });
  }
  it('refuses keys of other lengths and data that is not whole blocks, and stays usable after', () => {
    assert.throws(() => new TdesKey(Buffer.alloc(10)), KeyLengthError);
    const key = randomBytes(16);
    const k = new TdesKey(key);
    assert.throws(() => k.encrypt(Buffer.alloc(7)), DataLengthError);
    assert.throws(() => k.decrypt(Buffer.alloc(12)), DataLengthError);
    assert.throws(() => k.encryptCbc(Buffer.alloc(0)), DataLengthError);
    assert.throws(() => k.encryptCbc(Buffer.alloc(9)), DataLengthError);
    const block = randomBytes(8);
    assert.equal(toHex(k.encrypt(block)), toHex(tdesEcbEncrypt(key, block)));
    assert.equal(toHex(k.encryptCbc(block)), toHex(tdesCbcEncrypt(key, block)));
  });
});

describe('crypto/cup-mac with a TdesKey (field 64 straight from and into frame buffers)', () => {
  // The published example (see cup-mac.test.ts): MAB 1234567890ABCDEF ABCDEF1234567890, MAK
  // 2222222222222222 → MAC E267B6E2, github.com/solo123/pgate test/integration/pos_mac_test.rb.
  const mak = new TdesKey(fromHex('2222222222222222'));
  const mab = fromHex('1234567890ABCDEFABCDEF1234567890');

  it('gives the published MAC, also on a sub-range of a larger buffer and written in place', () => {
    assert.equal(cupMacField(mak, mab).toString('latin1'), 'E267B6E2');
    const frame = Buffer.concat([Buffer.from('xxxxx'), mab, Buffer.alloc(8)]);
    assert.equal(cupMacField(mak, frame, 5, 5 + mab.length).toString('latin1'), 'E267B6E2');
    cupMacInto(mak, frame, 5, 5 + mab.length, frame, frame.length - 8);
    assert.equal(frame.subarray(frame.length - 8).toString('latin1'), 'E267B6E2');
    assert.equal(frame.subarray(0, 5).toString('latin1'), 'xxxxx');
  });
  it('checks field 64 as decoded (16 hex digits of the 8 ASCII bytes), either case, and nothing else', () => {
    const hex = toHex(Buffer.from('E267B6E2', 'latin1'));
    assert.equal(cupMacMatches(mak, mab, 0, mab.length, hex), true);
    assert.equal(cupMacMatches(mak, mab, 0, mab.length, hex.toLowerCase()), true);
    assert.equal(cupMacMatches(mak, mab, 0, mab.length, hex.slice(0, 15) + '3'), false);
    assert.equal(cupMacMatches(mak, mab, 0, mab.length, hex.slice(0, 14)), false);
    assert.equal(cupMacMatches(mak, mab, 0, mab.length, 'G'.repeat(16)), false);
  });
  it('agrees with the algorithm spelt out with tdes.ts, and with macCupEcb, for every length 0..40', () => {
    const raw = randomBytes(16);
    const k = new TdesKey(raw);
    for (let n = 0; n <= 40; n++) {
      const data = randomBytes(n);
      // Steps 1–6 of cup-mac.ts one by one, each encryption a fresh tdesEcbEncrypt.
      const x = Buffer.alloc(8);
      for (let i = 0; i < n; i++) x[i & 7] = (x[i & 7] as number) ^ (data[i] as number);
      const h = Buffer.from(toHex(x), 'latin1');
      const e1 = tdesEcbEncrypt(raw, h.subarray(0, 8));
      for (let i = 0; i < 8; i++) e1[i] = (e1[i] as number) ^ (h[8 + i] as number);
      const expected = toHex(tdesEcbEncrypt(raw, e1)).slice(0, 8);
      assert.equal(cupMacField(k, data).toString('latin1'), expected);
      assert.equal(macCupEcb(raw, data), expected);
    }
  });
});
