import { strict as assert } from 'node:assert';
import { DataLengthError, KeyLengthError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { tdesCbcDecrypt, tdesCbcEncrypt, tdesEcbDecrypt, tdesEcbEncrypt } from './tdes.js';

const NOW_IS = Buffer.from('Now is the time for all ', 'latin1'); // 4E6F7720…616C6C20

describe('crypto/tdes', () => {
  describe('single DES (8-byte key, run as des-ede K‖K)', () => {
    it('FIPS 81 Appendix B, Table B1 (ECB): "Now is the time for all " under 0123456789ABCDEF', () => {
      const key = fromHex('0123456789ABCDEF');
      const ct = '3FA40E8A984D48156A271787AB8883F9893D51EC4B563B53';
      assert.equal(toHex(tdesEcbEncrypt(key, NOW_IS)), ct);
      assert.equal(tdesEcbDecrypt(key, fromHex(ct)).toString('latin1'), NOW_IS.toString('latin1'));
    });
    it('FIPS 81 Appendix C, Table C1 (CBC): same text, IV 1234567890ABCDEF', () => {
      const key = fromHex('0123456789ABCDEF');
      const iv = fromHex('1234567890ABCDEF');
      const ct = 'E5C7CDDE872BF27C43E934008C389C0F683788499A7C05F6';
      assert.equal(toHex(tdesCbcEncrypt(key, NOW_IS, iv)), ct);
      assert.equal(tdesCbcDecrypt(key, fromHex(ct), iv).toString('latin1'), NOW_IS.toString('latin1'));
    });
    it('NIST SP 800-20 Table A.1 (variable plaintext KAT), first rows, key 0101010101010101', () => {
      const key = fromHex('0101010101010101');
      assert.equal(toHex(tdesEcbEncrypt(key, fromHex('8000000000000000'))), '95F8A5E5DD31D900');
      assert.equal(toHex(tdesEcbEncrypt(key, fromHex('4000000000000000'))), 'DD7F121CA5015619');
    });
    it('J. Orlin Grabbe, "The DES Algorithm Illustrated": 0123456789ABCDEF under 133457799BBCDFF1', () => {
      assert.equal(
        toHex(tdesEcbEncrypt(fromHex('133457799BBCDFF1'), fromHex('0123456789ABCDEF'))),
        '85E813540F0AB405',
      );
    });
  });

  describe('TDES', () => {
    it('NIST SP 800-67 Rev. 1 Appendix B example (3-key): "The qufck brown fox jump"', () => {
      const key = fromHex('0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123');
      const pt = Buffer.from('The qufck brown fox jump', 'latin1');
      const ct = 'A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900';
      assert.equal(toHex(tdesEcbEncrypt(key, pt)), ct);
      assert.equal(tdesEcbDecrypt(key, fromHex(ct)).toString('latin1'), pt.toString('latin1'));
    });
    it('Botan des.vec [TripleDES] 2-key case: 0123456789ABCDE7 under 0123456789ABCDEFFEDCBA9876543210', () => {
      const key = fromHex('0123456789ABCDEFFEDCBA9876543210');
      assert.equal(toHex(tdesEcbEncrypt(key, fromHex('0123456789ABCDE7'))), '7F1D0A77826B8AFF');
      assert.equal(toHex(tdesEcbDecrypt(key, fromHex('7F1D0A77826B8AFF'))), '0123456789ABCDE7');
    });
    it('a 2-key and the equivalent 3-key K1‖K2‖K1 give the same result', () => {
      const k2 = fromHex('0123456789ABCDEFFEDCBA9876543210');
      const k3 = Buffer.concat([k2, k2.subarray(0, 8)]);
      const data = fromHex('00112233445566778899AABBCCDDEEFF');
      assert.equal(toHex(tdesEcbEncrypt(k2, data)), toHex(tdesEcbEncrypt(k3, data)));
      assert.equal(toHex(tdesCbcEncrypt(k2, data)), toHex(tdesCbcEncrypt(k3, data)));
    });
  });

  describe('bad input', () => {
    it('refuses key lengths other than 8, 16, 24', () => {
      for (const n of [0, 7, 15, 32]) {
        assert.throws(
          () => tdesEcbEncrypt(Buffer.alloc(n), Buffer.alloc(8)),
          (e: unknown) => e instanceof KeyLengthError && e.actual === n && e.code === 'E_KEY_LENGTH',
        );
      }
    });
    it('refuses data that is not whole blocks, and a wrong IV', () => {
      const key = fromHex('0123456789ABCDEF');
      assert.throws(() => tdesEcbEncrypt(key, Buffer.alloc(9)), DataLengthError);
      assert.throws(() => tdesCbcEncrypt(key, Buffer.alloc(8), Buffer.alloc(7)), DataLengthError);
    });
    it('accepts empty data', () => {
      assert.equal(tdesEcbEncrypt(fromHex('0123456789ABCDEF'), Buffer.alloc(0)).length, 0);
    });
  });
});
