import { ZvtEncodeError } from './errors.js';

/** Packs a digit string into BCD, left-padded with 0 to `bytes` bytes. */
export function toBcd(digits: string, bytes: number): Buffer {
  if (!/^\d*$/.test(digits)) throw new ZvtEncodeError(`BCD needs digits, got '${digits}'`);
  if (digits.length > bytes * 2)
    throw new ZvtEncodeError(`${digits.length} digits do not fit ${bytes} BCD bytes`);
  return Buffer.from(digits.padStart(bytes * 2, '0'), 'hex');
}

/** Unpacks BCD to its digit string (nibbles A–F kept as hex letters, e.g. a masked PAN's E). */
export function fromBcd(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** Highest amount BMP 04 carries (6 BCD bytes, minor units). */
export const MAX_AMOUNT = 999_999_999_999;

/** BMP 04's value: an amount in minor units as 6 BCD bytes (PA00P015 §9, "amount"). */
export function amountToBcd(minor: number): Buffer {
  if (!Number.isInteger(minor) || minor < 0 || minor > MAX_AMOUNT)
    throw new ZvtEncodeError(`amount must be 0…${MAX_AMOUNT} minor units, got ${minor}`);
  return toBcd(String(minor), 6);
}

/** Minor units of a BMP 04 value; undefined when a nibble is not a digit. */
export function amountFromBcd(b: Uint8Array): number | undefined {
  const s = fromBcd(b);
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

/**
 * A PAN for BMP 22 as BCD, padded with F to whole bytes; masked digits are sent as E nibbles (as ZVT
 * terminals mask a PAN). `masked` is "6 digits, stars, 4 digits".
 */
export function panToBcd(masked: string): Buffer {
  if (!/^[\d*]{8,19}$/.test(masked)) throw new ZvtEncodeError('a PAN is 8 to 19 digits or *');
  const nibbles = masked.replace(/\*/g, 'E');
  return Buffer.from(nibbles.length % 2 ? `${nibbles}F` : nibbles, 'hex');
}

/** The PAN of BMP 22 with E nibbles as `*` and F padding dropped. */
export function panFromBcd(b: Uint8Array): string {
  return fromBcd(b).replace(/F+$/, '').replace(/E/g, '*');
}
