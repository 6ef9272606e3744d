import { isPayhilError } from '../common/payhil-error.js';
import { EXIT_USAGE, processIo, type CliIo } from './command.js';
import { commands } from './commands.js';

function usage(io: CliIo): void {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  io.out('usage: payhil <command> [options]\n\ncommands:');
  for (const [name, c] of Object.entries(commands)) io.out(`  ${name.padEnd(width)}  ${c.summary}`);
  io.out('\nRun `payhil <command> --help` for the options of one command.');
}

/** Runs one payhil invocation and returns its exit code; never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    usage(io);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.err(`payhil: unknown command '${name}' (see 'payhil --help')`);
    return EXIT_USAGE;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (e) {
    if (isPayhilError(e)) {
      io.err(`payhil ${name}: ${e.message}`);
      return e.verdict === 'usage' ? EXIT_USAGE : 1;
    }
    // An unexpected fault is a bug in payhil: one line, with the stack only when debugging.
    const err = e instanceof Error ? e : new Error(String(e));
    io.err(`payhil ${name}: internal error: ${err.message}`);
    if (process.env.PAYHIL_DEBUG) io.err(err.stack ?? '');
    return 70;
  }
}
