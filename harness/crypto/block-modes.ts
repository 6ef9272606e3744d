import { createCipheriv, createDecipheriv } from 'node:crypto';
import { DataLengthError } from './errors.js';

/** The two block-cipher modes the payment functions use, both without padding. */
export type BlockMode = 'ecb' | 'cbc';

/** A node:crypto block cipher as the ECB/CBC functions of `blockModes` see it. */
export interface BlockCipher {
  /** The cipher's name in error messages (`AES`, `TDES`). */
  readonly label: string;
  /** Block size in bytes: data is whole blocks, the IV one block. */
  readonly blockBytes: number;
  /**
   * The node:crypto algorithm name and key for `key` in `mode`; throws KeyLengthError for a key length
   * the cipher does not take.
   */
  resolve(key: Uint8Array, mode: BlockMode): { algorithm: string; key: Uint8Array };
}

/** ECB and CBC encryption and decryption of whole blocks under one cipher; the IV defaults to zeros. */
export interface BlockModes {
  readonly ecbEncrypt: (key: Uint8Array, data: Uint8Array) => Buffer;
  readonly ecbDecrypt: (key: Uint8Array, data: Uint8Array) => Buffer;
  readonly cbcEncrypt: (key: Uint8Array, data: Uint8Array, iv?: Uint8Array) => Buffer;
  readonly cbcDecrypt: (key: Uint8Array, data: Uint8Array, iv?: Uint8Array) => Buffer;
}

/**
 * The ECB/CBC functions of `cipher`: each checks the key (through `resolve`), that the data is whole
 * blocks and that an IV is one block (KeyLengthError, DataLengthError), then makes one node:crypto pass.
 */
export function blockModes(cipher: BlockCipher): BlockModes {
  const { label, blockBytes } = cipher;
  const zeroIv = Buffer.alloc(blockBytes);
  const run = (
    encrypt: boolean,
    mode: BlockMode,
    key: Uint8Array,
    data: Uint8Array,
    iv: Uint8Array | null,
  ): Buffer => {
    const c = cipher.resolve(key, mode);
    if (data.length % blockBytes !== 0)
      throw new DataLengthError(
        `${label}-${mode.toUpperCase()} data`,
        data.length,
        `must be a multiple of ${blockBytes} bytes`,
      );
    if (iv !== null && iv.length !== blockBytes)
      throw new DataLengthError(`${label}-CBC IV`, iv.length, `must be ${blockBytes} bytes`);
    const pass = encrypt ? createCipheriv(c.algorithm, c.key, iv) : createDecipheriv(c.algorithm, c.key, iv);
    pass.setAutoPadding(false);
    const head = pass.update(data);
    const tail = pass.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  };
  return {
    ecbEncrypt: (key, data) => run(true, 'ecb', key, data, null),
    ecbDecrypt: (key, data) => run(false, 'ecb', key, data, null),
    cbcEncrypt: (key, data, iv = zeroIv) => run(true, 'cbc', key, data, iv),
    cbcDecrypt: (key, data, iv = zeroIv) => run(false, 'cbc', key, data, iv),
  };
}
