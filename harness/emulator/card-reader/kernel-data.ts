/**
 * Small data helpers of the EMV kernel (BCD numbers, dates and times as EMV writes them, lenient TLV) and
 * the tag list of field 55 in an online request.
 */
import { parseTlv, type Tlv } from '../../emv/index.js';

/** `n` as `bytes` bytes of BCD (leftmost digits dropped when too long). */
export function bcd(n: number, bytes: number): Buffer {
  return Buffer.from(
    String(n)
      .padStart(bytes * 2, '0')
      .slice(-bytes * 2),
    'hex',
  );
}
/** The number a BCD field holds (0 when absent). */
export function bcdNumber(b: Buffer | undefined): number {
  return b ? Number(b.toString('hex').replace(/[^0-9]/g, '') || '0') : 0;
}
/** TLV nodes of `b`, or none when it does not parse (a card's answer is not trusted to be well formed). */
export function parseSafe(b: Buffer): Tlv[] {
  try {
    return parseTlv(b);
  } catch {
    return [];
  }
}
/** YYMMDD of `d` (tag 9A), local time. */
export function yymmdd(d: Date): string {
  return `${String(d.getFullYear() % 100).padStart(2, '0')}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}
/** HHMMSS of `d` (tag 9F21), local time. */
export function hhmmss(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}${String(d.getMinutes()).padStart(2, '0')}${String(d.getSeconds()).padStart(2, '0')}`;
}

/** Tags of field 55 in an online request (CUP/PBOC online message set). */
export const FIELD55_TAGS = [
  '9F26',
  '9F27',
  '9F10',
  '9F37',
  '9F36',
  '95',
  '9A',
  '9C',
  '9F02',
  '5F2A',
  '82',
  '9F1A',
  '9F03',
  '9F33',
  '9F34',
  '9F35',
  '9F1E',
  '84',
  '9F09',
  '9F41',
  '9F63',
  '9F74',
  '9F5D',
];
