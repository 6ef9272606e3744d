/**
 * A DES/TDES key ready for repeated single-block ECB operations on the host's hot path (MAC, PIN block).
 * node:crypto's per-call `createCipheriv` costs far more than the block operation itself; ECB carries no
 * state between blocks, so one long-lived cipher and decipher per key (padding off, never finalised)
 * give the same bytes as harness/crypto's tdesEcbEncrypt/Decrypt at a fraction of the cost. The tests
 * check both against harness/crypto.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';

export class EcbKey {
  private readonly enc: Cipher;
  private readonly dec: Decipher;

  constructor(key: Uint8Array) {
    let name: string;
    let k: Buffer;
    if (key.length === 8) {
      // Single DES as two-key EDE with K‖K (OpenSSL 3 keeps plain DES in the legacy provider).
      name = 'des-ede-ecb';
      k = Buffer.concat([key, key]);
    } else if (key.length === 16) {
      name = 'des-ede-ecb';
      k = Buffer.from(key);
    } else if (key.length === 24) {
      name = 'des-ede3-ecb';
      k = Buffer.from(key);
    } else throw new RangeError(`DES/TDES key must be 8, 16 or 24 bytes, got ${key.length}`);
    this.enc = createCipheriv(name, k, null).setAutoPadding(false);
    this.dec = createDecipheriv(name, k, null).setAutoPadding(false);
  }

  /** Encrypts whole 8-byte blocks. */
  encrypt(data: Uint8Array): Buffer {
    return this.enc.update(data);
  }

  /** Decrypts whole 8-byte blocks. */
  decrypt(data: Uint8Array): Buffer {
    return this.dec.update(data);
  }
}

const HEX = '0123456789ABCDEF';

/**
 * The UnionPay POS ECB MAC (see harness/crypto/cup-mac.ts for the algorithm) with a cached key: the 8
 * ASCII bytes that field 64 carries.
 */
export function cupMacField(mak: EcbKey, data: Uint8Array, start = 0, end = data.length): Buffer {
  const acc = Buffer.alloc(8);
  for (let i = start; i < end; i++)
    acc[(i - start) & 7] = (acc[(i - start) & 7] as number) ^ (data[i] as number);
  const hex = Buffer.allocUnsafe(16);
  for (let i = 0; i < 8; i++) {
    const b = acc[i] as number;
    hex[2 * i] = HEX.charCodeAt(b >> 4);
    hex[2 * i + 1] = HEX.charCodeAt(b & 15);
  }
  const first = mak.encrypt(hex.subarray(0, 8));
  for (let i = 0; i < 8; i++) first[i] = (first[i] as number) ^ (hex[8 + i] as number);
  const second = mak.encrypt(first);
  const out = Buffer.allocUnsafe(8);
  for (let i = 0; i < 4; i++) {
    const b = second[i] as number;
    out[2 * i] = HEX.charCodeAt(b >> 4);
    out[2 * i + 1] = HEX.charCodeAt(b & 15);
  }
  return out;
}

/** Cache of EcbKey per key buffer (working keys live as long as their sign-in session). */
export class EcbKeyCache {
  private readonly keys = new WeakMap<Buffer, EcbKey>();

  get(key: Buffer): EcbKey {
    let k = this.keys.get(key);
    if (!k) this.keys.set(key, (k = new EcbKey(key)));
    return k;
  }
}
