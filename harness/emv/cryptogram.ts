import { DataLengthError, KeyLengthError } from '../crypto/errors.js';
import { macIso9797Alg3, type MacPadding } from '../crypto/iso9797-mac.js';
import { tdesEcbEncrypt } from '../crypto/tdes.js';
import { CryptogramVersionError } from './errors.js';
import { deriveCommonSessionKey } from './session-key.js';

/**
 * EMV application cryptograms and issuer authentication (EMV 4.3 Book 2, 8.1, 8.2 and Annex A1.2).
 *
 * An application cryptogram (ARQC, TC, AAC) is the ISO/IEC 9797-1 algorithm 3 MAC (8 bytes) of the
 * transaction data, under a 16-byte key. The cryptogram version number (CVN, in the IAD 9F10) says
 * which key and padding the card uses; the two supported here:
 *
 * - CVN 10: key = the ICC master key itself (no session key), padding method 1 (zeros);
 * - CVN 18: key = the common session key for the ATC, padding method 2 (80 00…).
 *
 * `generateArqc` takes the key already chosen; the caller derives it (see icc-key-derivation.ts and
 * session-key.ts) — `cryptogramKeyFor` below does that choice.
 */
export type CryptogramVersion = 10 | 18;

function checkKey(what: string, key: Uint8Array): void {
  if (key.length !== 16) throw new KeyLengthError(what, key.length, [16]);
}

function checkLength(what: string, b: Uint8Array, length: number): void {
  if (b.length !== length) throw new DataLengthError(what, b.length, `must be ${length} bytes`);
}

/**
 * The key a CVN computes its cryptograms (ARQC and ARPC alike) with: the ICC master key for CVN 10,
 * the common session key for the 2-byte ATC for CVN 18.
 */
export function cryptogramKeyFor(iccMasterKey: Uint8Array, cvn: CryptogramVersion, atc?: Uint8Array): Buffer {
  checkKey('EMV ICC master key', iccMasterKey);
  if (cvn === 10) return Buffer.from(iccMasterKey);
  if (cvn === 18) {
    if (atc === undefined) throw new DataLengthError('ATC', 0, 'CVN 18 needs the 2-byte ATC');
    checkLength('ATC', atc, 2);
    return deriveCommonSessionKey(iccMasterKey, atc);
  }
  throw new CryptogramVersionError(cvn);
}

/** Padding method of a CVN: 1 for CVN 10, 2 for CVN 18. */
export function cryptogramPadding(cvn: CryptogramVersion): MacPadding {
  if (cvn === 10) return 1;
  if (cvn === 18) return 2;
  throw new CryptogramVersionError(cvn);
}

/** An application cryptogram: ISO 9797-1 algorithm 3 over `data` with the given padding; 8 bytes. */
export function generateAc(key: Uint8Array, data: Uint8Array, padding: MacPadding): Buffer {
  checkKey('EMV application cryptogram', key);
  return macIso9797Alg3(key, data, padding);
}

/**
 * ARQC (or TC/AAC) for a CVN: `sessionOrCardKey` is the ICC master key for CVN 10 and the common
 * session key for CVN 18; `data` is the concatenated CDOL data. Returns 8 bytes.
 */
export function generateArqc(sessionOrCardKey: Uint8Array, data: Uint8Array, cvn: CryptogramVersion): Buffer {
  return generateAc(sessionOrCardKey, data, cryptogramPadding(cvn));
}

/**
 * ARPC method 1 (EMV Book 2, 8.2.1): TDES(key)[ARQC ⊕ (ARC ‖ 00 00 00 00 00 00)], 8 bytes. `arc` is
 * the 2-byte authorisation response code (e.g. 30 30 for "00").
 */
export function generateArpcMethod1(key: Uint8Array, arqc: Uint8Array, arc: Uint8Array): Buffer {
  checkKey('EMV ARPC method 1', key);
  checkLength('ARQC', arqc, 8);
  checkLength('authorisation response code', arc, 2);
  const block = Buffer.from(arqc);
  block[0] = (block[0] as number) ^ (arc[0] as number);
  block[1] = (block[1] as number) ^ (arc[1] as number);
  return tdesEcbEncrypt(key, block);
}

/**
 * ARPC method 2 (EMV Book 2, 8.2.2): the first 4 bytes of the ISO 9797-1 algorithm 3 MAC, padding
 * method 2, of ARQC ‖ CSU ‖ proprietary authentication data (0–8 bytes). `csu` is the 4-byte card
 * status update. Returns 4 bytes.
 */
export function generateArpcMethod2(
  key: Uint8Array,
  arqc: Uint8Array,
  csu: Uint8Array,
  proprietaryAuthData: Uint8Array = Buffer.alloc(0),
): Buffer {
  checkKey('EMV ARPC method 2', key);
  checkLength('ARQC', arqc, 8);
  checkLength('card status update', csu, 4);
  if (proprietaryAuthData.length > 8)
    throw new DataLengthError(
      'proprietary authentication data',
      proprietaryAuthData.length,
      'must be 0 to 8 bytes',
    );
  return macIso9797Alg3(key, Buffer.concat([arqc, csu, proprietaryAuthData]), 2).subarray(0, 4);
}
