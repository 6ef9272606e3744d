import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  createVirtualCard,
  isContactlessAtr,
  listBundledCards,
  loadCardFixture,
  serveCardOnVpcd,
  VPCD_DEFAULT_PORT,
} from '../cards/index.js';
import type { CardInterface, VpcdHandle } from '../cards/index.js';
import { maskPan } from '../common/mask.js';
import { acquireVpcdLock, PcscDriver, readEmvCard, type CardIdentity } from '../drivers/pcsc/index.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE, type CliIo, type Command } from './command.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: payhil card <subcommand> [options]

  serve --card NAME|PATH [--vpcd HOST:PORT] [--via contact|contactless] [--remove-after MS]
        present a virtual card to pcscd through the vsmartcard virtual reader until Ctrl-C / SIGTERM
        (waits while another process uses that vpcd: one user at a time, lock /tmp/payhil-vpcd-HOST-PORT.lock)
  read [--reader NAME] [--wait MS] [--contactless] [--json]   (contactless is also detected from the ATR)
        pre-flight check of the card in a PC/SC reader: masked PAN, AIDs, expiry, PIN tries, ATC, EC balance
        (exit 0 usable, 1 missing or unusable card, 2 PC/SC not available)
  readers [--json]
        list the PC/SC readers and whether a card is present
  list [--json]
        list the bundled virtual cards`;

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true });
  } catch (e) {
    throw new UsageError(`card: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function nonNegativeInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v))
    throw new UsageError(`card: --${name} must be a whole number of milliseconds, got '${v}'`);
  return Number(v);
}

/** HOST:PORT, PORT, or HOST. */
export function parseVpcdAddress(v: string | undefined): { host: string; port: number } {
  if (v === undefined) return { host: '127.0.0.1', port: VPCD_DEFAULT_PORT };
  const m = /^(?:(.+):)?(\d+)$/.exec(v);
  const host = m ? (m[1] ?? '127.0.0.1') : v;
  const port = m ? Number(m[2]) : VPCD_DEFAULT_PORT;
  if (!host || port < 1 || port > 65535) throw new UsageError(`card: --vpcd must be HOST:PORT, got '${v}'`);
  return { host, port };
}

async function serve(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    card: { type: 'string' },
    vpcd: { type: 'string' },
    via: { type: 'string' },
    'remove-after': { type: 'string' },
  });
  const ref = values.card as string | undefined;
  if (!ref) throw new UsageError('card serve: --card NAME|PATH is required');
  const via = values.via as string | undefined;
  if (via !== undefined && via !== 'contact' && via !== 'contactless')
    throw new UsageError(`card serve: --via must be contact or contactless, got '${via}'`);
  const removeAfterMs = nonNegativeInt('remove-after', values['remove-after'] as string | undefined);
  const { host, port } = parseVpcdAddress(values.vpcd as string | undefined);
  const card = createVirtualCard(ref, { cwd: io.cwd });
  const iface =
    (via as CardInterface | undefined) ?? (card.interfaces.includes('contact') ? 'contact' : 'contactless');
  if (!card.interfaces.includes(iface))
    throw new UsageError(
      `card serve: card ${card.name} has no ${iface} interface (it has ${card.interfaces.join(', ')})`,
    );
  // One user of vpcd at a time on this machine: wait (saying for whom) while another process uses it.
  const lock = await acquireVpcdLock({
    host,
    port,
    holder: `payhil card serve ${card.name}`,
    onWait: (m) => io.err(`payhil card serve: ${m}`),
  });
  let handle: VpcdHandle;
  try {
    handle = await serveCardOnVpcd(card, { host, port, via: iface, removeAfterMs });
  } catch (e) {
    lock.release();
    throw e;
  }
  io.out(
    `card ${card.name} (${card.maskedPan}) inserted into vpcd ${host}:${port} via ${iface}; Ctrl-C removes it`,
  );
  // vpcd polls a connected card every few hundred ms; silence means it is not talking to us.
  const quiet = setTimeout(() => {
    io.err(
      `payhil card serve: vpcd has not polled the card within 3 s: another card may hold this slot (try --vpcd ${host}:${port + 1}), or pcscd runs without the vpcd driver`,
    );
  }, 3000);
  void handle.polled.then(() => clearTimeout(quiet));
  const onSignal = (): void => void handle.close();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await handle.removed;
  } finally {
    lock.release();
    clearTimeout(quiet);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  io.out(`card ${card.name} removed after ${handle.apduCount} APDUs`);
  return EXIT_OK;
}

function identityText(reader: string, id: CardIdentity): string {
  const lines = [`reader:        ${reader}`];
  if (id.atr) lines.push(`ATR:           ${id.atr}`);
  lines.push(
    `applications:  ${id.applications.map((a) => `${a.aid}${a.label ? ` (${a.label})` : ''}`).join(', ') || 'none'}`,
  );
  if (id.maskedPan) lines.push(`PAN:           ${id.maskedPan}${id.psn ? `  PSN ${id.psn}` : ''}`);
  if (id.expiry)
    lines.push(
      `expiry:        ${id.expiry.slice(2, 4)}/${id.expiry.slice(0, 2)}${id.expired ? '  EXPIRED' : ''}`,
    );
  if (id.serviceCode) lines.push(`service code:  ${id.serviceCode}`);
  if (id.pinTriesLeft !== undefined) lines.push(`PIN tries:     ${id.pinTriesLeft}`);
  if (id.atc !== undefined)
    lines.push(
      `ATC:           ${id.atc}${id.lastOnlineAtc !== undefined ? `  (last online ${id.lastOnlineAtc})` : ''}`,
    );
  if (id.ecBalance !== undefined) lines.push(`EC balance:    ${(id.ecBalance / 100).toFixed(2)}`);
  lines.push(`usable:        ${id.usable ? 'yes' : `NO: ${id.problems.join('; ') || 'no PAN read'}`}`);
  return lines.join('\n');
}

async function read(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    reader: { type: 'string' },
    wait: { type: 'string' },
    contactless: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const waitMs = nonNegativeInt('wait', values.wait as string | undefined) ?? 2000;
  const driver = new PcscDriver();
  await driver.activate();
  try {
    const readers = await driver.listReaders();
    const wanted = values.reader as string | undefined;
    if (readers.length === 0) {
      io.err('payhil card read: no PC/SC reader (plug one in, or install vsmartcard-vpcd and restart pcscd)');
      return EXIT_FAIL;
    }
    if (wanted !== undefined && !readers.includes(wanted)) {
      io.err(`payhil card read: no reader '${wanted}' (readers: ${readers.join(', ')})`);
      return EXIT_USAGE;
    }
    const status = await driver.waitForCard(wanted, waitMs);
    if (!status) {
      io.err(`payhil card read: no card in ${wanted ?? 'any reader'} after ${waitMs} ms`);
      return EXIT_FAIL;
    }
    let conn;
    try {
      conn = await driver.connect(status.name);
    } catch (e) {
      const id: CardIdentity = {
        atr: status.atr?.toString('hex').toUpperCase(),
        interface: values.contactless || isContactlessAtr(status.atr) ? 'contactless' : 'contact',
        applications: [],
        usable: false,
        problems: [`no answer from the chip (${e instanceof Error ? e.message : String(e)})`],
      };
      io.out(values.json ? JSON.stringify({ reader: status.name, ...id }) : identityText(status.name, id));
      return EXIT_FAIL;
    }
    try {
      const session = await readEmvCard((a) => conn.transmit(a), {
        atr: status.atr,
        // A contactless card is recognised by the ATR the reader builds for it (3B 8n 80 01 …).
        contactless: values.contactless === true || isContactlessAtr(status.atr),
      });
      const id = session.identity;
      io.out(values.json ? JSON.stringify({ reader: status.name, ...id }) : identityText(status.name, id));
      return id.usable ? EXIT_OK : EXIT_FAIL;
    } finally {
      await conn.disconnect().catch(() => undefined);
    }
  } finally {
    await driver.deactivate();
  }
}

async function readers(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const driver = new PcscDriver();
  await driver.activate();
  try {
    await driver.listReaders();
    await new Promise((r) => setTimeout(r, 100));
    const list = driver.readerStatus();
    if (values.json) {
      io.out(
        JSON.stringify(
          list.map((s) => ({
            name: s.name,
            present: s.present,
            mute: s.mute,
            atr: s.atr?.toString('hex').toUpperCase(),
          })),
        ),
      );
    } else if (list.length === 0) {
      io.out('no PC/SC readers');
    } else {
      for (const s of list)
        io.out(
          `${s.name}: ${s.present ? `card present${s.mute ? ' (mute)' : ''} ATR ${s.atr?.toString('hex').toUpperCase() ?? '-'}` : 'empty'}`,
        );
    }
    return EXIT_OK;
  } finally {
    await driver.deactivate();
  }
}

function list(argv: string[], io: CliIo): number {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  const cards = listBundledCards().map((name) => {
    const f = loadCardFixture(name);
    return {
      name,
      pan: maskPan(f.pan),
      expiry: f.expiry,
      serviceCode: f.serviceCode,
      interfaces: f.interfaces,
      aids: f.applications.map((a) => a.aid),
      description: f.description ?? '',
    };
  });
  if (values.json) io.out(JSON.stringify(cards));
  else
    for (const c of cards)
      io.out(
        `${c.name.padEnd(15)} ${c.pan.padEnd(20)} ${c.interfaces.join('+').padEnd(30)} ${c.description}`,
      );
  return EXIT_OK;
}

/** `payhil card …`: virtual cards through PC/SC (serve on vpcd), and reading cards in PC/SC readers. */
export const cardCommand: Command = {
  name: 'card',
  summary: 'virtual cards through PC/SC: serve a card on vpcd, read a card from a reader',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'serve':
        return serve(rest, io);
      case 'read':
        return read(rest, io);
      case 'readers':
        return readers(rest, io);
      case 'list':
        return list(rest, io);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        (sub === undefined ? io.err : io.out)(USAGE);
        return sub === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        io.err(`payhil card: unknown subcommand '${sub}'\n${USAGE}`);
        return EXIT_USAGE;
    }
  },
};
