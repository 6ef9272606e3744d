import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startHost } from '../host/index.js';
import { EXIT_OK, type CliIo, type Command } from './command.js';
import { UsageError } from './usage-error.js';
import { runUntilStopSignal } from './stop-signal.js';

const HELP = `usage: payhil host --dialect NAME --listen HOST:PORT [--config FILE] [--journal FILE.jsonl] [--replay DIR]

Runs the acquirer/issuer host simulator until SIGINT or SIGTERM.

  --dialect NAME     ISO 8583 dialect: cup, iso87-ascii, iso87-binary, or a dialect YAML file
  --listen HOST:PORT address to listen on (port 0 = any free port; the address is printed)
  --config FILE      host configuration YAML (default: fixtures/hosts/default.yaml)
  --journal FILE     append every message in and out (masked) to this JSONL file
  --replay DIR       answer from a session recorded by \`payhil record\` (DIR/replay-host.yaml): matched
                     by MTI, processing code, amount and card; sign-in keys, MACs and ARPC computed for
                     this session; a request with no recorded answer gets 96 and a journal event
                     (docs/record-replay.md)`;

/**
 * Runs the host until `stop` settles; exported for tests (the command itself stops on SIGINT/SIGTERM).
 */
export async function runHost(argv: string[], io: CliIo, stop: Promise<unknown>): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dialect: { type: 'string' },
        listen: { type: 'string' },
        config: { type: 'string' },
        journal: { type: 'string' },
        replay: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`host: ${(e as Error).message}`);
  }
  if (values.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  if (!values.dialect)
    throw new UsageError('host: --dialect NAME is required (cup, iso87-ascii, iso87-binary)');
  if (!values.listen) throw new UsageError('host: --listen HOST:PORT is required');
  if (!/^(\[[^\]]+\]|[^:]*):\d{1,5}$/.test(values.listen))
    throw new UsageError(`host: --listen must be HOST:PORT, got '${values.listen}'`);
  const journalFile = values.journal ? resolve(io.cwd, values.journal) : undefined;
  if (journalFile) {
    try {
      closeSync(openSync(journalFile, 'a'));
    } catch (e) {
      throw new UsageError(`host: --journal: cannot write ${journalFile}: ${(e as Error).message}`);
    }
  }
  const dialect =
    values.dialect.endsWith('.yaml') || values.dialect.endsWith('.yml')
      ? resolve(io.cwd, values.dialect)
      : values.dialect;
  const host = await startHost({
    dialect,
    listen: values.listen,
    ...(values.config ? { config: resolve(io.cwd, values.config) } : {}),
    ...(journalFile ? { journalFile } : {}),
    ...(values.replay ? { replay: resolve(io.cwd, values.replay) } : {}),
    log: (line) => io.err(line),
  });
  io.out(
    `payhil host: ${host.dialect.name} host listening on ${host.address.host}:${host.address.port}${values.replay ? ` (replaying ${values.replay})` : ''}`,
  );
  await stop;
  const total = host.journal.total;
  await host.close();
  io.out(`payhil host: stopped (${total} journal entries)`);
  return EXIT_OK;
}

export const hostCommand: Command = {
  name: 'host',
  summary: 'acquirer/issuer host simulator',
  run: (argv, io) => runUntilStopSignal((stop) => runHost(argv, io, stop)),
};
