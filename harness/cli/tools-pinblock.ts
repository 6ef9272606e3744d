import { toHex } from '../crypto/hex.js';
import { buildPinBlock, encryptPinBlock, type PinBlockFormat } from '../crypto/pin-block.js';
import { TDES_KEY_LENGTHS } from '../crypto/tdes.js';
import { UsageError } from './usage-error.js';
import {
  choiceArg,
  digitsArg,
  hexArg,
  optionalString,
  printJson,
  requireString,
  toolRun,
} from './tools-key-args.js';

const USAGE =
  'usage: payhil tools pinblock --format 0|1|3 --pin PIN --pan PAN [--key HEX]   → {"clear": HEX, "encrypted": HEX}\n' +
  '  --pan is not used by format 1; "encrypted" (TDES-ECB under --key, the PIK) only with --key';

const OPTIONS = {
  format: { type: 'string' },
  pin: { type: 'string' },
  pan: { type: 'string' },
  key: { type: 'string' },
} as const;

/** `payhil tools pinblock`: ISO 9564 PIN block, clear and (with a PIN key) encrypted. */
export const run = toolRun({ usage: USAGE, options: OPTIONS }, (io, values) => {
  const format = Number(
    choiceArg('format', requireString(values, 'format'), ['0', '1', '3']),
  ) as PinBlockFormat;
  const pin = digitsArg('pin', requireString(values, 'pin'), 4, 12);
  const panText = optionalString(values, 'pan');
  if (format !== 1 && panText === undefined) throw new UsageError(`--pan: required for format ${format}`);
  const pan = panText === undefined ? undefined : digitsArg('pan', panText, 8, 19);
  const keyText = optionalString(values, 'key');
  const key = keyText === undefined ? undefined : hexArg('key', keyText, { lengths: TDES_KEY_LENGTHS });
  const clear = buildPinBlock(format, pin, pan);
  const result: Record<string, string> = { clear: toHex(clear) };
  if (key) result.encrypted = toHex(encryptPinBlock(key, clear));
  return printJson(io, result);
});
