import { EXIT_USAGE, type CliIo, type Command } from './command.js';

/**
 * `payhil tools <tool> …`: a payments calculator for lab people. Every tool prints one JSON object on
 * stdout with hex in upper case; bad arguments give a one-line error naming the argument and exit 2.
 * Each tool lives in its own `tools-<name>.ts` exporting `run(argv, io)`.
 */
const tools: Record<
  string,
  { summary: string; load: () => Promise<(argv: string[], io: CliIo) => Promise<number>> }
> = {
  kcv: { summary: 'key check value of a key', load: async () => (await import('./tools-kcv.js')).run },
  pinblock: {
    summary: 'ISO 9564 PIN block (formats 0, 1, 3)',
    load: async () => (await import('./tools-pinblock.js')).run,
  },
  mac: {
    summary: 'MAC: cup-ecb, x9.9, x9.19, iso9797-1-m1',
    load: async () => (await import('./tools-mac.js')).run,
  },
  key: {
    summary: 'encrypt/decrypt a working key under a KEK',
    load: async () => (await import('./tools-key.js')).run,
  },
  iso8583: {
    summary: 'decode/encode an ISO 8583 message',
    load: async () => (await import('./tools-iso8583.js')).run,
  },
  tlv: { summary: 'decode BER-TLV with tag names', load: async () => (await import('./tools-tlv.js')).run },
  emv: { summary: 'EMV ARQC / ARPC', load: async () => (await import('./tools-emv.js')).run },
};

export const toolsCommand: Command = {
  name: 'tools',
  summary: 'payments calculator',
  async run(argv, io) {
    const [name, ...rest] = argv;
    const tool = name === undefined ? undefined : tools[name];
    if (!tool) {
      if (name !== undefined && name !== '--help') io.err(`payhil tools: unknown tool '${name}'`);
      io.err('usage: payhil tools <tool> [options]\n');
      for (const [n, t] of Object.entries(tools)) io.err(`  ${n.padEnd(9)} ${t.summary}`);
      return EXIT_USAGE;
    }
    return (await tool.load())(rest, io);
  },
};
