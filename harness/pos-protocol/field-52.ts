/**
 * Field 52 (PIN data): the ISO 9564 format 0 PIN block (PIN xor PAN) encrypted under the PIK, 8 bytes,
 * decoded as 16 hex digits. The terminal writes it (`pinField`); the issuer checks it (`pinFieldHolds`)
 * on its hot path without building the nibble list and PIN string per request. Field 53 says whether
 * the PAN went into the block (see field-53.ts).
 */
import { buildPinBlock, encryptPinBlock, toHex, type TdesKey } from '../crypto/index.js';

const PAN_RE = /^\d{8,19}$/;
const PIN_RE = /^\d{4,12}$/;

/** Nibble `i` (0–15) of the account field: 0000, then the 12 PAN digits before the check digit. */
function accountNibble(pan: string, i: number): number {
  if (i < 4) return 0;
  const at = pan.length - 13 + (i - 4);
  return at >= 0 ? pan.charCodeAt(at) - 48 : 0;
}

/**
 * True when the clear format 0 block `clear` (8 bytes) carries `pin` for `pan`: exactly
 * `extractPin(0, clear, pan) === pin` (harness/crypto/pin-block.ts), false wherever extractPin would throw.
 */
export function pinBlockHolds(clear: Uint8Array, pan: string, pin: string): boolean {
  if (clear.length !== 8 || !PAN_RE.test(pan) || !PIN_RE.test(pin)) return false;
  const length = pin.length;
  for (let i = 0; i < 16; i++) {
    const byte = clear[i >> 1]!;
    const n = (i & 1 ? byte & 15 : byte >> 4) ^ accountNibble(pan, i);
    if (i === 0) {
      if (n !== 0) return false;
    } else if (i === 1) {
      if (n !== length) return false;
    } else if (i < 2 + length) {
      if (n !== pin.charCodeAt(i - 2) - 48) return false;
    } else if (n !== 15) return false;
  }
  return true;
}

/** Account digits of a format 0 block built without the PAN (field 53.1 = 2): all zeros. */
export const NO_PAN = '0000000000000';

/**
 * Field 52 for `pin` and `pan`: the format 0 PIN block encrypted under the PIK, as 16 hex digits.
 * @throws PinBlockError for a PIN or PAN unfit for a PIN block.
 */
export function pinField(pik: Uint8Array, pin: string, pan: string): string {
  return toHex(encryptPinBlock(pik, buildPinBlock(0, pin, pan)));
}

/** Value of an ASCII hex digit (either case), or -1. */
function hexValue(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/**
 * True when field 52 (16 hex digits) decrypts under `pik` to a format 0 block carrying `pin` for `pan`
 * (`NO_PAN` when field 53 says the block was built without it). False for anything malformed. `scratch`
 * (8 bytes) receives the block; pass one to spare an allocation per call.
 */
export function pinFieldHolds(
  pik: TdesKey,
  field52: string,
  pan: string,
  pin: string,
  scratch: Buffer = Buffer.alloc(8),
): boolean {
  if (field52.length !== 16 || scratch.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const hi = hexValue(field52.charCodeAt(2 * i));
    const lo = hexValue(field52.charCodeAt(2 * i + 1));
    if ((hi | lo) < 0) return false;
    scratch[i] = (hi << 4) | lo;
  }
  pik.decryptBlock(scratch, 0, scratch, 0);
  return pinBlockHolds(scratch, pan, pin);
}
