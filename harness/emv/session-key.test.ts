import { strict as assert } from 'node:assert';
import { DataLengthError, KeyLengthError } from '../crypto/errors.js';
import { fromHex, toHex } from '../crypto/hex.js';
import { kcv } from '../crypto/key-check-value.js';
import { deriveIccMasterKeyOptionA } from './icc-key-derivation.js';
import { deriveCommonSessionKey } from './session-key.js';

// Test data from pyemv (github.com/knovichikhin/pyemv): kd.derive_common_sk docstring and
// tests/test_kd_hsm.py, test_ac_hsm.py, test_cvn_hsm.py.
const IMK = fromHex('0123456789ABCDEFFEDCBA9876543210');

describe('emv/session-key (EMV common session key derivation)', () => {
  it('pyemv docstring: MK 0123…3210, R 001C000000000000 → E9FB384AF807B940FEDCEA613461B0C4', () => {
    assert.equal(
      toHex(deriveCommonSessionKey(IMK, fromHex('001C000000000000'))),
      'E9FB384AF807B940FEDCEA613461B0C4',
    );
  });
  it('a 2-byte ATC means R = ATC ‖ 00…00', () => {
    assert.equal(toHex(deriveCommonSessionKey(IMK, fromHex('001C'))), 'E9FB384AF807B940FEDCEA613461B0C4');
  });
  it('pyemv HSM-checked chains IMK → ICC MK → session key, by key check digits', () => {
    const r = fromHex('1234567890123456');
    const mk1 = deriveIccMasterKeyOptionA(IMK, '12345678901234567', '45');
    assert.equal(toHex(kcv(deriveCommonSessionKey(mk1, r), 2)), 'DF82'); // test_kd_hsm.py
    const mk2 = deriveIccMasterKeyOptionA(IMK, '12345678901234567');
    assert.equal(toHex(kcv(deriveCommonSessionKey(mk2, r), 2)), '3F4F'); // test_kd_hsm.py, no PSN
    const mk3 = deriveIccMasterKeyOptionA(IMK, '9901234567890123', '45');
    assert.equal(toHex(kcv(deriveCommonSessionKey(mk3, r), 2)), '0995'); // test_ac_hsm.py
    const mk4 = deriveIccMasterKeyOptionA(IMK, '1234567890123456', '00');
    assert.equal(toHex(kcv(deriveCommonSessionKey(mk4, fromHex('001C')), 2)), '22C8'); // Visa CVN 18
  });
  it('refuses a wrong key length and a diversification value that is neither 2 nor 8 bytes', () => {
    assert.throws(() => deriveCommonSessionKey(Buffer.alloc(8), fromHex('001C')), KeyLengthError);
    assert.throws(() => deriveCommonSessionKey(IMK, fromHex('001C00')), DataLengthError);
  });
});
