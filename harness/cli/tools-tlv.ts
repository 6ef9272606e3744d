/**
 * `payhil tools tlv decode --hex HEX [--mask]`: BER-TLV → JSON list of `{tag, name, value, children?}`
 * (hex upper case). Bad input → one line naming the argument (and the byte offset), exit 2.
 */
import { describeTlv, parseTlv, TlvError } from '../emv/index.js';
import { EXIT_OK, type CliIo } from './command.js';
import { UsageError } from './usage-error.js';
import { parseCommandArgs } from './command-args.js';

const USAGE = 'usage: payhil tools tlv decode --hex HEX [--mask]';

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('tlv', {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { hex: { type: 'string' }, mask: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  const [action, ...extra] = positionals;
  if (action !== 'decode') throw new UsageError(`tlv: expected 'decode' (${USAGE})`);
  if (extra.length > 0) throw new UsageError(`tlv decode: unexpected argument '${extra[0]}'`);
  if (values.hex === undefined) throw new UsageError('tlv decode: --hex is required');
  const bytes = hexArgument('--hex', values.hex);
  try {
    const nodes = parseTlv(bytes);
    io.out(JSON.stringify(describeTlv(nodes, { mask: values.mask ?? false }), null, 2));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof TlvError) throw new UsageError(`tlv decode: --hex: ${e.message}`);
    throw e;
  }
}

/** Hex from the command line: whitespace allowed between digits; anything else names its position. */
function hexArgument(name: string, text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0) throw new UsageError(`tlv decode: ${name} is empty`);
  const bad = compact.search(/[^0-9A-Fa-f]/);
  if (bad >= 0)
    throw new UsageError(`tlv decode: ${name}: '${compact[bad]}' at hex digit ${bad} is not hexadecimal`);
  if (compact.length % 2 !== 0)
    throw new UsageError(`tlv decode: ${name}: odd number of hex digits (${compact.length})`);
  return Buffer.from(compact, 'hex');
}
