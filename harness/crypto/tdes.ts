import { cipherOnce } from './cipher-once.js';
import { DataLengthError, KeyLengthError } from './errors.js';

/** DES block size in bytes. */
export const DES_BLOCK_BYTES = 8;
/** Key lengths the TDES functions take: single (8, as K‖K), double (16) and triple (24) length. */
export const TDES_KEY_LENGTHS: readonly number[] = [8, 16, 24];

const ZERO_IV = Buffer.alloc(DES_BLOCK_BYTES);

/**
 * OpenSSL 3 keeps single DES in the legacy provider, which Node does not load; two-key EDE with K‖K
 * is the same permutation (E_K ∘ D_K ∘ E_K = E_K), so a single-length key runs as `des-ede` K‖K.
 */
function cipherFor(key: Uint8Array, mode: 'ecb' | 'cbc'): { name: string; key: Buffer } {
  switch (key.length) {
    case 8: {
      const k = Buffer.from(key);
      return { name: `des-ede-${mode}`, key: Buffer.concat([k, k]) };
    }
    case 16:
      return { name: mode === 'ecb' ? 'des-ede-ecb' : 'des-ede-cbc', key: Buffer.from(key) };
    case 24:
      return { name: mode === 'ecb' ? 'des-ede3-ecb' : 'des-ede3-cbc', key: Buffer.from(key) };
    default:
      throw new KeyLengthError('TDES', key.length, TDES_KEY_LENGTHS);
  }
}

function checkData(what: string, data: Uint8Array): void {
  if (data.length % DES_BLOCK_BYTES !== 0)
    throw new DataLengthError(what, data.length, 'must be a multiple of 8 bytes');
}

function run(
  encrypt: boolean,
  mode: 'ecb' | 'cbc',
  key: Uint8Array,
  data: Uint8Array,
  iv: Uint8Array | null,
): Buffer {
  const c = cipherFor(key, mode);
  checkData(`TDES-${mode.toUpperCase()} data`, data);
  if (iv !== null && iv.length !== DES_BLOCK_BYTES)
    throw new DataLengthError('TDES-CBC IV', iv.length, 'must be 8 bytes');
  return cipherOnce(encrypt, c.name, c.key, iv, data);
}

/** TDES (or single DES for an 8-byte key) in ECB mode, no padding: `data` is whole 8-byte blocks. */
export function tdesEcbEncrypt(key: Uint8Array, data: Uint8Array): Buffer {
  return run(true, 'ecb', key, data, null);
}

/** Inverse of `tdesEcbEncrypt`. */
export function tdesEcbDecrypt(key: Uint8Array, data: Uint8Array): Buffer {
  return run(false, 'ecb', key, data, null);
}

/** TDES (or single DES) in CBC mode, no padding; `iv` defaults to eight zero bytes. */
export function tdesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  return run(true, 'cbc', key, data, iv);
}

/** Inverse of `tdesCbcEncrypt`. */
export function tdesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  return run(false, 'cbc', key, data, iv);
}
