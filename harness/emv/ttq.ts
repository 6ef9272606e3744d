/**
 * Terminal Transaction Qualifiers (tag 9F66, 4 bytes): the contactless reader's capabilities and
 * requirements for this transaction, as qPBOC (JR/T 0025.12) and Visa VCPS define them.
 */
import { BitField } from './bit-field.js';

export type TtqBit =
  | 'msdSupported'
  | 'contactlessPbocSupported'
  | 'qPbocSupported'
  | 'contactChipSupported'
  | 'offlineOnlyReader'
  | 'onlinePinSupported'
  | 'signatureSupported'
  | 'odaForOnlineSupported'
  | 'onlineCryptogramRequired'
  | 'cvmRequired'
  | 'contactChipOfflinePinSupported'
  | 'issuerUpdateProcessingSupported'
  | 'consumerDeviceCvmSupported';

export const TTQ = new BitField<TtqBit>('TTQ', 4, [
  { name: 'msdSupported', byte: 1, bit: 8, description: 'Contactless magnetic stripe (MSD) supported' },
  {
    name: 'contactlessPbocSupported',
    byte: 1,
    bit: 7,
    description: 'Contactless full PBOC / VSDC supported',
  },
  { name: 'qPbocSupported', byte: 1, bit: 6, description: 'qPBOC / qVSDC supported' },
  { name: 'contactChipSupported', byte: 1, bit: 5, description: 'Contact chip (EMV/PBOC) supported' },
  { name: 'offlineOnlyReader', byte: 1, bit: 4, description: 'Reader is offline only' },
  { name: 'onlinePinSupported', byte: 1, bit: 3, description: 'Online PIN supported' },
  { name: 'signatureSupported', byte: 1, bit: 2, description: 'Signature supported' },
  {
    name: 'odaForOnlineSupported',
    byte: 1,
    bit: 1,
    description: 'Offline data authentication for online authorisations supported',
  },
  { name: 'onlineCryptogramRequired', byte: 2, bit: 8, description: 'Online cryptogram required' },
  { name: 'cvmRequired', byte: 2, bit: 7, description: 'CVM required' },
  {
    name: 'contactChipOfflinePinSupported',
    byte: 2,
    bit: 6,
    description: '(Contact chip) offline PIN supported',
  },
  {
    name: 'issuerUpdateProcessingSupported',
    byte: 3,
    bit: 8,
    description: 'Issuer update processing supported',
  },
  { name: 'consumerDeviceCvmSupported', byte: 3, bit: 7, description: 'Consumer device CVM supported' },
]);
