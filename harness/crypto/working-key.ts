import { DataLengthError, KcvMismatchError, KeyLengthError } from './errors.js';
import { toHex } from './hex.js';
import { kcv } from './key-check-value.js';
import { TDES_KEY_LENGTHS, tdesEcbDecrypt, tdesEcbEncrypt } from './tdes.js';

/** A working key with its check value. Whether `key` is clear or encrypted depends on the call. */
export interface KeyWithCheckValue {
  readonly key: Buffer;
  readonly kcv: Buffer;
}

/** Check value length UnionPay sign-in uses in field 62 (4 bytes). */
export const WORKING_KEY_KCV_BYTES = 4;

function checkKeyLength(what: string, key: Uint8Array): void {
  if (!TDES_KEY_LENGTHS.includes(key.length)) throw new KeyLengthError(what, key.length, TDES_KEY_LENGTHS);
}

/**
 * Encrypts a working key (PIK, MAK, TDK) under a key-encrypting key (the TMK) with TDES-ECB, as the
 * host does at sign-in. Returns the encrypted key and the check value of the CLEAR key.
 */
export function encryptWorkingKey(
  kek: Uint8Array,
  clearKey: Uint8Array,
  kcvBytes = WORKING_KEY_KCV_BYTES,
): KeyWithCheckValue {
  checkKeyLength('working key', clearKey);
  return { key: tdesEcbEncrypt(kek, clearKey), kcv: kcv(clearKey, kcvBytes) };
}

/**
 * Decrypts a working key received under the KEK. With `expectedKcv` (1–8 bytes, as sent with the
 * key), the clear key's check value over that many bytes must match or `KcvMismatchError` is thrown.
 * Returns the clear key and its check value.
 */
export function decryptWorkingKey(
  kek: Uint8Array,
  encKey: Uint8Array,
  expectedKcv?: Uint8Array,
  kcvBytes = WORKING_KEY_KCV_BYTES,
): KeyWithCheckValue {
  checkKeyLength('encrypted working key', encKey);
  const clear = tdesEcbDecrypt(kek, encKey);
  if (expectedKcv === undefined) return { key: clear, kcv: kcv(clear, kcvBytes) };
  if (expectedKcv.length < 1 || expectedKcv.length > 8)
    throw new DataLengthError('expected KCV', expectedKcv.length, 'must be 1 to 8 bytes');
  const actual = kcv(clear, expectedKcv.length);
  if (!actual.equals(expectedKcv)) throw new KcvMismatchError(toHex(expectedKcv), toHex(actual));
  return { key: clear, kcv: actual };
}
