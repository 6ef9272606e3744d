import { TDES_KEY_LENGTHS, tdesEcbEncrypt } from './tdes.js';
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
 */
function xorBlocks(data: Uint8Array): Buffer {
  const acc = Buffer.alloc(8);
  for (let i = 0; i < data.length; i++) acc[i & 7] = (acc[i & 7] as number) ^ (data[i] as number);
  return acc;
}

function mac16(mak: Uint8Array, data: Uint8Array): string {
  if (!TDES_KEY_LENGTHS.includes(mak.length))
    throw new KeyLengthError('UnionPay ECB MAC', mak.length, TDES_KEY_LENGTHS);
  const hex = Buffer.from(xorBlocks(data).toString('hex').toUpperCase(), 'latin1');
  const first = tdesEcbEncrypt(mak, hex.subarray(0, 8));
  for (let i = 0; i < 8; i++) first[i] = (first[i] as number) ^ (hex[8 + i] as number);
  return tdesEcbEncrypt(mak, first).toString('hex').toUpperCase();
}

/** The UnionPay POS ECB MAC of `data` under `mak`: 8 upper-case hex characters. */
export function macCupEcb(mak: Uint8Array, data: Uint8Array): string {
  return mac16(mak, data).slice(0, 8);
}

/** The same MAC as the 8 ASCII bytes that field 64 carries. */
export function macCupEcbField(mak: Uint8Array, data: Uint8Array): Buffer {
  return Buffer.from(macCupEcb(mak, data), 'latin1');
}
