/**
 * Terminal Verification Results (tag 95, 5 bytes): what went wrong or was noteworthy while the terminal
 * processed the card. Bit table from EMV 4.3 Book 3 Annex C5; unnamed bits are RFU.
 */
import { BitField } from './bit-field.js';

export type TvrBit =
  // byte 1
  | 'offlineDataAuthNotPerformed'
  | 'sdaFailed'
  | 'iccDataMissing'
  | 'cardOnExceptionFile'
  | 'ddaFailed'
  | 'cdaFailed'
  | 'sdaSelected'
  // byte 2
  | 'differentApplicationVersions'
  | 'expiredApplication'
  | 'applicationNotYetEffective'
  | 'serviceNotAllowed'
  | 'newCard'
  // byte 3
  | 'cardholderVerificationFailed'
  | 'unrecognisedCvm'
  | 'pinTryLimitExceeded'
  | 'pinPadMissing'
  | 'pinNotEntered'
  | 'onlinePinEntered'
  // byte 4
  | 'floorLimitExceeded'
  | 'lowerConsecutiveOfflineLimitExceeded'
  | 'upperConsecutiveOfflineLimitExceeded'
  | 'randomlySelectedOnline'
  | 'merchantForcedOnline'
  // byte 5
  | 'defaultTdolUsed'
  | 'issuerAuthenticationFailed'
  | 'scriptFailedBeforeFinalGenerateAc'
  | 'scriptFailedAfterFinalGenerateAc';

export const TVR = new BitField<TvrBit>('TVR', 5, [
  {
    name: 'offlineDataAuthNotPerformed',
    byte: 1,
    bit: 8,
    description: 'Offline data authentication was not performed',
  },
  { name: 'sdaFailed', byte: 1, bit: 7, description: 'SDA failed' },
  { name: 'iccDataMissing', byte: 1, bit: 6, description: 'ICC data missing' },
  { name: 'cardOnExceptionFile', byte: 1, bit: 5, description: 'Card appears on terminal exception file' },
  { name: 'ddaFailed', byte: 1, bit: 4, description: 'DDA failed' },
  { name: 'cdaFailed', byte: 1, bit: 3, description: 'CDA failed' },
  { name: 'sdaSelected', byte: 1, bit: 2, description: 'SDA selected' },
  {
    name: 'differentApplicationVersions',
    byte: 2,
    bit: 8,
    description: 'ICC and terminal have different application versions',
  },
  { name: 'expiredApplication', byte: 2, bit: 7, description: 'Expired application' },
  { name: 'applicationNotYetEffective', byte: 2, bit: 6, description: 'Application not yet effective' },
  {
    name: 'serviceNotAllowed',
    byte: 2,
    bit: 5,
    description: 'Requested service not allowed for card product',
  },
  { name: 'newCard', byte: 2, bit: 4, description: 'New card' },
  {
    name: 'cardholderVerificationFailed',
    byte: 3,
    bit: 8,
    description: 'Cardholder verification was not successful',
  },
  { name: 'unrecognisedCvm', byte: 3, bit: 7, description: 'Unrecognised CVM' },
  { name: 'pinTryLimitExceeded', byte: 3, bit: 6, description: 'PIN Try Limit exceeded' },
  {
    name: 'pinPadMissing',
    byte: 3,
    bit: 5,
    description: 'PIN entry required and PIN pad not present or not working',
  },
  {
    name: 'pinNotEntered',
    byte: 3,
    bit: 4,
    description: 'PIN entry required, PIN pad present, but PIN was not entered',
  },
  { name: 'onlinePinEntered', byte: 3, bit: 3, description: 'Online PIN entered' },
  { name: 'floorLimitExceeded', byte: 4, bit: 8, description: 'Transaction exceeds floor limit' },
  {
    name: 'lowerConsecutiveOfflineLimitExceeded',
    byte: 4,
    bit: 7,
    description: 'Lower consecutive offline limit exceeded',
  },
  {
    name: 'upperConsecutiveOfflineLimitExceeded',
    byte: 4,
    bit: 6,
    description: 'Upper consecutive offline limit exceeded',
  },
  {
    name: 'randomlySelectedOnline',
    byte: 4,
    bit: 5,
    description: 'Transaction selected randomly for online processing',
  },
  { name: 'merchantForcedOnline', byte: 4, bit: 4, description: 'Merchant forced transaction online' },
  { name: 'defaultTdolUsed', byte: 5, bit: 8, description: 'Default TDOL used' },
  { name: 'issuerAuthenticationFailed', byte: 5, bit: 7, description: 'Issuer authentication failed' },
  {
    name: 'scriptFailedBeforeFinalGenerateAc',
    byte: 5,
    bit: 6,
    description: 'Script processing failed before final GENERATE AC',
  },
  {
    name: 'scriptFailedAfterFinalGenerateAc',
    byte: 5,
    bit: 5,
    description: 'Script processing failed after final GENERATE AC',
  },
]);
