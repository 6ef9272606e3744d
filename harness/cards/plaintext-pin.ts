/**
 * The plaintext offline PIN block of VERIFY (P2 80), both ways.
 */

/** The PIN in a plaintext offline PIN block (EMV Book 3 §6.5.12: 2L PP…P FF…F, 8 bytes), or undefined. */
export function plaintextPin(block: Buffer): string | undefined {
  if (block.length !== 8) return undefined;
  const hex = block.toString('hex').toUpperCase();
  if (hex[0] !== '2') return undefined;
  const n = parseInt(hex[1] as string, 16);
  if (n < 4 || n > 12) return undefined;
  const pin = hex.slice(2, 2 + n);
  if (!/^\d+$/.test(pin) || !/^F*$/.test(hex.slice(2 + n))) return undefined;
  return pin;
}

/** Builds the plaintext PIN block VERIFY takes. */
export function plaintextPinBlock(pin: string): Buffer {
  return Buffer.from(('2' + pin.length.toString(16) + pin).padEnd(16, 'F'), 'hex');
}
