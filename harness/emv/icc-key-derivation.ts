import { CryptoError, KeyLengthError } from '../crypto/errors.js';
import { adjustOddParity } from '../crypto/key-parity.js';
import { tdesEcbEncrypt } from '../crypto/tdes.js';

/**
 * EMV ICC master key derivation, option A (EMV 4.3 Book 2, Annex A1.4.1): from the issuer master key
 * (IMK, 16 bytes), the PAN and the PAN sequence number (PSN, tag 5F34):
 *
 *   Y  = rightmost 16 digits of PAN ‖ PSN, zero-padded on the left, as 8 BCD bytes
 *   MK = TDES(IMK)[Y] ‖ TDES(IMK)[Y ⊕ FF…FF], each byte adjusted to odd parity.
 *
 * `psn` is the two-digit sequence number ("00" when the card has none); a number is zero-padded.
 */
export function deriveIccMasterKeyOptionA(imk: Uint8Array, pan: string, psn: string | number = '00'): Buffer {
  if (imk.length !== 16) throw new KeyLengthError('EMV ICC master key derivation (IMK)', imk.length, [16]);
  if (!/^\d{1,19}$/.test(pan)) throw new CryptoError('E_EMV_PAN', 'PAN must be 1 to 19 digits');
  const psnText = typeof psn === 'number' ? String(psn).padStart(2, '0') : psn;
  if (!/^\d{2}$/.test(psnText)) throw new CryptoError('E_EMV_PSN', 'PAN sequence number must be 2 digits');
  const y = Buffer.from((pan + psnText).slice(-16).padStart(16, '0'), 'hex');
  const notY = Buffer.allocUnsafe(8);
  for (let i = 0; i < 8; i++) notY[i] = (y[i] as number) ^ 0xff;
  return adjustOddParity(tdesEcbEncrypt(imk, Buffer.concat([y, notY])));
}
