import { blockModes } from './block-modes.js';
import { KeyLengthError } from './errors.js';

/** AES block size in bytes. */
export const AES_BLOCK_BYTES = 16;
/** AES-128, AES-192 and AES-256 key lengths in bytes. */
export const AES_KEY_LENGTHS: readonly number[] = [16, 24, 32];

const aes = blockModes({
  label: 'AES',
  blockBytes: AES_BLOCK_BYTES,
  resolve(key, mode) {
    if (!AES_KEY_LENGTHS.includes(key.length)) throw new KeyLengthError('AES', key.length, AES_KEY_LENGTHS);
    return { algorithm: `aes-${key.length * 8}-${mode}`, key };
  },
});

/** AES-128/192/256 (by key length) in ECB mode, no padding: `data` is whole 16-byte blocks. */
export const aesEcbEncrypt = aes.ecbEncrypt;

/** Inverse of `aesEcbEncrypt`. */
export const aesEcbDecrypt = aes.ecbDecrypt;

/** AES-128/192/256 in CBC mode, no padding; `iv` defaults to sixteen zero bytes. */
export const aesCbcEncrypt = aes.cbcEncrypt;

/** Inverse of `aesCbcEncrypt`. */
export const aesCbcDecrypt = aes.cbcDecrypt;
