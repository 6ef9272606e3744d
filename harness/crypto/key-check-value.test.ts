import { strict as assert } from 'node:assert';
import { DataLengthError, KcvMismatchError } from './errors.js';
import { fromHex, toHex } from './hex.js';
import { kcv } from './key-check-value.js';
import { adjustOddParity, hasOddParity } from './key-parity.js';
import { decryptWorkingKey, encryptWorkingKey } from './working-key.js';

describe('crypto/key-check-value, key-parity, working-key', () => {
  it('KCV of the DOMAIN.md example key 0123456789ABCDEFFEDCBA9876543210 is 08D7B4FB629D0885', () => {
    const key = fromHex('0123456789ABCDEFFEDCBA9876543210');
    assert.equal(toHex(kcv(key, 8)), '08D7B4FB629D0885');
    assert.equal(toHex(kcv(key)), '08D7B4');
    assert.equal(toHex(kcv(key, 4)), '08D7B4FB');
    assert.throws(() => kcv(key, 0), DataLengthError);
    assert.throws(() => kcv(key, 9), DataLengthError);
  });

  it('parity: 0123456789ABCDEF is already odd; zero and FF bytes become the FIPS 74 weak keys 01…, FE…', () => {
    assert.equal(hasOddParity(fromHex('0123456789ABCDEF')), true);
    assert.equal(toHex(adjustOddParity(fromHex('0000000000000000'))), '0101010101010101');
    assert.equal(toHex(adjustOddParity(fromHex('FFFFFFFFFFFFFFFF'))), 'FEFEFEFEFEFEFEFE');
    assert.equal(toHex(adjustOddParity(fromHex('1F1F1F1F0E0E0E0E'))), '1F1F1F1F0E0E0E0E');
    assert.equal(hasOddParity(fromHex('0000000000000000')), false);
  });

  it('decrypts a published sign-in example: TAK 96D605EA176B7E9E under TMK 70F2…B923 is C24A8FB57AA20123', () => {
    // Worked UnionPay MAC example, blog.csdn.net/zhu244912654/article/details/80005341:
    // "TMK = 70F2A84CCBC2AE8625CBB0F2C22AB923, TAK = 96D605EA176B7E9E (密文), C24A8FB57AA20123 (明文)".
    const tmk = fromHex('70F2A84CCBC2AE8625CBB0F2C22AB923');
    const r = decryptWorkingKey(tmk, fromHex('96D605EA176B7E9E'));
    assert.equal(toHex(r.key), 'C24A8FB57AA20123');
    assert.equal(toHex(r.kcv), toHex(kcv(fromHex('C24A8FB57AA20123'), 4)));
    const back = encryptWorkingKey(tmk, fromHex('C24A8FB57AA20123'));
    assert.equal(toHex(back.key), '96D605EA176B7E9E');
  });

  it('checks the KCV sent with the key over its own length, and flags a mismatch as a product fault', () => {
    const kek = fromHex('0123456789ABCDEFFEDCBA9876543210');
    const clear = fromHex('0123456789ABCDEFFEDCBA9876543210');
    const { key: enc, kcv: check } = encryptWorkingKey(kek, clear);
    assert.equal(toHex(check), '08D7B4FB');
    assert.equal(toHex(decryptWorkingKey(kek, enc, fromHex('08D7B4')).kcv), '08D7B4');
    assert.throws(
      () => decryptWorkingKey(kek, enc, fromHex('08D7B4FC')),
      (e: unknown) =>
        e instanceof KcvMismatchError &&
        e.verdict === 'failed' &&
        e.expected === '08D7B4FC' &&
        e.actual === '08D7B4FB',
    );
  });
});
