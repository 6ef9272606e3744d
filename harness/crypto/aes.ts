import { cipherOnce } from './cipher-once.js';
import { DataLengthError, KeyLengthError } from './errors.js';

/** AES block size in bytes. */
export const AES_BLOCK_BYTES = 16;
/** AES-128, AES-192 and AES-256 key lengths in bytes. */
export const AES_KEY_LENGTHS: readonly number[] = [16, 24, 32];

const ZERO_IV = Buffer.alloc(AES_BLOCK_BYTES);

function run(
  encrypt: boolean,
  mode: 'ecb' | 'cbc',
  key: Uint8Array,
  data: Uint8Array,
  iv: Uint8Array | null,
): Buffer {
  if (!AES_KEY_LENGTHS.includes(key.length)) throw new KeyLengthError('AES', key.length, AES_KEY_LENGTHS);
  if (data.length % AES_BLOCK_BYTES !== 0)
    throw new DataLengthError(
      `AES-${mode.toUpperCase()} data`,
      data.length,
      'must be a multiple of 16 bytes',
    );
  if (iv !== null && iv.length !== AES_BLOCK_BYTES)
    throw new DataLengthError('AES-CBC IV', iv.length, 'must be 16 bytes');
  return cipherOnce(encrypt, `aes-${key.length * 8}-${mode}`, key, iv, data);
}

/** AES-128/192/256 (by key length) in ECB mode, no padding: `data` is whole 16-byte blocks. */
export function aesEcbEncrypt(key: Uint8Array, data: Uint8Array): Buffer {
  return run(true, 'ecb', key, data, null);
}

/** Inverse of `aesEcbEncrypt`. */
export function aesEcbDecrypt(key: Uint8Array, data: Uint8Array): Buffer {
  return run(false, 'ecb', key, data, null);
}

/** AES-128/192/256 in CBC mode, no padding; `iv` defaults to sixteen zero bytes. */
export function aesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  return run(true, 'cbc', key, data, iv);
}

/** Inverse of `aesCbcEncrypt`. */
export function aesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  return run(false, 'cbc', key, data, iv);
}
