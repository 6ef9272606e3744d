import { toHex } from '../crypto/hex.js';
import {
  cryptogramKeyFor,
  generateArpcMethod1,
  generateArpcMethod2,
  generateArqc,
  type CryptogramVersion,
} from '../emv/cryptogram.js';
import { deriveIccMasterKeyOptionA } from '../emv/icc-key-derivation.js';
import { UsageError } from './usage-error.js';
import {
  choiceArg,
  digitsArg,
  hexArg,
  optionalString,
  printJson,
  requireString,
  toolRun,
  type ToolValues,
} from './tools-key-args.js';

const USAGE =
  'usage: payhil tools emv arqc --imk HEX --pan PAN --psn NN --cvn 10|18 --atc HEX --data HEX   → {"arqc": HEX}\n' +
  '       payhil tools emv arpc --imk HEX --pan PAN --psn NN --cvn 10|18 --atc HEX --arqc HEX\n' +
  '                             (--arc HEX | --csu HEX [--pad HEX]) [--method 1|2]   → {"arpc": HEX}\n' +
  '  The ICC master key is derived from the IMK with EMV option A. CVN 10 uses it directly with\n' +
  '  padding 1 and ARPC method 1 (--arc, 2 bytes); CVN 18 uses the common session key for --atc\n' +
  '  with padding 2 and ARPC method 2 (--csu, 4 bytes; --pad, proprietary data, 0–8 bytes).\n' +
  '  --atc is only needed for CVN 18 (for CVN 10 the ATC is part of --data).';

const ACTIONS = ['arqc', 'arpc'] as const;

const OPTIONS = {
  imk: { type: 'string' },
  pan: { type: 'string' },
  psn: { type: 'string' },
  cvn: { type: 'string' },
  atc: { type: 'string' },
  data: { type: 'string' },
  arqc: { type: 'string' },
  arc: { type: 'string' },
  csu: { type: 'string' },
  pad: { type: 'string' },
  method: { type: 'string' },
} as const;

/** The cryptogram key for the card described by the common options. */
function cardKey(values: ToolValues): { key: Buffer; cvn: CryptogramVersion } {
  const imk = hexArg('imk', requireString(values, 'imk'), { lengths: [16] });
  const pan = digitsArg('pan', requireString(values, 'pan'), 8, 19);
  const psn = digitsArg('psn', optionalString(values, 'psn') ?? '00', 2, 2);
  const cvn = Number(choiceArg('cvn', requireString(values, 'cvn'), ['10', '18'])) as CryptogramVersion;
  const atcText = optionalString(values, 'atc');
  if (cvn === 18 && atcText === undefined) throw new UsageError('--atc: required for CVN 18');
  const atc = atcText === undefined ? undefined : hexArg('atc', atcText, { lengths: [2] });
  const mk = deriveIccMasterKeyOptionA(imk, pan, psn);
  return { key: cryptogramKeyFor(mk, cvn, atc), cvn };
}

/** `payhil tools emv arqc|arpc`: EMV application and response cryptograms from issuer test keys. */
export const run = toolRun({ usage: USAGE, options: OPTIONS, actions: ACTIONS }, (io, values, action) => {
  if (action === 'arqc') {
    const data = hexArg('data', requireString(values, 'data'), { max: 1024 });
    const { key, cvn } = cardKey(values);
    return printJson(io, { arqc: toHex(generateArqc(key, data, cvn)) });
  }

  const arqc = hexArg('arqc', requireString(values, 'arqc'), { lengths: [8] });
  const { key, cvn } = cardKey(values);
  const methodText = optionalString(values, 'method');
  const method =
    methodText === undefined ? (cvn === 10 ? 1 : 2) : Number(choiceArg('method', methodText, ['1', '2']));
  if (method === 1) {
    const arc = hexArg('arc', requireString(values, 'arc'), { lengths: [2] });
    return printJson(io, { arpc: toHex(generateArpcMethod1(key, arqc, arc)) });
  }
  const csu = hexArg('csu', requireString(values, 'csu'), { lengths: [4] });
  const padText = optionalString(values, 'pad');
  const pad = padText === undefined ? undefined : hexArg('pad', padText, { max: 8 });
  return printJson(io, { arpc: toHex(generateArpcMethod2(key, arqc, csu, pad)) });
});
