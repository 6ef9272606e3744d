/**
 * Application Interchange Profile (tag 82, 2 bytes): what the card supports (EMV 4.3 Book 3 Annex C1).
 * Byte 2 is RFU for contact EMV (contactless kernels use some of its bits).
 */
import { BitField } from './bit-field.js';

export type AipBit =
  | 'sdaSupported'
  | 'ddaSupported'
  | 'cardholderVerificationSupported'
  | 'terminalRiskManagementRequired'
  | 'issuerAuthenticationSupported'
  | 'cdaSupported';

export const AIP = new BitField<AipBit>('AIP', 2, [
  { name: 'sdaSupported', byte: 1, bit: 7, description: 'SDA supported' },
  { name: 'ddaSupported', byte: 1, bit: 6, description: 'DDA supported' },
  {
    name: 'cardholderVerificationSupported',
    byte: 1,
    bit: 5,
    description: 'Cardholder verification is supported',
  },
  {
    name: 'terminalRiskManagementRequired',
    byte: 1,
    bit: 4,
    description: 'Terminal risk management is to be performed',
  },
  {
    name: 'issuerAuthenticationSupported',
    byte: 1,
    bit: 3,
    description: 'Issuer authentication is supported',
  },
  { name: 'cdaSupported', byte: 1, bit: 1, description: 'CDA supported' },
]);
