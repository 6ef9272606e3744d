/**
 * The data an application cryptogram covers, as the issuer rebuilds it from field 55 (EMV 4.3 Book 2,
 * 8.1.1, the minimum recommended set; the card and the terminal-side helpers build the same bytes):
 *
 *   9F02 amount ‖ 9F03 other amount ‖ 9F1A terminal country ‖ 95 TVR ‖ 5F2A currency ‖ 9A date ‖
 *   9C type ‖ 9F37 unpredictable number ‖ 82 AIP ‖ 9F36 ATC ‖ IAD part
 *
 * IAD part: CVN 10 — the CVR, bytes 4–7 of the IAD (9F10); CVN 18 — the whole IAD.
 */
import { ArqcInputError } from './errors.js';

export const ARQC_INPUT_TAGS = [
  '9F02',
  '9F03',
  '9F1A',
  '95',
  '5F2A',
  '9A',
  '9C',
  '9F37',
  '82',
  '9F36',
] as const;

/** Fixed length of each tag's value in the cryptogram input (bytes). */
export const ARQC_INPUT_LENGTHS: Record<string, number> = {
  '9F02': 6,
  '9F03': 6,
  '9F1A': 2,
  '95': 5,
  '5F2A': 2,
  '9A': 3,
  '9C': 1,
  '9F37': 4,
  '82': 2,
  '9F36': 2,
};

/**
 * The cryptogram input from a tag lookup. Missing tags count as zeros of their length (9F03 is often
 * absent). Throws ArqcInputError when the IAD is missing or too short for the CVN.
 */
export function arqcInput(lookup: (tag: string) => Buffer | undefined, cvn: 10 | 18): Buffer {
  const parts: Buffer[] = [];
  for (const tag of ARQC_INPUT_TAGS) {
    const len = ARQC_INPUT_LENGTHS[tag] as number;
    const v = lookup(tag);
    if (!v) parts.push(Buffer.alloc(len));
    else if (v.length === len) parts.push(v);
    else {
      // EMV fitting of a numeric/binary value to its DOL length: left-pad or truncate on the left.
      const out = Buffer.alloc(len);
      if (v.length > len) v.copy(out, 0, v.length - len);
      else v.copy(out, len - v.length);
      parts.push(out);
    }
  }
  const iad = lookup('9F10');
  if (!iad) throw new ArqcInputError('IAD (9F10) missing', cvn);
  if (cvn === 10) {
    if (iad.length < 7) throw new ArqcInputError('IAD too short for CVN 10', cvn, iad.length);
    parts.push(iad.subarray(3, 7));
  } else parts.push(iad);
  return Buffer.concat(parts);
}
