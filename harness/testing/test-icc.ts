/**
 * Card-side field 55 for tests and benchmarks: the tags a PBOC/EMV card and terminal put in an online
 * request, with a real ARQC under the card's issuer master key (same input as the issuer rebuilds,
 * see arqc-input.ts). Not a card emulator — harness/cards is.
 */
import { fromHex, toHex } from '../crypto/index.js';
import { encodeTlv, generateArqc } from '../emv/index.js';
import { arqcInput, cryptogramKey } from '../host/index.js';

export interface IccInput {
  imkAc: string;
  pan: string;
  psn?: string;
  atc: number;
  amount: number;
  cvn?: 10 | 18;
  /** 4-byte unpredictable number (hex); default random-looking from the ATC. */
  un?: string;
  /** YYMMDD; default today. */
  date?: string;
  /** Corrupt the cryptogram (for wrong-ARQC tests). */
  corrupt?: boolean;
  /** Extra tags (hex values), e.g. {'9F74': '...'} for an EC authorisation code. */
  extra?: Record<string, string>;
}

/** Field 55 (hex) with 9F26 ARQC, 9F27 80, 9F10 IAD, 9F37, 9F36, 95, 9A, 9C, 9F02, 9F03, 5F2A, 82, 9F1A. */
export function buildIccData(i: IccInput): string {
  const cvn = i.cvn ?? 18;
  const now = new Date();
  const date =
    i.date ??
    String(now.getFullYear() % 100).padStart(2, '0') +
      String(now.getMonth() + 1).padStart(2, '0') +
      String(now.getDate()).padStart(2, '0');
  const atc = Buffer.from([(i.atc >> 8) & 0xff, i.atc & 0xff]);
  const cvnByte = cvn === 10 ? '0A' : '12';
  const tags: Record<string, Buffer> = {
    '9F02': fromHex(String(i.amount).padStart(12, '0')),
    '9F03': Buffer.alloc(6),
    '9F1A': fromHex('0156'),
    '95': fromHex('0000000000'),
    '5F2A': fromHex('0156'),
    '9A': fromHex(date),
    '9C': fromHex('00'),
    '9F37': fromHex(i.un ?? ((i.atc * 2654435761) >>> 0).toString(16).toUpperCase().padStart(8, '0')),
    '82': fromHex('7C00'),
    '9F36': atc,
    '9F10': fromHex(`0601${cvnByte}03A00000`),
  };
  const key = cryptogramKey(fromHex(i.imkAc), i.pan, (i.psn ?? '00').slice(-2).padStart(2, '0'), atc, cvn);
  const arqc = generateArqc(
    key,
    arqcInput((t) => tags[t], cvn),
    cvn,
  );
  if (i.corrupt) arqc[0] = (arqc[0] as number) ^ 0x01;
  const list = [
    { tag: '9F26', value: arqc },
    { tag: '9F27', value: fromHex('80') },
    ...Object.entries(tags).map(([tag, value]) => ({ tag, value })),
    ...Object.entries(i.extra ?? {}).map(([tag, v]) => ({ tag, value: fromHex(v) })),
  ];
  return toHex(encodeTlv(list));
}
