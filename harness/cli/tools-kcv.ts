import { kcv } from '../crypto/key-check-value.js';
import { toHex } from '../crypto/hex.js';
import { TDES_KEY_LENGTHS } from '../crypto/tdes.js';
import { hexArg, intArg, optionalString, printJson, requireString, toolRun } from './tools-key-args.js';

const USAGE = 'usage: payhil tools kcv --key HEX [--length N]   → {"kcv": HEX} (N bytes, 1–8, default 3)';

const OPTIONS = {
  key: { type: 'string' },
  length: { type: 'string' },
} as const;

/** `payhil tools kcv`: check value of a DES/TDES key (encrypt a zero block, keep N bytes). */
export const run = toolRun({ usage: USAGE, options: OPTIONS }, (io, values) => {
  const key = hexArg('key', requireString(values, 'key'), { lengths: TDES_KEY_LENGTHS });
  const lengthText = optionalString(values, 'length');
  const length = lengthText === undefined ? 3 : intArg('length', lengthText, 1, 8);
  return printJson(io, { kcv: toHex(kcv(key, length)) });
});
