// harness/crypto: payment cryptography on node:crypto (no hand-written cipher).
export { fromHex, toHex, xor, isHex } from './hex.js';
export {
  CryptoError,
  HexError,
  KeyLengthError,
  DataLengthError,
  KcvMismatchError,
  PinBlockError,
  TrackDataError,
  CryptoParameterError,
} from './errors.js';
export {
  tdesEcbEncrypt,
  tdesEcbDecrypt,
  tdesCbcEncrypt,
  tdesCbcDecrypt,
  DES_BLOCK_BYTES,
  TDES_KEY_LENGTHS,
} from './tdes.js';
export {
  aesEcbEncrypt,
  aesEcbDecrypt,
  aesCbcEncrypt,
  aesCbcDecrypt,
  AES_BLOCK_BYTES,
  AES_KEY_LENGTHS,
} from './aes.js';
export { adjustOddParity, hasOddParity } from './key-parity.js';
export { kcv } from './key-check-value.js';
export { encryptWorkingKey, decryptWorkingKey, WORKING_KEY_KCV_BYTES } from './working-key.js';
export type { KeyWithCheckValue } from './working-key.js';
export { buildPinBlock, encryptPinBlock, decryptPinBlock, extractPin } from './pin-block.js';
export type { PinBlockFormat, PinBlockOptions, RandomSource } from './pin-block.js';
export { padIso9797, macIso9797Alg1, macIso9797Alg3, macX99, macX919 } from './iso9797-mac.js';
export type { MacPadding } from './iso9797-mac.js';
export { macCupEcb, macCupEcbField, cupMacField, cupMacInto, cupMacMatches } from './cup-mac.js';
export { TdesKey } from './tdes-key.js';
export { encryptTrack, decryptTrack } from './track-encryption.js';
