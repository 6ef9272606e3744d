/**
 * A DES/TDES key ready for repeated single-block ECB operations on the host's hot path (MAC, PIN block).
 * node:crypto's per-call `createCipheriv` costs far more than the block operation itself; ECB carries no
 * state between blocks, so one long-lived cipher and decipher per key (padding off, never finalised)
 * give the same bytes as harness/crypto's tdesEcbEncrypt/Decrypt at a fraction of the cost. The tests
 * check both against harness/crypto.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';

export class EcbKey {
  private readonly name: string;
  private readonly key: Buffer;
  private readonly enc: Cipher;
  private readonly dec: Decipher;
  /** CBC encryptor (zero IV), made on first use; `chain` is its last ciphertext block. */
  private cbc: Cipher | undefined;
  private readonly chain = Buffer.alloc(8);
  /** Input of a two-block CBC call (the CUP MAC), reused. */
  private readonly scratch = Buffer.alloc(16);

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
    this.name = name;
    this.key = k;
    this.enc = createCipheriv(name, k, null).setAutoPadding(false);
    this.dec = createDecipheriv(name, k, null).setAutoPadding(false);
  }

  /**
   * TDES-CBC encryption with a zero IV of whole 8-byte blocks, as a fresh cipher would give, from one
   * long-lived cipher: CBC carries its last ciphertext block into the next call, so the first block of
   * each call is XORed with it beforehand, which cancels the chaining (E(P ⊕ C ⊕ C) = E(P)).
   */
  encryptCbc(data: Uint8Array): Buffer {
    if (data.length === 0 || data.length % 8 !== 0)
      throw new RangeError(`CBC data must be whole 8-byte blocks, got ${data.length} bytes`);
    this.cbc ??= createCipheriv(this.name.replace('-ecb', '-cbc'), this.key, Buffer.alloc(8)).setAutoPadding(
      false,
    );
    const input = data.length === 16 ? this.scratch : Buffer.allocUnsafe(data.length);
    input.set(data);
    const chain = this.chain;
    for (let i = 0; i < 8; i++) input[i] = input[i]! ^ chain[i]!;
    const out = this.cbc.update(input);
    out.copy(chain, 0, out.length - 8);
    return out;
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

const HEX_CODES = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
/** Scratch for the 16 hex characters of the XOR of the blocks (the MAC is synchronous). */
const macHex = Buffer.alloc(16);

/** The block cipher part of the CUP MAC: the first 4 bytes of the result are the MAC. */
function cupMacBlock(mak: EcbKey, data: Uint8Array, start: number, end: number): Buffer {
  // XOR of the 8-byte blocks (the last one zero-padded), kept in eight locals.
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let a4 = 0;
  let a5 = 0;
  let a6 = 0;
  let a7 = 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    a0 ^= data[i]!;
    a1 ^= data[i + 1]!;
    a2 ^= data[i + 2]!;
    a3 ^= data[i + 3]!;
    a4 ^= data[i + 4]!;
    a5 ^= data[i + 5]!;
    a6 ^= data[i + 6]!;
    a7 ^= data[i + 7]!;
  }
  const rest = end - i;
  if (rest > 0) a0 ^= data[i]!;
  if (rest > 1) a1 ^= data[i + 1]!;
  if (rest > 2) a2 ^= data[i + 2]!;
  if (rest > 3) a3 ^= data[i + 3]!;
  if (rest > 4) a4 ^= data[i + 4]!;
  if (rest > 5) a5 ^= data[i + 5]!;
  if (rest > 6) a6 ^= data[i + 6]!;
  const h = macHex;
  h[0] = HEX_CODES[a0 >> 4]!;
  h[1] = HEX_CODES[a0 & 15]!;
  h[2] = HEX_CODES[a1 >> 4]!;
  h[3] = HEX_CODES[a1 & 15]!;
  h[4] = HEX_CODES[a2 >> 4]!;
  h[5] = HEX_CODES[a2 & 15]!;
  h[6] = HEX_CODES[a3 >> 4]!;
  h[7] = HEX_CODES[a3 & 15]!;
  h[8] = HEX_CODES[a4 >> 4]!;
  h[9] = HEX_CODES[a4 & 15]!;
  h[10] = HEX_CODES[a5 >> 4]!;
  h[11] = HEX_CODES[a5 & 15]!;
  h[12] = HEX_CODES[a6 >> 4]!;
  h[13] = HEX_CODES[a6 & 15]!;
  h[14] = HEX_CODES[a7 >> 4]!;
  h[15] = HEX_CODES[a7 & 15]!;
  // E(E(H1) ⊕ H2) is the second block of CBC over H1 ‖ H2 with a zero IV: one cipher call, not two.
  return mak.encryptCbc(h).subarray(8, 16);
}

/**
 * The UnionPay POS ECB MAC (see harness/crypto/cup-mac.ts for the algorithm) with a cached key: the 8
 * ASCII bytes that field 64 carries.
 */
export function cupMacField(mak: EcbKey, data: Uint8Array, start = 0, end = data.length): Buffer {
  const out = Buffer.allocUnsafe(8);
  cupMacInto(mak, data, start, end, out, 0);
  return out;
}

/** cupMacField written straight into `target` at `at` (8 bytes), e.g. the MAC field of the frame itself. */
export function cupMacInto(
  mak: EcbKey,
  data: Uint8Array,
  start: number,
  end: number,
  target: Uint8Array,
  at: number,
): void {
  const second = cupMacBlock(mak, data, start, end);
  for (let j = 0; j < 4; j++) {
    const b = second[j]!;
    target[at + 2 * j] = HEX_CODES[b >> 4]!;
    target[at + 2 * j + 1] = HEX_CODES[b & 15]!;
  }
}

/** Value of an ASCII hex digit (either case), or -1. */
function nibble(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * Whether `expected` — field 64 as decoded: the 8 MAC bytes as 16 hex digits, either case — is the CUP
 * ECB MAC of `data[start, end)` under `mak`. Compares without building the MAC's text.
 */
export function cupMacMatches(
  mak: EcbKey,
  data: Uint8Array,
  start: number,
  end: number,
  expected: string,
): boolean {
  if (expected.length !== 16) return false;
  const second = cupMacBlock(mak, data, start, end);
  for (let j = 0; j < 8; j++) {
    const b = second[j >> 1]!;
    const ascii = HEX_CODES[j & 1 ? b & 15 : b >> 4]!;
    const hi = nibble(expected.charCodeAt(2 * j));
    const lo = nibble(expected.charCodeAt(2 * j + 1));
    if (hi < 0 || lo < 0 || ((hi << 4) | lo) !== ascii) return false;
  }
  return true;
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
