import { toHex } from '../crypto/hex.js';
import { TDES_KEY_LENGTHS } from '../crypto/tdes.js';
import { decryptWorkingKey, encryptWorkingKey, WORKING_KEY_KCV_BYTES } from '../crypto/working-key.js';
import { UsageError } from './usage-error.js';
import { hexArg, intArg, optionalString, printJson, requireString, toolRun } from './tools-key-args.js';

const USAGE =
  'usage: payhil tools key decrypt|encrypt --kek HEX --data HEX [--kcv HEX] [--length N]   → {"key": HEX, "kcv": HEX}\n' +
  '  decrypt: --data is the key encrypted under the KEK (TMK); prints the clear key and its check value,\n' +
  '           and with --kcv checks it (exit 1 on mismatch).\n' +
  "  encrypt: --data is the clear key; prints it encrypted under the KEK and the clear key's check value.\n" +
  `  --length: check value bytes, 1–8 (default ${WORKING_KEY_KCV_BYTES}, as UnionPay sign-in sends).`;

const ACTIONS = ['decrypt', 'encrypt'] as const;

const OPTIONS = {
  kek: { type: 'string' },
  data: { type: 'string' },
  kcv: { type: 'string' },
  length: { type: 'string' },
} as const;

/** `payhil tools key`: working key (PIK/MAK/TDK) under a key-encrypting key, with check value. */
export const run = toolRun({ usage: USAGE, options: OPTIONS, actions: ACTIONS }, (io, values, action) => {
  const kek = hexArg('kek', requireString(values, 'kek'), { lengths: TDES_KEY_LENGTHS });
  const data = hexArg('data', requireString(values, 'data'), { lengths: TDES_KEY_LENGTHS });
  const lengthText = optionalString(values, 'length');
  const length = lengthText === undefined ? WORKING_KEY_KCV_BYTES : intArg('length', lengthText, 1, 8);
  const kcvText = optionalString(values, 'kcv');
  if (action === 'encrypt') {
    if (kcvText !== undefined) throw new UsageError('--kcv: only used with decrypt');
    const r = encryptWorkingKey(kek, data, length);
    return printJson(io, { key: toHex(r.key), kcv: toHex(r.kcv) });
  }
  const expected =
    kcvText === undefined ? undefined : hexArg('kcv', kcvText, { lengths: [1, 2, 3, 4, 5, 6, 7, 8] });
  const r = decryptWorkingKey(kek, data, expected, length);
  return printJson(io, { key: toHex(r.key), kcv: toHex(r.kcv) });
});
