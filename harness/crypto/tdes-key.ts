import { desCryptBlock, desSchedule } from './des-core.js';
import { DataLengthError, KeyLengthError } from './errors.js';
import { DES_BLOCK_BYTES, TDES_KEY_LENGTHS } from './tdes.js';

/**
 * A DES/TDES key held for many calls (a host's session keys, a MAC over many messages): the key schedule
 * is computed once and every block runs through the JavaScript DES core (des-core.ts), with no call into
 * node:crypto, which costs more than the DES work on a block or two. The bytes are those of `tdesEcbEncrypt`,
 * `tdesEcbDecrypt` and `tdesCbcEncrypt` (zero IV) for the same key and data.
 *
 * Keying as in tdes.ts: 8 bytes = single DES (the same permutation as two-key EDE with K‖K, at a third of
 * the work), 16 bytes = two-key EDE (K1, K2, K1), 24 bytes = three-key EDE. Every call is synchronous and
 * keeps no state between calls.
 */
export class TdesKey {
  /** Key length in bytes as given (8, 16 or 24). */
  readonly length: number;
  /** The DES passes of one block's encryption and of its decryption, in order. */
  private readonly encPasses: Int32Array[];
  private readonly decPasses: Int32Array[];

  /** @throws KeyLengthError unless the key is 8, 16 or 24 bytes. */
  constructor(key: Uint8Array) {
    if (!TDES_KEY_LENGTHS.includes(key.length))
      throw new KeyLengthError('TDES', key.length, TDES_KEY_LENGTHS);
    this.length = key.length;
    const k1 = desSchedule(key, 0);
    if (key.length === 8) {
      this.encPasses = [k1.enc];
      this.decPasses = [k1.dec];
    } else {
      const k2 = desSchedule(key, 8);
      const k3 = key.length === 24 ? desSchedule(key, 16) : k1;
      this.encPasses = [k1.enc, k2.dec, k3.enc];
      this.decPasses = [k3.dec, k2.enc, k1.dec];
    }
  }

  /** Encrypts the block at `src[srcOff, +8)` into `dst[dstOff, +8)` (may overlap exactly). */
  encryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
    desCryptBlock(this.encPasses, src, srcOff, dst, dstOff);
  }

  /** Decrypts the block at `src[srcOff, +8)` into `dst[dstOff, +8)` (may overlap exactly). */
  decryptBlock(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number): void {
    desCryptBlock(this.decPasses, src, srcOff, dst, dstOff);
  }

  /** ECB encryption of whole 8-byte blocks. @throws DataLengthError otherwise */
  encrypt(data: Uint8Array): Buffer {
    wholeBlocks('TDES-ECB data', data);
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i += DES_BLOCK_BYTES) this.encryptBlock(data, i, out, i);
    return out;
  }

  /** ECB decryption of whole 8-byte blocks. @throws DataLengthError otherwise */
  decrypt(data: Uint8Array): Buffer {
    wholeBlocks('TDES-ECB data', data);
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i += DES_BLOCK_BYTES) this.decryptBlock(data, i, out, i);
    return out;
  }

  /** CBC encryption with a zero IV of whole 8-byte blocks. @throws DataLengthError unless whole blocks (≥ 1) */
  encryptCbc(data: Uint8Array): Buffer {
    if (data.length === 0) throw new DataLengthError('TDES-CBC data', 0, 'must be at least one block');
    wholeBlocks('TDES-CBC data', data);
    const out = Buffer.from(data);
    for (let i = 0; i < out.length; i += DES_BLOCK_BYTES) {
      if (i > 0) for (let j = 0; j < DES_BLOCK_BYTES; j++) out[i + j] = out[i + j]! ^ out[i - 8 + j]!;
      this.encryptBlock(out, i, out, i);
    }
    return out;
  }
}

function wholeBlocks(what: string, data: Uint8Array): void {
  if (data.length % DES_BLOCK_BYTES !== 0)
    throw new DataLengthError(what, data.length, 'must be a multiple of 8 bytes');
}
