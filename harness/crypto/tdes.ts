import { blockModes } from './block-modes.js';
import { KeyLengthError } from './errors.js';

/** DES block size in bytes. */
export const DES_BLOCK_BYTES = 8;
/** Key lengths the TDES functions take: single (8, as K‖K), double (16) and triple (24) length. */
export const TDES_KEY_LENGTHS: readonly number[] = [8, 16, 24];

/**
 * OpenSSL 3 keeps single DES in the legacy provider, which Node does not load; two-key EDE with K‖K
 * is the same permutation (E_K ∘ D_K ∘ E_K = E_K), so a single-length key runs as `des-ede` K‖K.
 */
const tdes = blockModes({
  label: 'TDES',
  blockBytes: DES_BLOCK_BYTES,
  resolve(key, mode) {
    switch (key.length) {
      case 8: {
        const k = Buffer.from(key);
        return { algorithm: `des-ede-${mode}`, key: Buffer.concat([k, k]) };
      }
      case 16:
        return { algorithm: `des-ede-${mode}`, key: Buffer.from(key) };
      case 24:
        return { algorithm: `des-ede3-${mode}`, key: Buffer.from(key) };
      default:
        throw new KeyLengthError('TDES', key.length, TDES_KEY_LENGTHS);
    }
  },
});

/** TDES (or single DES for an 8-byte key) in ECB mode, no padding: `data` is whole 8-byte blocks. */
export const tdesEcbEncrypt = tdes.ecbEncrypt;

/** Inverse of `tdesEcbEncrypt`. */
export const tdesEcbDecrypt = tdes.ecbDecrypt;

/** TDES (or single DES) in CBC mode, no padding; `iv` defaults to eight zero bytes. */
export const tdesCbcEncrypt = tdes.cbcEncrypt;

/** Inverse of `tdesCbcEncrypt`. */
export const tdesCbcDecrypt = tdes.cbcDecrypt;
