import { strict as assert } from 'node:assert';
import { aesCbcDecrypt, aesCbcEncrypt, aesEcbDecrypt, aesEcbEncrypt } from './aes.js';
import { DataLengthError, KeyLengthError } from './errors.js';
import { fromHex, toHex } from './hex.js';

describe('crypto/aes', () => {
  // FIPS 197 Appendix C (example vectors): plaintext 00112233…EEFF, key 000102….
  const fipsPt = fromHex('00112233445566778899AABBCCDDEEFF');
  const fipsCases: [string, string, string][] = [
    ['C.1 AES-128', '000102030405060708090A0B0C0D0E0F', '69C4E0D86A7B0430D8CDB78070B4C55A'],
    ['C.2 AES-192', '000102030405060708090A0B0C0D0E0F1011121314151617', 'DDA97CA4864CDFE06EAF70A0EC0D7191'],
    [
      'C.3 AES-256',
      '000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F',
      '8EA2B7CA516745BFEAFC49904B496089',
    ],
  ];
  for (const [name, key, ct] of fipsCases) {
    it(`FIPS 197 ${name} (ECB, one block) encrypts and decrypts`, () => {
      assert.equal(toHex(aesEcbEncrypt(fromHex(key), fipsPt)), ct);
      assert.equal(toHex(aesEcbDecrypt(fromHex(key), fromHex(ct))), toHex(fipsPt));
    });
  }

  // NIST SP 800-38A Appendix F: plaintext blocks 1 and 2 of the common test message.
  const sp38aPt = fromHex('6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51');
  const key128 = fromHex('2B7E151628AED2A6ABF7158809CF4F3C');
  const iv = fromHex('000102030405060708090A0B0C0D0E0F');
  it('SP 800-38A F.1.1 ECB-AES128', () => {
    assert.equal(
      toHex(aesEcbEncrypt(key128, sp38aPt)),
      '3AD77BB40D7A3660A89ECAF32466EF97F5D3D58503B9699DE785895A96FDBAAF',
    );
  });
  it('SP 800-38A F.2.1/F.2.2 CBC-AES128', () => {
    const ct = '7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2';
    assert.equal(toHex(aesCbcEncrypt(key128, sp38aPt, iv)), ct);
    assert.equal(toHex(aesCbcDecrypt(key128, fromHex(ct), iv)), toHex(sp38aPt));
  });
  it('SP 800-38A F.2.5 CBC-AES256, first block', () => {
    const key = fromHex('603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4');
    assert.equal(toHex(aesCbcEncrypt(key, sp38aPt.subarray(0, 16), iv)), 'F58C4C04D6E5F1BA779EABFB5F7BFBD6');
  });
  it('refuses bad key lengths, partial blocks and a wrong IV', () => {
    assert.throws(() => aesEcbEncrypt(Buffer.alloc(8), Buffer.alloc(16)), KeyLengthError);
    assert.throws(() => aesEcbEncrypt(key128, Buffer.alloc(15)), DataLengthError);
    assert.throws(() => aesCbcEncrypt(key128, Buffer.alloc(16), Buffer.alloc(8)), DataLengthError);
  });
});
