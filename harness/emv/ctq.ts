/**
 * Card Transaction Qualifiers (tag 9F6C, 2 bytes): what the contactless card asks of the reader, as
 * qPBOC (JR/T 0025.12) and Visa VCPS define them.
 */
import { BitField } from './bit-field.js';

export type CtqBit =
  | 'onlinePinRequired'
  | 'signatureRequired'
  | 'goOnlineIfOdaFails'
  | 'switchInterfaceIfOdaFails'
  | 'goOnlineIfApplicationExpired'
  | 'switchInterfaceForCash'
  | 'switchInterfaceForCashback'
  | 'consumerDeviceCvmPerformed'
  | 'issuerUpdateProcessingSupported';

export const CTQ = new BitField<CtqBit>('CTQ', 2, [
  { name: 'onlinePinRequired', byte: 1, bit: 8, description: 'Online PIN required' },
  { name: 'signatureRequired', byte: 1, bit: 7, description: 'Signature required' },
  {
    name: 'goOnlineIfOdaFails',
    byte: 1,
    bit: 6,
    description: 'Go online if offline data authentication fails and reader is online capable',
  },
  {
    name: 'switchInterfaceIfOdaFails',
    byte: 1,
    bit: 5,
    description: 'Switch interface if offline data authentication fails and reader supports contact chip',
  },
  { name: 'goOnlineIfApplicationExpired', byte: 1, bit: 4, description: 'Go online if application expired' },
  { name: 'switchInterfaceForCash', byte: 1, bit: 3, description: 'Switch interface for cash transactions' },
  {
    name: 'switchInterfaceForCashback',
    byte: 1,
    bit: 2,
    description: 'Switch interface for cashback transactions',
  },
  { name: 'consumerDeviceCvmPerformed', byte: 2, bit: 8, description: 'Consumer device CVM performed' },
  {
    name: 'issuerUpdateProcessingSupported',
    byte: 2,
    bit: 7,
    description: 'Card supports issuer update processing',
  },
]);
