import { macCupEcb } from '../crypto/cup-mac.js';
import { toHex } from '../crypto/hex.js';
import { macIso9797Alg1, macX919, macX99, type MacPadding } from '../crypto/iso9797-mac.js';
import { TDES_KEY_LENGTHS } from '../crypto/tdes.js';
import { UsageError } from './usage-error.js';
import { choiceArg, hexArg, optionalString, printJson, requireString, toolRun } from './tools-key-args.js';

const ALGS = ['cup-ecb', 'x9.9', 'x9.19', 'iso9797-1-m1'] as const;
const USAGE =
  'usage: payhil tools mac --alg cup-ecb|x9.9|x9.19|iso9797-1-m1 --key HEX --data HEX [--padding 1|2]   → {"mac": …}\n' +
  '  cup-ecb: UnionPay POS ECB MAC, 8 hex characters; x9.9: single-DES CBC-MAC (8-byte key);\n' +
  '  x9.19: ISO 9797-1 algorithm 3 (16-byte key); iso9797-1-m1: ISO 9797-1 algorithm 1 (DES or TDES key).\n' +
  '  --padding (ISO 9797-1 method, default 1) applies to x9.19 and iso9797-1-m1.';

const OPTIONS = {
  alg: { type: 'string' },
  key: { type: 'string' },
  data: { type: 'string' },
  padding: { type: 'string' },
} as const;

/** Largest --data accepted (bytes): a MAC input is one message; 64 KiB like the frame limit. */
const MAX_DATA = 64 * 1024;

/** `payhil tools mac`: the MACs a payment terminal and host compute. */
export const run = toolRun({ usage: USAGE, options: OPTIONS }, (io, values) => {
  const alg = choiceArg('alg', requireString(values, 'alg'), ALGS);
  const keyLengths = alg === 'x9.9' ? [8] : alg === 'x9.19' ? [16] : TDES_KEY_LENGTHS;
  const key = hexArg('key', requireString(values, 'key'), { lengths: keyLengths });
  const dataText = values.data === '' ? '' : requireString(values, 'data');
  const data = hexArg('data', dataText, { max: MAX_DATA });
  const paddingText = optionalString(values, 'padding');
  if (paddingText !== undefined && (alg === 'cup-ecb' || alg === 'x9.9'))
    throw new UsageError(`--padding: not used by ${alg} (zero padding is part of the algorithm)`);
  const padding = Number(choiceArg('padding', paddingText ?? '1', ['1', '2'])) as MacPadding;
  switch (alg) {
    case 'cup-ecb':
      return printJson(io, { mac: macCupEcb(key, data) });
    case 'x9.9':
      return printJson(io, { mac: toHex(macX99(key, data)) });
    case 'x9.19':
      return printJson(io, { mac: toHex(macX919(key, data, padding)) });
    case 'iso9797-1-m1':
      return printJson(io, { mac: toHex(macIso9797Alg1(key, data, padding)) });
  }
});
