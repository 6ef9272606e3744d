/**
 * DES odd parity: the low bit of every key byte is a parity bit chosen so each byte has an odd number
 * of set bits (FIPS 46-3). DES ignores these bits; derived keys (EMV ICC and session keys) are
 * parity-adjusted by convention so that they pass HSM parity checks.
 */
function oddParityByte(b: number): number {
  let ones = 0;
  for (let v = b >> 1; v !== 0; v >>= 1) ones += v & 1;
  return (b & 0xfe) | (ones % 2 === 0 ? 1 : 0);
}

/** A copy of `key` with every byte's low bit set for odd parity. */
export function adjustOddParity(key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(key.length);
  for (let i = 0; i < key.length; i++) out[i] = oddParityByte(key[i] as number);
  return out;
}

/** True when every byte of `key` has odd parity. */
export function hasOddParity(key: Uint8Array): boolean {
  for (const b of key) if (oddParityByte(b) !== b) return false;
  return true;
}
