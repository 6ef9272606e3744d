import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { DataLengthError, KeyLengthError } from './errors.js';
import { DES_BLOCK_BYTES, TDES_KEY_LENGTHS } from './tdes.js';

const ZERO_IV = Buffer.alloc(DES_BLOCK_BYTES);

/**
 * A DES/TDES key kept as long-lived node:crypto ciphers (padding off, never finalised), for code that
 * uses one key many times: a host's session keys, a MAC over many messages. `tdesEcbEncrypt` and
 * friends create a cipher per call, which costs far more than the block operation; here each cipher is
 * created once, on first use, and every call is one `update`. The bytes are those of `tdesEcbEncrypt`,
 * `tdesEcbDecrypt` and `tdesCbcEncrypt` (zero IV) for the same key and data.
 *
 * Single-length keys run as two-key EDE with K‖K, as in tdes.ts. Every call is synchronous and takes
 * whole blocks only, so no partial block is ever left inside a cipher: callers may share one key freely.
 */
export class TdesKey {
  /** Key length in bytes as given (8, 16 or 24). */
  readonly length: number;
  private readonly algorithm: 'des-ede' | 'des-ede3';
  private readonly key: Buffer;
  private enc: Cipher | undefined;
  private dec: Decipher | undefined;
  private cbc: Cipher | undefined;
  /** The CBC cipher's last ciphertext block: the chaining value its next call starts from. */
  private readonly chain = Buffer.alloc(DES_BLOCK_BYTES);
  /** Input of a two-block CBC call (the UnionPay MAC), reused. */
  private readonly scratch = Buffer.alloc(2 * DES_BLOCK_BYTES);

  /** @throws KeyLengthError unless the key is 8, 16 or 24 bytes. */
  constructor(key: Uint8Array) {
    if (!TDES_KEY_LENGTHS.includes(key.length))
      throw new KeyLengthError('TDES', key.length, TDES_KEY_LENGTHS);
    this.length = key.length;
    this.algorithm = key.length === 24 ? 'des-ede3' : 'des-ede';
    this.key = key.length === 8 ? Buffer.concat([key, key]) : Buffer.from(key);
  }

  /** ECB encryption of whole 8-byte blocks. @throws DataLengthError otherwise */
  encrypt(data: Uint8Array): Buffer {
    wholeBlocks('TDES-ECB data', data);
    this.enc ??= createCipheriv(`${this.algorithm}-ecb`, this.key, null).setAutoPadding(false);
    return this.enc.update(data);
  }

  /** ECB decryption of whole 8-byte blocks. @throws DataLengthError otherwise */
  decrypt(data: Uint8Array): Buffer {
    wholeBlocks('TDES-ECB data', data);
    this.dec ??= createDecipheriv(`${this.algorithm}-ecb`, this.key, null).setAutoPadding(false);
    return this.dec.update(data);
  }

  /**
   * CBC encryption with a zero IV of whole 8-byte blocks, as a fresh cipher would give. One long-lived
   * CBC cipher carries its last ciphertext block C into the next call; XORing C into the first block
   * beforehand cancels that (E(P ⊕ C ⊕ C) = E(P)). @throws DataLengthError unless whole blocks (≥ 1)
   */
  encryptCbc(data: Uint8Array): Buffer {
    if (data.length === 0) throw new DataLengthError('TDES-CBC data', 0, 'must be at least one block');
    wholeBlocks('TDES-CBC data', data);
    this.cbc ??= createCipheriv(`${this.algorithm}-cbc`, this.key, ZERO_IV).setAutoPadding(false);
    const input = data.length === 2 * DES_BLOCK_BYTES ? this.scratch : Buffer.allocUnsafe(data.length);
    input.set(data);
    const chain = this.chain;
    for (let i = 0; i < DES_BLOCK_BYTES; i++) input[i] = input[i]! ^ chain[i]!;
    const out = this.cbc.update(input);
    out.copy(chain, 0, out.length - DES_BLOCK_BYTES);
    return out;
  }
}

function wholeBlocks(what: string, data: Uint8Array): void {
  if (data.length % DES_BLOCK_BYTES !== 0)
    throw new DataLengthError(what, data.length, 'must be a multiple of 8 bytes');
}
