import { strict as assert } from 'node:assert';
import { DataLengthError } from '../crypto/errors.js';
import { fromHex, toHex } from '../crypto/hex.js';
import {
  cryptogramKeyFor,
  generateAc,
  generateArpcMethod1,
  generateArpcMethod2,
  generateArqc,
} from './cryptogram.js';
import { CryptogramVersionError } from './errors.js';
import { deriveIccMasterKeyOptionA } from './icc-key-derivation.js';
import { deriveCommonSessionKey } from './session-key.js';

// Test data from pyemv (github.com/knovichikhin/pyemv): ac.py docstrings, tests/test_kd_hsm.py,
// tests/test_ac_hsm.py and tests/test_cvn_hsm.py (values cross-checked there against an HSM).
const IMK = fromHex('0123456789ABCDEFFEDCBA9876543210');
const SK_AB = fromHex('AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
const CIPHER_TEXT = fromHex('0123456789ABCDEF0123456789ABCDEF');

describe('emv/cryptogram', () => {
  describe('application cryptogram (ISO 9797-1 algorithm 3)', () => {
    it('pyemv ac.generate_ac docstring (EMV padding): → 3B76CF10FECD8789', () => {
      const data = fromHex(
        '000000002000' +
          '000000000000' +
          '0124' +
          '0000008000' +
          '0124' +
          '110309' +
          '00' +
          '3804823E' +
          '5800' +
          '0001',
      );
      assert.equal(toHex(generateAc(SK_AB, data, 2)), '3B76CF10FECD8789');
    });
    it('pyemv test_ac_hsm.py: EMV padding → 4B46013359B7A58B, Visa padding → 922F3E83125EB46B / 2E141C6BC4A20DA8', () => {
      const mk = deriveIccMasterKeyOptionA(IMK, '9901234567890123', '45');
      const sk = deriveCommonSessionKey(mk, fromHex('1234567890123456'));
      assert.equal(toHex(generateAc(sk, CIPHER_TEXT, 2)), '4B46013359B7A58B');
      assert.equal(toHex(generateAc(sk, CIPHER_TEXT, 1)), '922F3E83125EB46B');
      assert.equal(
        toHex(generateAc(sk, fromHex('0123456789ABCDEF0123456789ABCDEF01'), 1)),
        '2E141C6BC4A20DA8',
      );
    });
  });

  describe('ARPC', () => {
    it('pyemv ac docstrings: method 1 → F5E6F44147E2F1B0, method 2 → 9308BEBC', () => {
      const arqc = fromHex('1234567890ABCDEF');
      assert.equal(toHex(generateArpcMethod1(SK_AB, arqc, fromHex('0000'))), 'F5E6F44147E2F1B0');
      assert.equal(toHex(generateArpcMethod2(SK_AB, arqc, fromHex('00000000'))), '9308BEBC');
    });
    it('pyemv test_kd_hsm.py chain: ARQC 19C1FBC83EBDC0D5, ARPC method 1 under MK and under SK', () => {
      const mk = deriveIccMasterKeyOptionA(IMK, '12345678901234567', '45');
      const sk = deriveCommonSessionKey(mk, fromHex('1234567890123456'));
      const arqc = generateAc(sk, CIPHER_TEXT, 2);
      assert.equal(toHex(arqc), '19C1FBC83EBDC0D5');
      assert.equal(toHex(generateArpcMethod1(mk, arqc, fromHex('0000'))), '78A372523FA35A03');
      assert.equal(toHex(generateArpcMethod1(sk, arqc, fromHex('0000'))), 'C3620580668E5B65');
    });
    it('pyemv test_ac_hsm.py: ARPC method 2 with and without proprietary data', () => {
      const mk = deriveIccMasterKeyOptionA(IMK, '9901234567890123', '45');
      const sk = deriveCommonSessionKey(mk, fromHex('1234567890123456'));
      const arqc = fromHex('4B46013359B7A58B');
      assert.equal(
        toHex(generateArpcMethod2(sk, arqc, fromHex('00000000'), fromHex('1234567890ABCDEF'))),
        '4962B76C',
      );
      assert.equal(toHex(generateArpcMethod2(sk, arqc, fromHex('00000000'))), '7DFB1188');
    });
    it('refuses wrong ARQC, ARC, CSU and proprietary data lengths', () => {
      const arqc = fromHex('1234567890ABCDEF');
      assert.throws(() => generateArpcMethod1(SK_AB, arqc.subarray(0, 7), fromHex('0000')), DataLengthError);
      assert.throws(() => generateArpcMethod1(SK_AB, arqc, fromHex('00')), DataLengthError);
      assert.throws(() => generateArpcMethod2(SK_AB, arqc, fromHex('000000')), DataLengthError);
      assert.throws(
        () => generateArpcMethod2(SK_AB, arqc, fromHex('00000000'), Buffer.alloc(9)),
        DataLengthError,
      );
    });
  });

  describe('by cryptogram version (pyemv test_cvn_hsm.py, Visa test card PAN 1234567890123456, PSN 00)', () => {
    // 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36, then CVR (CVN 10) or the IAD (CVN 18).
    const common =
      '000000004000' +
      '000000000000' +
      '0124' +
      '8000048000' +
      '0124' +
      '191105' +
      '01' +
      '52BF4585' +
      '1800' +
      '001C';
    const atc = fromHex('001C');
    const mk = deriveIccMasterKeyOptionA(IMK, '1234567890123456', '00');

    it('CVN 10: ICC master key, padding 1 → ARQC 29CCA15AE665FA2E, ARPC (ARC 3030) 28993816AFAE4AEB', () => {
      const key = cryptogramKeyFor(mk, 10);
      assert.equal(toHex(key), toHex(mk));
      const arqc = generateArqc(key, fromHex(common + '03A06010'), 10);
      assert.equal(toHex(arqc), '29CCA15AE665FA2E');
      assert.equal(toHex(generateArpcMethod1(key, arqc, fromHex('3030'))), '28993816AFAE4AEB');
    });
    it('CVN 18: session key for the ATC, padding 2 → ARQC 7A788EA6B8A3E733, ARPC method 2 9AF514C1', () => {
      const key = cryptogramKeyFor(mk, 18, atc);
      const arqc = generateArqc(key, fromHex(common + '06011203A0B800'), 18);
      assert.equal(toHex(arqc), '7A788EA6B8A3E733');
      assert.equal(toHex(generateArpcMethod2(key, arqc, fromHex('00000000'))), '9AF514C1');
    });
    it('CVN 18 needs the ATC; other CVNs are refused', () => {
      assert.throws(() => cryptogramKeyFor(mk, 18), DataLengthError);
      assert.throws(() => generateArqc(mk, CIPHER_TEXT, 22 as 10), CryptogramVersionError);
    });
  });
});
