import { DataLengthError } from './errors.js';
import { tdesEcbEncrypt } from './tdes.js';

const ZERO_BLOCK = Buffer.alloc(8);

/**
 * Key check value of a DES/TDES key: encrypt eight zero bytes under the key and keep the first
 * `bytes` bytes (3 is the usual display length; UnionPay sign-in sends 4).
 */
export function kcv(key: Uint8Array, bytes = 3): Buffer {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 8)
    throw new DataLengthError('KCV length', bytes, 'must be 1 to 8 bytes');
  return tdesEcbEncrypt(key, ZERO_BLOCK).subarray(0, bytes);
}
