import { CryptoParameterError, KeyLengthError } from './errors.js';
import { DES_BLOCK_BYTES, tdesCbcEncrypt, tdesEcbEncrypt, TDES_KEY_LENGTHS } from './tdes.js';

/**
 * ISO/IEC 9797-1 MACs over the DES block cipher, and the ANSI names for them:
 *
 * - algorithm 1 (CBC-MAC, zero IV, output = last block): ANSI X9.9 when the cipher is single DES;
 * - algorithm 3 ("retail MAC", two keys K‖K′): CBC-MAC under K, then decrypt with K′ and encrypt
 *   with K on the last block — ANSI X9.19. EMV application cryptograms use it (EMV Book 2 A1.2).
 *
 * Padding method 1 appends zero bytes up to a whole block (an empty message becomes one zero block);
 * method 2 appends 0x80 and then zero bytes, always. All functions return the full 8-byte MAC;
 * truncation (4 bytes for ARPC method 2, 8 hex digits…) is up to the caller.
 */
export type MacPadding = 1 | 2;

/** ISO/IEC 9797-1 padding method 1 or 2 to a multiple of `block` bytes. */
export function padIso9797(data: Uint8Array, method: MacPadding, block = DES_BLOCK_BYTES): Buffer {
  if (method === 1) {
    const rem = data.length % block;
    if (data.length !== 0 && rem === 0) return Buffer.from(data);
    const out = Buffer.alloc(data.length === 0 ? block : data.length + block - rem);
    out.set(data);
    return out;
  }
  if (method === 2) {
    const out = Buffer.alloc(data.length + block - (data.length % block));
    out.set(data);
    out[data.length] = 0x80;
    return out;
  }
  throw new CryptoParameterError('ISO 9797-1 padding method', `must be 1 or 2, got ${String(method)}`);
}

function lastBlock(b: Buffer): Buffer {
  return b.subarray(b.length - DES_BLOCK_BYTES);
}

/**
 * ISO/IEC 9797-1 MAC algorithm 1: CBC-MAC with the whole key as the block cipher key (8 bytes =
 * single DES, 16/24 bytes = TDES). Returns 8 bytes.
 */
export function macIso9797Alg1(key: Uint8Array, data: Uint8Array, padding: MacPadding = 1): Buffer {
  if (!TDES_KEY_LENGTHS.includes(key.length))
    throw new KeyLengthError('ISO 9797-1 MAC algorithm 1', key.length, TDES_KEY_LENGTHS);
  return Buffer.from(lastBlock(tdesCbcEncrypt(key, padIso9797(data, padding))));
}

/**
 * ISO/IEC 9797-1 MAC algorithm 3 with a 16-byte key K‖K′ (ANSI X9.19 retail MAC). Returns 8 bytes.
 * The final D_K′ then E_K on the last chained block equals one two-key TDES encryption, so the last
 * block goes through TDES-ECB under K‖K′ after single-DES CBC over the blocks before it.
 */
export function macIso9797Alg3(key: Uint8Array, data: Uint8Array, padding: MacPadding = 1): Buffer {
  if (key.length !== 16) throw new KeyLengthError('ISO 9797-1 MAC algorithm 3', key.length, [16]);
  const padded = padIso9797(data, padding);
  const k1 = key.subarray(0, 8);
  const last = Buffer.from(lastBlock(padded));
  if (padded.length > DES_BLOCK_BYTES) {
    const chained = lastBlock(tdesCbcEncrypt(k1, padded.subarray(0, padded.length - DES_BLOCK_BYTES)));
    for (let i = 0; i < DES_BLOCK_BYTES; i++) last[i] = (last[i] as number) ^ (chained[i] as number);
  }
  return tdesEcbEncrypt(key, last);
}

/** ANSI X9.9 MAC: single-DES CBC-MAC (ISO 9797-1 algorithm 1), zero padding, 8-byte key. */
export function macX99(key: Uint8Array, data: Uint8Array): Buffer {
  if (key.length !== 8) throw new KeyLengthError('ANSI X9.9 MAC', key.length, [8]);
  return macIso9797Alg1(key, data, 1);
}

/** ANSI X9.19 retail MAC: ISO 9797-1 algorithm 3, 16-byte key, padding method 1 unless told. */
export function macX919(key: Uint8Array, data: Uint8Array, padding: MacPadding = 1): Buffer {
  if (key.length !== 16) throw new KeyLengthError('ANSI X9.19 MAC', key.length, [16]);
  return macIso9797Alg3(key, data, padding);
}
