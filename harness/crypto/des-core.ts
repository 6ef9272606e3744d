/**
 * The DES block cipher in JavaScript (FIPS 46-3), for code that encrypts a block or two at a time
 * under a key it holds (a host's session keys, a terminal's MAC): a call into node:crypto costs more than
 * the DES work on one block, and Node's OpenSSL 3 has no single DES at all (it is in the legacy provider).
 * Bulk work and one-off calls stay with node:crypto (tdes.ts); tdes-key.ts builds TDES on this core.
 *
 * The tables below are the standard's (bit numbers counted from 1 at the most significant bit). At load
 * they are turned into lookup tables: the initial and final permutations per input byte, and per S-box
 * the 64 outputs already sent through the permutation P ("SP" tables), so a round is eight lookups.
 * A key schedule stores each round's 48-bit subkey as eight 6-bit groups, each pre-ORed with its S-box
 * number × 64 so that (expanded group ⊕ subkey group) indexes the one 512-entry SP table directly.
 */

/** Initial permutation IP: output bit i comes from input bit IP[i]. */
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40,
  32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5,
  63, 55, 47, 39, 31, 23, 15, 7,
];
/** Permuted choice 1: the 56 key bits (parity bits dropped) that form C0 ‖ D0. */
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
/** Permuted choice 2: the 48 bits of Cn ‖ Dn that form subkey Kn. */
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47,
  55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
/** Left rotations of C and D before each of the 16 rounds. */
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
/** The permutation P applied to the S-box outputs. */
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22,
  11, 4, 25,
];
/** S1…S8, each four rows of 16 (row = outer bits b1b6, column = inner bits b2…b5). */
const S = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3,
    8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6,
    13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11,
    5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5,
    14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15,
    1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2,
    12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14,
    9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2,
    14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8,
    6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4,
    5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3,
    8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8,
    13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8,
    6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3,
    12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9,
    2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6,
    11,
  ],
];

/** Bit `n` (1 = most significant) of a 32-bit word as a mask. */
function bit32(n: number): number {
  return 1 << (32 - n);
}

/**
 * SP[box × 64 + v]: P applied to S-box `box`'s output for the 6-bit input v (b1 the most significant),
 * placed at the box's four bits of the 32-bit S output.
 */
const SP = new Int32Array(512);
for (let box = 0; box < 8; box++) {
  for (let v = 0; v < 64; v++) {
    const row = ((v >> 4) & 2) | (v & 1);
    const col = (v >> 1) & 15;
    const s = S[box]![row * 16 + col]! << (28 - 4 * box);
    let out = 0;
    for (let i = 0; i < 32; i++) if (s & bit32(P[i]!)) out |= bit32(i + 1);
    SP[box * 64 + v] = out;
  }
}

/**
 * A 64-bit permutation as lookup tables per input byte: for input byte b with value v, the output bits
 * it sets, as the high (bits 1–32) and low (33–64) words. `table[i]` is the input bit of output bit i+1.
 */
function byteTables(table: readonly number[]): { hi: Int32Array; lo: Int32Array } {
  const hi = new Int32Array(8 * 256);
  const lo = new Int32Array(8 * 256);
  for (let out = 1; out <= 64; out++) {
    const input = table[out - 1]! - 1;
    const b = input >> 3;
    const mask = 0x80 >> (input & 7);
    for (let v = 0; v < 256; v++) {
      if ((v & mask) === 0) continue;
      if (out <= 32) hi[b * 256 + v]! |= bit32(out);
      else lo[b * 256 + v]! |= bit32(out - 32);
    }
  }
  return { hi, lo };
}

/** Final permutation: the inverse of IP. */
const FP = new Array<number>(64);
for (let i = 0; i < 64; i++) FP[IP[i]! - 1] = i + 1;
const ipTables = byteTables(IP);
const fpTables = byteTables(FP);

/**
 * PC1 per key byte: for key byte b with value v, the bits it sets in C0 (28 bits, C's bit 1 at bit 27
 * of the integer) and in D0. Parity bits are in no entry.
 */
const pc1C = new Int32Array(8 * 256);
const pc1D = new Int32Array(8 * 256);
for (let i = 0; i < 56; i++) {
  const input = PC1[i]! - 1;
  const b = input >> 3;
  const mask = 0x80 >> (input & 7);
  const table = i < 28 ? pc1C : pc1D;
  const bit = 1 << (27 - (i % 28));
  for (let v = 0; v < 256; v++) if (v & mask) table[b * 256 + v] = table[b * 256 + v]! | bit;
}

/**
 * PC2 per 7-bit chunk: the first 24 subkey bits all come from C, the last 24 from D. For chunk q
 * (bits 7q+1 … 7q+7 of C or D) with value v, the subkey bits it sets, as 24 bits (groups of 6).
 */
const pc2C = new Int32Array(4 * 128);
const pc2D = new Int32Array(4 * 128);
for (let j = 0; j < 48; j++) {
  const from = (j < 24 ? PC2[j]! : PC2[j]! - 28) - 1;
  const q = Math.floor(from / 7);
  const mask = 0x40 >> (from % 7);
  const table = j < 24 ? pc2C : pc2D;
  const bit = 1 << (23 - (j % 24));
  for (let v = 0; v < 128; v++) if (v & mask) table[q * 128 + v] = table[q * 128 + v]! | bit;
}

/** A DES key's subkeys in encryption order (`enc`) and decryption order (`dec`): 16 × 8 groups each. */
export interface DesSchedule {
  readonly enc: Int32Array;
  readonly dec: Int32Array;
}

/** The key schedule of the 8-byte DES key at `key[offset, offset + 8)` (parity bits are ignored). */
export function desSchedule(key: Uint8Array, offset = 0): DesSchedule {
  let c = 0;
  let d = 0;
  for (let b = 0; b < 8; b++) {
    const i = b * 256 + key[offset + b]!;
    c |= pc1C[i]!;
    d |= pc1D[i]!;
  }
  const enc = new Int32Array(128);
  const dec = new Int32Array(128);
  for (let round = 0; round < 16; round++) {
    const s = SHIFTS[round]!;
    c = ((c << s) | (c >>> (28 - s))) & 0xfffffff;
    d = ((d << s) | (d >>> (28 - s))) & 0xfffffff;
    const kc =
      pc2C[c >>> 21]! |
      pc2C[128 + ((c >>> 14) & 127)]! |
      pc2C[256 + ((c >>> 7) & 127)]! |
      pc2C[384 + (c & 127)]!;
    const kd =
      pc2D[d >>> 21]! |
      pc2D[128 + ((d >>> 14) & 127)]! |
      pc2D[256 + ((d >>> 7) & 127)]! |
      pc2D[384 + (d & 127)]!;
    for (let g = 0; g < 4; g++) {
      const shift = 18 - 6 * g;
      // Each group pre-ORed with its S-box number × 64 (see the SP table).
      enc[round * 8 + g] = ((kc >>> shift) & 63) | (g << 6);
      enc[round * 8 + 4 + g] = ((kd >>> shift) & 63) | ((4 + g) << 6);
    }
    dec.set(enc.subarray(round * 8, round * 8 + 8), (15 - round) * 8);
  }
  return { enc, dec };
}

/** The halves of the block being worked on (between IP and FP). */
let left = 0;
let right = 0;

/**
 * The 16 rounds under one schedule, then the swap: (L0, R0) → (R16, L16). Between two DES operations
 * FP followed by IP is the identity, so TDES runs its three passes on the halves with no permutation between.
 */
function rounds(k: Int32Array): void {
  let l = left;
  let r = right;
  for (let o = 0; o < 128; o += 8) {
    // E(R) in eight 6-bit groups: group g is bits 4g … 4g+5 of R, wrapping around (bit 0 = bit 32).
    const f =
      SP[(((r & 1) << 5) | (r >>> 27)) ^ k[o]!]! |
      SP[((r >>> 23) & 63) ^ k[o + 1]!]! |
      SP[((r >>> 19) & 63) ^ k[o + 2]!]! |
      SP[((r >>> 15) & 63) ^ k[o + 3]!]! |
      SP[((r >>> 11) & 63) ^ k[o + 4]!]! |
      SP[((r >>> 7) & 63) ^ k[o + 5]!]! |
      SP[((r >>> 3) & 63) ^ k[o + 6]!]! |
      SP[(((r & 31) << 1) | (r >>> 31)) ^ k[o + 7]!]!;
    const t = l ^ f;
    l = r;
    r = t;
  }
  left = r;
  right = l;
}

/**
 * DES (one schedule) or TDES (three, applied in order: e.g. K1.enc, K2.dec, K3.enc for EDE encryption)
 * of the block at `src[srcOff, srcOff + 8)` into `dst[dstOff, dstOff + 8)` (may be the same bytes).
 */
export function desCryptBlock(
  passes: readonly Int32Array[],
  src: Uint8Array,
  srcOff: number,
  dst: Uint8Array,
  dstOff: number,
): void {
  const { hi: ih, lo: il } = ipTables;
  let h = 0;
  let l = 0;
  for (let b = 0; b < 8; b++) {
    const i = b * 256 + src[srcOff + b]!;
    h |= ih[i]!;
    l |= il[i]!;
  }
  left = h;
  right = l;
  for (let p = 0; p < passes.length; p++) rounds(passes[p]!);
  const { hi: fh, lo: fl } = fpTables;
  const x = left;
  const y = right;
  h = fh[x >>> 24]! | fh[256 + ((x >>> 16) & 255)]! | fh[512 + ((x >>> 8) & 255)]! | fh[768 + (x & 255)]!;
  h |=
    fh[1024 + (y >>> 24)]! |
    fh[1280 + ((y >>> 16) & 255)]! |
    fh[1536 + ((y >>> 8) & 255)]! |
    fh[1792 + (y & 255)]!;
  l = fl[x >>> 24]! | fl[256 + ((x >>> 16) & 255)]! | fl[512 + ((x >>> 8) & 255)]! | fl[768 + (x & 255)]!;
  l |=
    fl[1024 + (y >>> 24)]! |
    fl[1280 + ((y >>> 16) & 255)]! |
    fl[1536 + ((y >>> 8) & 255)]! |
    fl[1792 + (y & 255)]!;
  dst[dstOff] = h >>> 24;
  dst[dstOff + 1] = h >>> 16;
  dst[dstOff + 2] = h >>> 8;
  dst[dstOff + 3] = h;
  dst[dstOff + 4] = l >>> 24;
  dst[dstOff + 5] = l >>> 16;
  dst[dstOff + 6] = l >>> 8;
  dst[dstOff + 7] = l;
}
