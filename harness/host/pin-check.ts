/**
 * The issuer's PIN comparison on the hot path: does a clear ISO 9564 format 0 PIN block hold this PIN
 * for this PAN? Gives exactly `extractPin(0, clear, pan) === pin` (harness/crypto/pin-block.ts) — false
 * wherever extractPin would throw — without building the nibble list and PIN string per request.
 */
const PAN_RE = /^\d{8,19}$/;
const PIN_RE = /^\d{4,12}$/;

/** Nibble `i` (0–15) of the account field: 0000, then the 12 PAN digits before the check digit. */
function accountNibble(pan: string, i: number): number {
  if (i < 4) return 0;
  const at = pan.length - 13 + (i - 4);
  return at >= 0 ? pan.charCodeAt(at) - 48 : 0;
}

/** True when the clear format 0 block `clear` (8 bytes) carries `pin` for `pan`. */
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
