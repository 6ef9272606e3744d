/**
 * How a virtual card computes its application cryptograms, so a host can verify them (docs/cards.md):
 *
 * - key: ICC master key = option A from the fixture's `keys.imkAc`, PAN and PSN; CVN 10 uses it as is,
 *   CVN 18 uses the common session key for the ATC (crypto toolkit `cryptogramKeyFor`);
 * - input: 9F02 ‖ 9F03 ‖ 9F1A ‖ 95 ‖ 5F2A ‖ 9A ‖ 9C ‖ 9F37 (terminal data, as received in the CDOL/PDOL
 *   data) ‖ 82 AIP ‖ 9F36 ATC ‖ CVR (CVN 10: the 4 CVR bytes of the IAD) or the whole IAD (CVN 18);
 * - MAC: ISO 9797-1 algorithm 3, padding 1 (CVN 10) or 2 (CVN 18);
 * - ARPC: method 1 under the same key, 91 = ARPC ‖ ARC.
 *
 * IAD (9F10), 7 bytes: 06 ‖ DKI ‖ CVN (0A or 12) ‖ CVR (03 ‖ 3 bytes, Visa-style card verification results).
 */
import {
  cryptogramKeyFor,
  deriveIccMasterKeyOptionA,
  generateArpcMethod1,
  generateArqc,
} from '../emv/index.js';
import type { CardFixture } from './card-fixture.js';

export type Cvn = 10 | 18;

/** Terminal data elements (in order) that enter the cryptogram before AIP, ATC and CVR/IAD. */
export const AC_TERMINAL_TAGS: readonly { tag: string; length: number }[] = [
  { tag: '9F02', length: 6 },
  { tag: '9F03', length: 6 },
  { tag: '9F1A', length: 2 },
  { tag: '95', length: 5 },
  { tag: '5F2A', length: 2 },
  { tag: '9A', length: 3 },
  { tag: '9C', length: 1 },
  { tag: '9F37', length: 4 },
];

/** Card verification results, Visa layout (byte 1 is the length, 03). */
export interface Cvr {
  /** Byte 2 bits 8-7: AC type of the 2nd GENERATE AC (00 AAC, 01 TC, 10 not requested). */
  secondAc: 'AAC' | 'TC' | 'none';
  /** Byte 2 bits 6-5: AC type of the 1st GENERATE AC (00 AAC, 01 TC, 10 ARQC). */
  firstAc: 'AAC' | 'TC' | 'ARQC';
  issuerAuthFailed: boolean;
  offlinePinPerformed: boolean;
  offlinePinFailed: boolean;
  unableToGoOnline: boolean;
  lastOnlineNotCompleted: boolean;
  pinTryLimitExceeded: boolean;
  velocityExceeded: boolean;
  issuerAuthNotPerformed: boolean;
}

export function emptyCvr(): Cvr {
  return {
    secondAc: 'none',
    firstAc: 'AAC',
    issuerAuthFailed: false,
    offlinePinPerformed: false,
    offlinePinFailed: false,
    unableToGoOnline: false,
    lastOnlineNotCompleted: false,
    pinTryLimitExceeded: false,
    velocityExceeded: false,
    issuerAuthNotPerformed: false,
  };
}

const AC_BITS = { AAC: 0, TC: 1, ARQC: 2, none: 2 } as const;

/** The 4 CVR bytes (03 ‖ b2 ‖ b3 ‖ b4). */
export function encodeCvr(c: Cvr): Buffer {
  const b2 =
    (AC_BITS[c.secondAc] << 6) |
    (AC_BITS[c.firstAc] << 4) |
    (c.issuerAuthFailed ? 0x08 : 0) |
    (c.offlinePinPerformed ? 0x04 : 0) |
    (c.offlinePinFailed ? 0x02 : 0) |
    (c.unableToGoOnline ? 0x01 : 0);
  const b3 =
    (c.lastOnlineNotCompleted ? 0x80 : 0) |
    (c.pinTryLimitExceeded ? 0x40 : 0) |
    (c.velocityExceeded ? 0x20 : 0) |
    (c.issuerAuthNotPerformed ? 0x04 : 0);
  return Buffer.from([0x03, b2, b3, 0x00]);
}

/** IAD (9F10): 06 ‖ DKI ‖ CVN ‖ CVR. */
export function encodeIad(dki: number, cvn: Cvn, cvr: Cvr): Buffer {
  return Buffer.concat([Buffer.from([0x06, dki & 0xff, cvn === 10 ? 0x0a : 0x12]), encodeCvr(cvr)]);
}

/** The cryptogram input (see the module comment). `terminal(tag)` gives the value the terminal sent. */
export function acInput(
  terminal: (tag: string) => Buffer | undefined,
  aip: Buffer,
  atc: Buffer,
  iad: Buffer,
  cvn: Cvn,
): Buffer {
  const parts: Buffer[] = [];
  for (const { tag, length } of AC_TERMINAL_TAGS) {
    const v = terminal(tag);
    const part = Buffer.alloc(length);
    if (v) v.copy(part, 0, 0, Math.min(v.length, length));
    parts.push(part);
  }
  parts.push(aip, atc, cvn === 10 ? iad.subarray(3, 7) : iad);
  return Buffer.concat(parts);
}

/** Caches the ICC master key of a card (derivation costs two TDES operations). */
const masterKeys = new WeakMap<CardFixture, Buffer>();

/** ICC master key (option A) of a card, from `keys.imkAc`, PAN and PSN. */
export function iccMasterKey(card: CardFixture): Buffer {
  let mk = masterKeys.get(card);
  if (!mk) {
    mk = deriveIccMasterKeyOptionA(Buffer.from(card.keys.imkAc, 'hex').subarray(0, 16), card.pan, card.psn);
    masterKeys.set(card, mk);
  }
  return mk;
}

/** The key the card's cryptograms (and ARPC) use for this ATC. */
export function acKey(card: CardFixture, cvn: Cvn, atc: Buffer): Buffer {
  return cryptogramKeyFor(iccMasterKey(card), cvn, atc);
}

/** The application cryptogram over `input`. */
export function computeAc(card: CardFixture, cvn: Cvn, atc: Buffer, input: Buffer): Buffer {
  return generateArqc(acKey(card, cvn, atc), input, cvn);
}

/** True when `arpc` is the method 1 ARPC of `arqc` and `arc` under the card's key for this ATC. */
export function verifyArpc(
  card: CardFixture,
  cvn: Cvn,
  atc: Buffer,
  arqc: Buffer,
  arpc: Buffer,
  arc: Buffer,
): boolean {
  return generateArpcMethod1(acKey(card, cvn, atc), arqc, arc).equals(arpc);
}
