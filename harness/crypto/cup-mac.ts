import { TDES_KEY_LENGTHS } from './tdes.js';
import { TdesKey } from './tdes-key.js';
import { KeyLengthError } from './errors.js';

/**
 * The UnionPay POS "ECB" MAC (银联 POS 终端 MAC, field 64), over the MAC element block (MAB: the
 * message from the MTI to field 63):
 *
 * 1. split the MAB into 8-byte blocks, the last one padded with 0x00, and XOR them all together;
 * 2. write the 8-byte result as 16 upper-case hex characters (16 ASCII bytes);
 * 3. encrypt the first 8 characters with the MAK;
 * 4. XOR the result with the last 8 characters;
 * 5. encrypt that with the MAK;
 * 6. write the result as 16 hex characters and keep the first 8: that is the MAC, and its 8 ASCII
 *    bytes are what goes in field 64.
 *
 * The MAK is single length (8 bytes, DES) or double/triple length (TDES), whichever the host issued.
 *
 * Two ways in: with the key as bytes (`macCupEcb`, `macCupEcbField`), or with a `TdesKey` that
 * keeps its cipher between calls (`cupMacField`, `cupMacInto`, `cupMacMatches`: a host or terminal
 * MACing many messages under one session key, straight from and into frame buffers).
 */

const HEX_CODES = Uint8Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
/** Steps 1–2 land here, steps 3–5 in `macOut` (the MAC is synchronous, so one scratch serves every call). */
const macHex = Buffer.alloc(16);
const macOut = Buffer.alloc(8);

/** Steps 1–5 over `data[start, end)`: the first 4 bytes of the result are the MAC. */
function cupMacBlock(mak: TdesKey, data: Uint8Array, start: number, end: number): Buffer {
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
  const out = macOut;
  mak.encryptBlock(h, 0, out, 0);
  for (let j = 0; j < 8; j++) out[j] = out[j]! ^ h[8 + j]!;
  mak.encryptBlock(out, 0, out, 0);
  return out;
}

/**
 * The MAC of `data[start, end)` under `mak` written into `target` at `at`: the 8 ASCII bytes field 64
 * carries (e.g. straight into the MAC field of the frame being sent).
 */
export function cupMacInto(
  mak: TdesKey,
  data: Uint8Array,
  start: number,
  end: number,
  target: Uint8Array,
  at: number,
): void {
  const out = cupMacBlock(mak, data, start, end);
  for (let j = 0; j < 4; j++) {
    const b = out[j]!;
    target[at + 2 * j] = HEX_CODES[b >> 4]!;
    target[at + 2 * j + 1] = HEX_CODES[b & 15]!;
  }
}

/** The MAC of `data[start, end)` under `mak` as the 8 ASCII bytes field 64 carries. */
export function cupMacField(mak: TdesKey, data: Uint8Array, start = 0, end = data.length): Buffer {
  const out = Buffer.allocUnsafe(8);
  cupMacInto(mak, data, start, end, out, 0);
  return out;
}

/** Value of an ASCII hex digit (either case), or -1. */
function nibble(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * Whether `expected` — field 64 as decoded: its 8 ASCII bytes as 16 hex digits, either case — is the
 * MAC of `data[start, end)` under `mak`. Compares without building the MAC's text.
 */
export function cupMacMatches(
  mak: TdesKey,
  data: Uint8Array,
  start: number,
  end: number,
  expected: string,
): boolean {
  if (expected.length !== 16) return false;
  const out = cupMacBlock(mak, data, start, end);
  for (let j = 0; j < 8; j++) {
    const b = out[j >> 1]!;
    const ascii = HEX_CODES[j & 1 ? b & 15 : b >> 4]!;
    const hi = nibble(expected.charCodeAt(2 * j));
    const lo = nibble(expected.charCodeAt(2 * j + 1));
    if (hi < 0 || lo < 0 || ((hi << 4) | lo) !== ascii) return false;
  }
  return true;
}

/** The same MAC as the 8 ASCII bytes that field 64 carries, with the key as bytes. */
export function macCupEcbField(mak: Uint8Array, data: Uint8Array): Buffer {
  if (!TDES_KEY_LENGTHS.includes(mak.length))
    throw new KeyLengthError('UnionPay ECB MAC', mak.length, TDES_KEY_LENGTHS);
  return cupMacField(new TdesKey(mak), data);
}

/** The UnionPay POS ECB MAC of `data` under `mak`: 8 upper-case hex characters. */
export function macCupEcb(mak: Uint8Array, data: Uint8Array): string {
  return macCupEcbField(mak, data).toString('latin1');
}
