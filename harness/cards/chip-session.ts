/**
 * The per power-on session state of the virtual chip (what is selected, where the transaction flow
 * stands) and the application cryptogram types GENERATE AC asks for and answers with.
 */
import { emptyCvr, type Cvr } from './card-cryptogram.js';

/** Cryptogram information data (9F27) per AC type. */
export const CID = { AAC: 0x00, TC: 0x40, ARQC: 0x80 } as const;
export type AcType = keyof typeof CID;

/** GENERATE AC P1 bits 8-7 → requested AC type. */
export function requestedAc(p1: number): AcType | undefined {
  switch (p1 & 0xc0) {
    case 0x00:
      return 'AAC';
    case 0x40:
      return 'TC';
    case 0x80:
      return 'ARQC';
    default:
      return undefined;
  }
}

/** Per power-on session: what was selected and where the transaction flow stands. */
export interface Session {
  selected: 'none' | 'pse' | 'ppse' | number;
  appBlockedSelected: boolean;
  gpoDone: boolean;
  genAcCount: number;
  /** Values the terminal sent (PDOL, CDOL1, CDOL2 data), latest wins. */
  terminal: Map<string, Buffer>;
  cvr: Cvr;
  ecPath: boolean;
  firstAc?: AcType;
  firstAcValue?: Buffer;
  issuerAuthDone: boolean;
}

export function newSession(): Session {
  return {
    selected: 'none',
    appBlockedSelected: false,
    gpoDone: false,
    genAcCount: 0,
    terminal: new Map(),
    cvr: emptyCvr(),
    ecPath: false,
    issuerAuthDone: false,
  };
}
