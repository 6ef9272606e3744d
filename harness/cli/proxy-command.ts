import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlApi, type ControlApi } from '../net/control-api.js';
import { ProxyCollection } from '../net/proxy-collection.js';
import { Proxy } from '../net/proxy.js';
import type { JournalEntry } from '../net/proxy-journal.js';
import { EXIT_OK, type CliIo, type Command } from './command.js';
import { UsageError } from './usage-error.js';
import { runUntilStopSignal } from './stop-signal.js';

const HELP = `usage: payhil proxy --upstream HOST:PORT [--listen HOST:PORT] [--dialect NAME]
                   [--api HOST:PORT] [--journal FILE.jsonl] [--pcap FILE] [--name NAME] [--seed N]
                   [--raw [--unmasked]] [--print]

A TCP proxy between terminal and host that decodes every ISO 8583 frame (with --dialect) into a journal
and injects network faults. Toxics and faults are switched through the control API, which speaks
Toxiproxy's API (toxiproxy-cli and Toxiproxy clients work) plus payhil's message faults.

  --listen HOST:PORT    where terminals connect (default 127.0.0.1:0: a free port, printed)
  --upstream HOST:PORT  the host simulator or acquirer test host (required)
  --dialect NAME        ISO 8583 dialect (cup, iso87-ascii, iso87-binary or a file): decode frames
  --api HOST:PORT       serve the control API there (e.g. 127.0.0.1:8474, Toxiproxy's port)
  --journal FILE        append every journal entry (frames masked) to FILE as JSON lines
  --pcap FILE           write the traffic as a pcap capture (both legs, synthesised TCP headers)
  --name NAME           proxy name in the API and journal (default payhil)
  --seed N              seed the random draws (jitter, toxicity, slicer) for reproducible runs
  --raw                 without --dialect, journal every chunk as bytes: its length only, since without
                        a dialect track data, PIN blocks and keys cannot be found and masked
  --unmasked            with --raw: also the first 256 bytes as hex, as they are (only PAN-like digit
                        runs masked): track data, PIN blocks and keys in clear. TEST DATA ONLY
  --print               print one line per journal entry (masked) on stdout

Runs until SIGINT or SIGTERM, then closes connections and flushes journal and pcap.
Exit status: 0 after a clean stop, 1 cannot listen, 2 usage error.`;

/** One line for a journal entry (already masked). */
export function describeEntry(e: JournalEntry): string {
  const head = `${e.at} #${e.seq}`;
  switch (e.kind) {
    case 'frame': {
      const arrow = e.dir === 'upstream' ? '→' : '←';
      const f = Object.entries(e.fields)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `${head} c${e.conn} ${arrow} ${e.mti} ${f}${e.fault ? `  [${e.fault.action} by ${e.fault.name}]` : ''}`;
    }
    case 'bytes':
      return `${head} c${e.conn} ${e.dir === 'upstream' ? '→' : '←'} ${e.length} bytes (${e.reason}) ${e.hex}${e.truncated ? '…' : ''}`;
    case 'connect':
      return `${head} c${e.conn} connect ${e.client} → ${e.upstream}`;
    case 'close':
      return `${head} c${e.conn} close (${e.reason})`;
    case 'toxic':
      return `${head} toxic ${e.action} ${JSON.stringify(e.toxic)}`;
    case 'fault':
      return `${head} fault ${e.action} ${JSON.stringify(e.fault)}`;
    case 'proxy':
      return `${head} proxy ${e.action}${e.detail ? ' ' + e.detail : ''}`;
  }
}

/**
 * Runs the proxy until `stop` resolves (SIGINT/SIGTERM for the command line). Exported for in-process
 * tests and benches.
 */
export async function runProxy(argv: string[], io: CliIo, stop: Promise<unknown>): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        listen: { type: 'string' },
        upstream: { type: 'string' },
        dialect: { type: 'string' },
        api: { type: 'string' },
        journal: { type: 'string' },
        pcap: { type: 'string' },
        name: { type: 'string' },
        seed: { type: 'string' },
        print: { type: 'boolean' },
        raw: { type: 'boolean' },
        unmasked: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}`);
  }
  if (values.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  const upstream = values.upstream as string | undefined;
  if (!upstream) throw new UsageError('--upstream HOST:PORT is required');
  const seedText = values.seed as string | undefined;
  if (seedText !== undefined && !/^\d{1,10}$/.test(seedText))
    throw new UsageError('--seed takes a non-negative integer');
  const file = (f: unknown): string | undefined => (typeof f === 'string' ? resolve(io.cwd, f) : undefined);
  const journalFile = file(values.journal);
  const pcapFile = file(values.pcap);
  const dialect = values.dialect as string | undefined;
  if (values.unmasked && (!values.raw || dialect))
    throw new UsageError('--unmasked applies to --raw only (a chunk journaled without --dialect)');
  let proxy: Proxy;
  try {
    proxy = new Proxy({
      name: (values.name as string | undefined) ?? 'payhil',
      listen: (values.listen as string | undefined) ?? '127.0.0.1:0',
      upstream,
      ...(dialect ? { dialect: dialect.includes('/') ? resolve(io.cwd, dialect) : dialect } : {}),
      ...(journalFile ? { journal: { jsonl: journalFile } } : {}),
      ...(pcapFile ? { pcap: pcapFile } : {}),
      ...(seedText !== undefined ? { seed: Number(seedText) } : {}),
      spyRaw: values.raw === true,
      spyRawUnmasked: values.unmasked === true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}`);
  }
  if (values.unmasked)
    io.err(
      'proxy: --unmasked: the journal shows raw bytes as they are (track data, PIN blocks, keys); test data only',
    );
  if (values.print) proxy.journal.on('entry', (e) => io.out(describeEntry(e)));
  // Proxies created over the API may name the command line's dialect (a file's, too) by its name.
  const collection = new ProxyCollection(
    proxy.dialect ? { dialects: { [proxy.dialect.name]: proxy.dialect } } : {},
  );
  let api: ControlApi | undefined;
  try {
    await proxy.start();
    collection.adopt(proxy);
    if (values.api) {
      api = await startControlApi(collection, values.api as string);
    }
  } catch (e) {
    await proxy.close();
    throw e;
  }
  io.out(
    `proxy ${proxy.name} listening on ${proxy.listen} → ${proxy.upstream}${proxy.dialect ? ` (dialect ${proxy.dialect.name})` : ''}`,
  );
  if (api) io.out(`control API on ${api.url} (Toxiproxy-compatible)`);
  await stop;
  await api?.close();
  await collection.closeAll();
  io.out(`proxy ${proxy.name} stopped`);
  return EXIT_OK;
}

export const proxyCommand: Command = {
  name: 'proxy',
  summary: 'fault-injecting, decoding TCP proxy with a Toxiproxy-compatible control API',
  run(argv: string[], io: CliIo): Promise<number> {
    // A reader that went away (a closed pipe) must not crash a long-running proxy.
    const ignore = (): void => undefined;
    process.stdout.on('error', ignore);
    return runUntilStopSignal((stop) => runProxy(argv, io, stop));
  },
};
