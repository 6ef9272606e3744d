import { accessSync, constants, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExchangePairing, Proxy } from '../net/index.js';
import { writeRecording } from '../runner/recording-writer.js';
import { loadScenarioFiles } from '../scenario/index.js';
import { EXIT_FAIL, EXIT_OK, type CliIo, type Command } from './command.js';
import { labDuration } from './lab-duration.js';
import { UsageError } from './usage-error.js';
import { runUntilStopSignal } from './stop-signal.js';

const HELP = `usage: payhil record --upstream HOST:PORT -o DIR [--listen HOST:PORT] [--dialect NAME] [--id ID]
                    [--card FIXTURE] [--count N] [--for DURATION] [--within DURATION]

Sits as the spy between a terminal and an acquirer (test) host: forwards the bytes unchanged both ways,
decodes every ISO 8583 message, and on stop writes the session as
  DIR/scenario.yaml      a scenario: the driving steps inferred from the messages (sign-in, purchase,
                         balance, settlement; insert/tap/swipe from field 22; the card fixture's PIN)
                         and the observed exchanges as expectations (MTI, 3, 22, 4, 39, presence of
                         52/55/64; no STAN, time, RRN or MAC value); it runs against the replay host
  DIR/replay-host.yaml   the replay host fixture for \`payhil host --replay DIR\` (and the scenario's
                         host.replay): answers matched by MTI, processing code, amount and card
Neither file holds a clear PAN, track, PIN block or key (docs/record-replay.md).

  --listen HOST:PORT    where the terminal connects (default 127.0.0.1:0: a free port, printed)
  --upstream HOST:PORT  the acquirer test host or host simulator (required)
  -o, --out DIR         the recording folder (created)
  --dialect NAME        ISO 8583 dialect (default cup)
  --id ID               the scenario's id (default recorded/<date-time>)
  --card FIXTURE        the card fixture the scenario presents for a PAN no bundled card fixture has
  --count N             stop after N answered exchanges
  --for DURATION        stop after this long (30s, 15m, 2h)
  --within DURATION     how long each host expectation of the scenario waits (default 30s)

Stops on SIGINT/SIGTERM, --count or --for, then writes the files.
Exit status: 0 written, 1 nothing drivable was recorded or the scenario did not load, 2 usage error.`;

/** Runs the recorder until `stop` (or --count / --for); exported for in-process tests. */
export async function runRecord(argv: string[], io: CliIo, stop: Promise<unknown>): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        upstream: { type: 'string' },
        out: { type: 'string', short: 'o' },
        dialect: { type: 'string' },
        id: { type: 'string' },
        card: { type: 'string' },
        count: { type: 'string' },
        for: { type: 'string' },
        within: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError(`record: ${(e as Error).message}`);
  }
  if (values.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  if (!values.upstream) throw new UsageError('record: --upstream HOST:PORT is required');
  if (!values.out) throw new UsageError('record: -o DIR is required');
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && (!Number.isInteger(count) || count < 1))
    throw new UsageError(`record: --count takes a whole number above 0, got '${values.count}'`);
  const forMs = values.for === undefined ? undefined : labDuration(values.for, 'record: --for');
  if (values.within !== undefined) labDuration(values.within, 'record: --within');
  const id = values.id ?? `recorded/${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(id))
    throw new UsageError(`record: --id '${id}' must be letters, digits, '-', '_', '.', '/'`);
  const dialectName = values.dialect ?? 'cup';
  const dialect =
    dialectName.endsWith('.yaml') || dialectName.endsWith('.yml')
      ? resolve(io.cwd, dialectName)
      : dialectName;
  const dir = resolve(io.cwd, values.out);
  // Checked before the first byte is recorded: a session must not be lost for want of a folder.
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`record: -o: cannot write to ${dir}: ${(e as Error).message}`);
  }

  const pairing = new ExchangePairing();
  let proxy: Proxy;
  try {
    proxy = new Proxy({
      name: 'record',
      listen: values.listen ?? '127.0.0.1:0',
      upstream: values.upstream,
      dialect,
      onMessage: ({ conn, dir: d, message }) => pairing.add(conn, d, message),
    });
  } catch (e) {
    throw new UsageError(`record: ${(e as Error).message}`);
  }
  let enough: () => void = () => undefined;
  const done = new Promise<void>((r) => (enough = r));
  if (count !== undefined) pairing.onAnswered = () => void (pairing.answered >= count && enough());
  const timer = forMs === undefined ? undefined : setTimeout(enough, forMs);
  await proxy.start();
  io.out(
    `payhil record: listening on ${proxy.listen} → ${proxy.upstream} (dialect ${proxy.dialect?.name ?? dialectName})`,
  );
  await Promise.race([stop, done]);
  if (timer) clearTimeout(timer);
  await proxy.close();

  const source = `${proxy.listen} → ${proxy.upstream}`;
  const result = writeRecording(dir, pairing.exchanges, {
    id,
    dialect: proxy.dialect?.name ?? dialectName,
    ...(values.card ? { cardFixture: values.card } : {}),
    ...(values.within ? { within: values.within } : {}),
    source,
  });
  io.out(
    `payhil record: ${pairing.exchanges.length} exchanges (${pairing.answered} answered) → ${result.scenarioFile} (${result.expected} expectations), ${result.replayFile} (${result.replayed} requests)`,
  );
  for (const s of result.skipped) io.err(`payhil record: left out of the scenario: ${s}`);
  if (pairing.dropped > 0)
    io.err(`payhil record: ${pairing.dropped} requests past the first ${pairing.limit} were not recorded`);
  if (pairing.strayAnswers > 0) io.err(`payhil record: ${pairing.strayAnswers} answers matched no request`);
  if (result.expected === 0) {
    io.err('payhil record: nothing a scenario step can drive was recorded; the scenario has no steps');
    return EXIT_FAIL;
  }
  const loaded = loadScenarioFiles([result.scenarioFile]);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) io.err(`payhil record: ${d.file}:${d.line}:${d.col}: ${d.message}`);
  return errors.length > 0 ? EXIT_FAIL : EXIT_OK;
}

export const recordCommand: Command = {
  name: 'record',
  summary: 'spy between terminal and acquirer: write the session as a scenario and a replay host',
  run: (argv, io) => runUntilStopSignal((stop) => runRecord(argv, io, stop)),
};
