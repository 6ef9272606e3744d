import assert from 'node:assert/strict';
import { AIP } from './aip.js';
import { CTQ } from './ctq.js';
import { BitFieldLengthError, UnknownBitError } from './errors.js';
import { TSI } from './tsi.js';
import { TTQ } from './ttq.js';
import { TVR, type TvrBit } from './tvr.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('emv/bit-field (TVR, TSI, AIP, TTQ, CTQ)', () => {
  it('decodes a TVR by EMV Book 3 Annex C5 positions', () => {
    // 80 00 00 00 00: offline data authentication not performed (python-emv pinsentry GENERATE AC data).
    assert.deepEqual(TVR.names(hex('8000000000')), ['offlineDataAuthNotPerformed']);
    // One bit per byte, each at a different position.
    assert.deepEqual(TVR.names(hex('04 40 20 08 40')), [
      'cdaFailed',
      'expiredApplication',
      'pinTryLimitExceeded',
      'merchantForcedOnline',
      'issuerAuthenticationFailed',
    ]);
    assert.deepEqual(TVR.describe(hex('0000008000')), ['Transaction exceeds floor limit']);
    assert.deepEqual(TVR.names(hex('0000000000')), []);
  });

  it('builds, sets, clears and tests bits', () => {
    const tvr = TVR.build('newCard', 'onlinePinEntered', 'defaultTdolUsed');
    assert.equal(tvr.toString('hex').toUpperCase(), '0008040080');
    assert.equal(TVR.has(tvr, 'newCard'), true);
    assert.equal(TVR.has(tvr, 'sdaFailed'), false);
    TVR.set(tvr, 'newCard', false);
    TVR.set(tvr, 'floorLimitExceeded');
    assert.equal(tvr.toString('hex').toUpperCase(), '0000048080');
    assert.equal(TVR.has(hex('00'), 'defaultTdolUsed'), false);
    assert.throws(() => TVR.set(Buffer.alloc(2), 'defaultTdolUsed'), BitFieldLengthError);
  });

  it('refuses unknown names and reports RFU bits', () => {
    assert.throws(
      () => TVR.has(Buffer.alloc(5), 'noSuchBit' as TvrBit),
      (e: unknown) => e instanceof UnknownBitError && e.field === 'TVR' && e.bit === 'noSuchBit',
    );
    assert.equal(TVR.isName('newCard'), true);
    assert.equal(TVR.isName('nope'), false);
    // byte 1 bit 1 and byte 5 bit 1 are RFU
    assert.deepEqual(TVR.undefinedBits(hex('01 00 00 00 01')), [
      { byte: 1, bit: 1 },
      { byte: 5, bit: 1 },
    ]);
  });

  it('decodes TSI (Annex C6) and AIP (Annex C1)', () => {
    // E8 00 = ODA, CVM, card risk management, terminal risk management performed
    assert.deepEqual(TSI.names(hex('E800')), [
      'offlineDataAuthPerformed',
      'cardholderVerificationPerformed',
      'cardRiskManagementPerformed',
      'terminalRiskManagementPerformed',
    ]);
    // AIP 18 00 from the coolbong GPO response: cardholder verification + terminal risk management
    assert.deepEqual(AIP.names(hex('1800')), [
      'cardholderVerificationSupported',
      'terminalRiskManagementRequired',
    ]);
    // AIP 7C 00: SDA, DDA, CVM, TRM, issuer authentication
    assert.deepEqual(AIP.names(hex('7C00')), [
      'sdaSupported',
      'ddaSupported',
      'cardholderVerificationSupported',
      'terminalRiskManagementRequired',
      'issuerAuthenticationSupported',
    ]);
  });

  it('decodes contactless qualifiers TTQ and CTQ', () => {
    // TTQ 26 00 00 00: qPBOC, online PIN, signature (a typical UnionPay QuickPass reader)
    assert.deepEqual(TTQ.names(hex('26000000')), [
      'qPbocSupported',
      'onlinePinSupported',
      'signatureSupported',
    ]);
    assert.equal(TTQ.build('onlineCryptogramRequired').toString('hex'), '00800000');
    assert.deepEqual(CTQ.names(hex('8080')), ['onlinePinRequired', 'consumerDeviceCvmPerformed']);
  });
});
