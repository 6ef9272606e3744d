import { DataLengthError, KeyLengthError } from '../crypto/errors.js';
import { adjustOddParity } from '../crypto/key-parity.js';
import { tdesEcbEncrypt } from '../crypto/tdes.js';

/**
 * EMV common session key derivation (EMV 4.3 Book 2, Annex A1.3.1) from an ICC master key (16 bytes)
 * and an 8-byte diversification value R:
 *
 *   SK = TDES(MK)[R0 R1 F0 R3 … R7] ‖ TDES(MK)[R0 R1 0F R3 … R7], odd parity adjusted.
 *
 * `atcOrR` is either the 2-byte ATC (tag 9F36), giving the application cryptogram session key with
 * R = ATC ‖ 00 00 00 00 00 00, or a full 8-byte R (e.g. ATC ‖ 00 00 ‖ UN for other schemes).
 */
export function deriveCommonSessionKey(mk: Uint8Array, atcOrR: Uint8Array): Buffer {
  if (mk.length !== 16) throw new KeyLengthError('EMV session key derivation (MK)', mk.length, [16]);
  if (atcOrR.length !== 2 && atcOrR.length !== 8)
    throw new DataLengthError(
      'EMV session key diversification',
      atcOrR.length,
      'must be a 2-byte ATC or 8-byte R',
    );
  const left = Buffer.alloc(8);
  left.set(atcOrR);
  const right = Buffer.from(left);
  left[2] = 0xf0;
  right[2] = 0x0f;
  return adjustOddParity(tdesEcbEncrypt(mk, Buffer.concat([left, right])));
}
