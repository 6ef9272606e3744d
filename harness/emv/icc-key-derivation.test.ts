import { strict as assert } from 'node:assert';
import { KeyLengthError } from '../crypto/errors.js';
import { fromHex, toHex } from '../crypto/hex.js';
import { kcv } from '../crypto/key-check-value.js';
import { hasOddParity } from '../crypto/key-parity.js';
import { deriveIccMasterKeyOptionA } from './icc-key-derivation.js';

// Test data from pyemv (github.com/knovichikhin/pyemv): the kd.derive_icc_mk_a docstring example and
// tests/test_kd_hsm.py, test_ac_hsm.py, test_cvn_hsm.py (check digits of the derived keys, 2 bytes).
const IMK = fromHex('0123456789ABCDEFFEDCBA9876543210');

describe('emv/icc-key-derivation (option A)', () => {
  it('pyemv docstring: PAN 12345678901234567, PSN 01 → 73AD54688CEF2934B0979857E3C719F1', () => {
    assert.equal(
      toHex(deriveIccMasterKeyOptionA(IMK, '12345678901234567', '01')),
      '73AD54688CEF2934B0979857E3C719F1',
    );
  });
  it('pyemv HSM-checked cases by key check digits', () => {
    const cd = (pan: string, psn?: string) => toHex(kcv(deriveIccMasterKeyOptionA(IMK, pan, psn), 2));
    assert.equal(cd('12345678901234567', '45'), 'FF08'); // test_kd_hsm.py test_derive_icc_mk_a_psn
    assert.equal(cd('9901234567890123', '45'), '1DA5'); // test_ac_hsm.py
    assert.equal(cd('1234567890123456', '00'), 'BAB0'); // test_cvn_hsm.py Visa CVN 10
  });
  it('takes the rightmost 16 digits of PAN‖PSN, defaults the PSN to 00 and pads a numeric PSN', () => {
    const a = deriveIccMasterKeyOptionA(IMK, '1234567890123456');
    assert.equal(toHex(a), toHex(deriveIccMasterKeyOptionA(IMK, '1234567890123456', '00')));
    assert.equal(toHex(a), toHex(deriveIccMasterKeyOptionA(IMK, '1234567890123456', 0)));
    // PAN 9912345678901234567 with PSN 45 keeps only …345678901234567 45 → same as a 15-digit tail.
    assert.equal(
      toHex(deriveIccMasterKeyOptionA(IMK, '9912345678901234567', '45')),
      toHex(deriveIccMasterKeyOptionA(IMK, '2345678901234567', '45')),
    );
    // A short PAN is zero-padded on the left.
    assert.equal(
      toHex(deriveIccMasterKeyOptionA(IMK, '123456789012', '01')),
      toHex(deriveIccMasterKeyOptionA(IMK, '00123456789012', '01')),
    );
  });
  it('returns an odd-parity 16-byte key', () => {
    const mk = deriveIccMasterKeyOptionA(IMK, '6222021234567890123', '01');
    assert.equal(mk.length, 16);
    assert.equal(hasOddParity(mk), true);
  });
  it('refuses a non-double-length IMK, a non-numeric PAN and a bad PSN', () => {
    assert.throws(() => deriveIccMasterKeyOptionA(Buffer.alloc(24), '1234567890123456'), KeyLengthError);
    assert.throws(() => deriveIccMasterKeyOptionA(IMK, '1234-5678'), /PAN/);
    assert.throws(() => deriveIccMasterKeyOptionA(IMK, '1234567890123456', '1'), /sequence/);
  });
});
