/**
 * Transaction Status Information (tag 9B, 2 bytes): which functions the terminal performed.
 * Bit table from EMV 4.3 Book 3 Annex C6; byte 2 is RFU.
 */
import { BitField } from './bit-field.js';

export type TsiBit =
  | 'offlineDataAuthPerformed'
  | 'cardholderVerificationPerformed'
  | 'cardRiskManagementPerformed'
  | 'issuerAuthenticationPerformed'
  | 'terminalRiskManagementPerformed'
  | 'scriptProcessingPerformed';

export const TSI = new BitField<TsiBit>('TSI', 2, [
  {
    name: 'offlineDataAuthPerformed',
    byte: 1,
    bit: 8,
    description: 'Offline data authentication was performed',
  },
  {
    name: 'cardholderVerificationPerformed',
    byte: 1,
    bit: 7,
    description: 'Cardholder verification was performed',
  },
  { name: 'cardRiskManagementPerformed', byte: 1, bit: 6, description: 'Card risk management was performed' },
  {
    name: 'issuerAuthenticationPerformed',
    byte: 1,
    bit: 5,
    description: 'Issuer authentication was performed',
  },
  {
    name: 'terminalRiskManagementPerformed',
    byte: 1,
    bit: 4,
    description: 'Terminal risk management was performed',
  },
  { name: 'scriptProcessingPerformed', byte: 1, bit: 3, description: 'Script processing was performed' },
]);
