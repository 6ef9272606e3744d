/**
 * `payhil tools iso8583 decode|encode`: ISO 8583 frames to JSON and back, through a dialect.
 *
 *   decode --dialect NAME (--hex HEX | --file F) [--body] [--mask]
 *     → {"mti": "0200", "fields": {"3": "000000", …}, "tpdu": …, "header": …}
 *   encode --dialect NAME --json FILE|- [--body]
 *     → {"hex": "…"}
 *
 * A frame is what travels on the wire (length prefix, TPDU, header, MTI, bitmap, fields); `--body`
 * reads or writes only MTI + bitmap + fields.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_OK, type CliIo } from './command.js';
import { UsageError } from './usage-error.js';
import { loadDialect } from '../iso8583/dialect-loader.js';
import {
  decodeFrame,
  decodeMessage,
  encodeFrame,
  encodeMessage,
  type DecodedFrame,
} from '../iso8583/message-codec.js';
import type { Dialect } from '../iso8583/dialect-types.js';
import { maskFields } from '../iso8583/frame-masking.js';

const USAGE = [
  'usage: payhil tools iso8583 decode --dialect NAME (--hex HEX | --file F) [--body] [--mask]',
  '       payhil tools iso8583 encode --dialect NAME --json FILE|- [--body]',
  '',
  '  --dialect  cup, iso87-ascii, iso87-binary, or a path to your own dialect YAML',
  '  --hex      the frame as hex (spaces allowed); --file: raw bytes (hex text if named *.hex or *.txt)',
  '  --body     MTI + bitmap + fields only (no length prefix, TPDU or header)',
  '  --mask     mask as journals and reports do: PAN 6/4; track, PIN and key fields redacted; field 55 by the EMV tag list',
  '  --json     a JSON message {"mti", "fields": {"N": "value"}, "tpdu"?, "header"?}; - reads stdin',
].join('\n');

const OPTIONS = {
  dialect: { type: 'string' },
  hex: { type: 'string' },
  file: { type: 'string' },
  json: { type: 'string' },
  body: { type: 'boolean' },
  mask: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

function parse(argv: string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    return { values: values as Values, positionals };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const quoted = /'([^']+)'/.exec(err.message ?? '')?.[1]?.split(' ')[0] ?? 'arguments';
    if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${quoted}: unknown option`);
    if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${quoted}: needs a value`);
    throw new UsageError(`${quoted}: ${err.message ?? 'bad arguments'}`);
  }
}

function dialectOf(values: Values, io: CliIo): Dialect {
  if (values.dialect === undefined || values.dialect === '')
    throw new UsageError('--dialect: required (cup, iso87-ascii, iso87-binary or a file)');
  return loadDialect(values.dialect, io.cwd);
}

function hexToBytes(arg: string, text: string): Buffer {
  const hex = text.replace(/\s+/g, '');
  if (hex.length === 0) throw new UsageError(`${arg}: empty`);
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new UsageError(`${arg}: not hex (0-9, A-F and spaces only)`);
  if (hex.length % 2 !== 0) throw new UsageError(`${arg}: odd number of hex digits (${hex.length})`);
  return Buffer.from(hex, 'hex');
}

function readInput(arg: string, file: string, io: CliIo): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(resolve(io.cwd, file));
  } catch (e) {
    throw new UsageError(
      `${arg}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function decode(values: Values, io: CliIo): number {
  const d = dialectOf(values, io);
  if ((values.hex === undefined) === (values.file === undefined))
    throw new UsageError('--hex/--file: give exactly one of them');
  let bytes: Buffer;
  if (values.hex !== undefined) bytes = hexToBytes('--hex', values.hex);
  else {
    const file = values.file as string;
    const raw = readInput('--file', file, io);
    bytes = /\.(hex|txt)$/i.test(file) ? hexToBytes('--file', raw.toString('latin1')) : raw;
  }
  const msg: DecodedFrame = values.body ? decodeMessage(d, bytes) : decodeFrame(d, bytes);
  // --mask: the one masking table of journals and reports (field 55 by the tag dictionary's list).
  const result: Record<string, unknown> = {
    mti: msg.mti,
    fields: values.mask ? maskFields(d, msg.fields) : msg.fields,
  };
  if (msg.tpdu !== undefined) result.tpdu = msg.tpdu;
  if (msg.header !== undefined) result.header = msg.header;
  io.out(JSON.stringify(result));
  return EXIT_OK;
}

/** Reads the JSON message and checks its shape (string values, numeric field keys). */
function messageFromJson(text: string): DecodedFrame {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--json: not valid JSON: ${(e as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UsageError('--json: expected an object {"mti", "fields"}');
  const obj = data as Record<string, unknown>;
  if (typeof obj.mti !== 'string') throw new UsageError('--json: "mti" must be a string such as "0200"');
  if (obj.fields === null || typeof obj.fields !== 'object' || Array.isArray(obj.fields))
    throw new UsageError('--json: "fields" must be an object of field number → string value');
  const fields: Record<number, string> = {};
  for (const [key, value] of Object.entries(obj.fields as Record<string, unknown>)) {
    const number = /^\d{1,3}$/.test(key) ? Number(key) : NaN;
    if (!(number >= 2 && number <= 128))
      throw new UsageError(`--json: field key "${key}" is not a field number (2-128)`);
    if (typeof value !== 'string')
      throw new UsageError(`--json: field ${key} must be a string (write "000000", not 000000)`);
    fields[Number(key)] = value;
  }
  const msg: DecodedFrame = { mti: obj.mti, fields };
  for (const part of ['tpdu', 'header'] as const) {
    const v = obj[part];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new UsageError(`--json: "${part}" must be a hex string`);
    msg[part] = v;
  }
  return msg;
}

function encode(values: Values, io: CliIo): number {
  const d = dialectOf(values, io);
  if (values.json === undefined || values.json === '')
    throw new UsageError('--json: required (a file, or - for stdin)');
  const msg = messageFromJson(readInput('--json', values.json, io).toString('utf8'));
  const bytes = values.body ? encodeMessage(d, msg) : encodeFrame(d, msg);
  io.out(JSON.stringify({ hex: bytes.toString('hex').toUpperCase() }));
  return EXIT_OK;
}

/** Entry point called by `payhil tools iso8583 …`. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv);
  const [action, ...extra] = positionals;
  if (values.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  if (extra.length > 0) throw new UsageError(`${extra[0]}: unexpected argument`);
  switch (action) {
    case 'decode':
      if (values.json !== undefined) throw new UsageError('--json: only for encode');
      return decode(values, io);
    case 'encode':
      if (values.hex !== undefined || values.file !== undefined || values.mask)
        throw new UsageError(
          `${values.hex !== undefined ? '--hex' : values.file !== undefined ? '--file' : '--mask'}: only for decode`,
        );
      return encode(values, io);
    case undefined:
      throw new UsageError('action: expected decode or encode (see --help)');
    default:
      throw new UsageError(`${action}: unknown action (decode or encode)`);
  }
}
