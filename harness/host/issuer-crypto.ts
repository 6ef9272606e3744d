/**
 * The issuer's EMV checks: verify the ARQC of field 55 with the card's issuer master key, and answer
 * with the ARPC (tag 91 = ARPC ‖ ARC, method 1, EMV 4.3 Book 2, 8.2.1) — the scheme payhil's virtual
 * cards verify (harness/cards/card-cryptogram.ts). Keys: ICC master key by option A from the IMK, PAN
 * and PSN; CVN 10 uses it as is, CVN 18 the common session key for the ATC.
 */
import {
  cryptogramKeyFor,
  deriveIccMasterKeyOptionA,
  generateArpcMethod1,
  generateArqc,
} from '../emv/index.js';
import { arqcInput } from './arqc-input.js';

export interface ArqcCheck {
  ok: boolean;
  /** Why it failed (for the journal), when it failed. */
  reason?: string;
  /** The key the ARPC is computed with. */
  key?: Buffer;
  arqc?: Buffer;
  cvn: 10 | 18;
}

/** The cryptogram key of one card for one transaction. */
export function cryptogramKey(imkAc: Buffer, pan: string, psn: string, atc: Buffer, cvn: 10 | 18): Buffer {
  const mk = deriveIccMasterKeyOptionA(imkAc, pan, psn.padStart(2, '0').slice(-2));
  return cryptogramKeyFor(mk, cvn, atc);
}

/** Verifies the ARQC (9F26) carried in field 55. */
export function verifyArqc(
  tags: Map<string, Buffer>,
  card: { imkAc: Buffer; pan: string; psn: string; cvn: 10 | 18 },
): ArqcCheck {
  const cvn = card.cvn;
  const arqc = tags.get('9F26');
  const atc = tags.get('9F36');
  if (!arqc || arqc.length !== 8) return { ok: false, reason: 'no ARQC (9F26) in field 55', cvn };
  if (!atc || atc.length !== 2) return { ok: false, reason: 'no ATC (9F36) in field 55', cvn };
  try {
    const key = cryptogramKey(card.imkAc, card.pan, card.psn, atc, cvn);
    const expected = generateArqc(
      key,
      arqcInput((t) => tags.get(t), cvn),
      cvn,
    );
    if (!expected.equals(arqc)) return { ok: false, reason: 'ARQC does not verify', key, arqc, cvn };
    return { ok: true, key, arqc, cvn };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e), cvn };
  }
}

/** Issuer authentication data (tag 91) for an answer: ARPC (method 1, 8 bytes) ‖ ARC (the response code in ASCII). */
export function issuerAuthData(check: ArqcCheck, responseCode: string): Buffer | undefined {
  if (!check.key || !check.arqc) return undefined;
  const arc = Buffer.from(responseCode.padEnd(2, '0').slice(0, 2), 'latin1');
  return Buffer.concat([generateArpcMethod1(check.key, check.arqc, arc), arc]);
}
