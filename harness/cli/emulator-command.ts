import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Calendar } from '../common/calendar.js';
import { PcscDriver } from '../drivers/pcsc/index.js';
import { PcscCardSource, readerFromSpec } from '../drivers/pcsc/pcsc-card-source.js';
import {
  createTerminal,
  isDefectName,
  listBundledTerminals,
  TerminalEvents,
  TerminalProfileError,
  UnknownDefectError,
  type EmulatedTerminal,
  type HostAddress,
} from '../emulator/index.js';
import { EcrServer, SERVER_DEFAULTS } from '../emulator/ecr/index.js';
import { EcrTerminalAdapter, forwardEcrEvents } from '../emulator/ecr-terminal-adapter.js';
import { startWebUi, type WebUiHandle } from '../emulator/web/index.js';
import { NexoPoi, startNexoServer } from '../emulator/nexo/index.js';
import { readFileSync } from 'node:fs';
import { ZvtServer, ZVT_SERVER_DEFAULTS } from '../emulator/zvt/index.js';
import { EXIT_OK, type CliIo, type Command } from './command.js';
import { UsageError } from './usage-error.js';
import { runUntilStopSignal } from './stop-signal.js';

const HELP = `usage: payhil emulator --profile NAME|PATH --host HOST:PORT [--ecr serial:PATH | tcp:HOST:PORT]…
                       [--zvt serial:PATH | tcp:HOST:PORT]… [--zvt-password DIGITS]
                       [--zvt-max-clients N] [--zvt-idle-timeout SECONDS]
                       [--web HOST:PORT] [--reader vpcd | pcsc:NAME] [--defect NAME]… [--sign-in] [--baud N]
                       [--card-dir DIR]… [--ecr-max-clients N] [--ecr-idle-timeout SECONDS]
                       [--web-allow-host NAME]… [--nexo HOST:PORT [--nexo-cert PEM --nexo-key PEM]]

Runs the reference emulated terminal until SIGINT or SIGTERM.

  --profile NAME|PATH  terminal profile: a bundled name (${'${bundled}'}) or a YAML file
  --host HOST:PORT     acquirer host (or the proxy in front of it)
  --ecr serial:PATH    serve the ECR link on a serial port (e.g. one end of a socat pty pair)
  --ecr tcp:HOST:PORT  serve the ECR link on TCP (port 0 = any free port; the address is printed)
  --zvt tcp:HOST:PORT  speak ZVT (PA00P015) to a cash register on TCP (real terminals listen on 20007;
                       port 0 = any free port; the address is printed); see docs/zvt.md
  --zvt serial:PATH    speak ZVT on a serial port (DLE STX … DLE ETX CRC framing; --baud applies)
  --zvt-password DIGITS
                       the 6-digit password ZVT commands must carry (default 123456)
  --zvt-max-clients N  cash registers served at once over --zvt tcp (default ${'${zvtMaxClients}'}); one more is
                       disconnected at once
  --zvt-idle-timeout SECONDS
                       close a ZVT TCP cash register that sent nothing for this long (default ${'${zvtIdle}'}; 0 = never)
  --web HOST:PORT      serve the web UI (port 0 = any free port; the URL is printed)
  --nexo HOST:PORT     serve nexo Retailer (Sale-to-POI JSON, HTTP POST /nexo; port 0 = any free port; the
                       URL is printed); see docs/nexo.md
  --nexo-cert PEM, --nexo-key PEM
                       serve --nexo over TLS with this certificate and key
  --reader vpcd        read cards through the vpcd PC/SC reader (pcscd must run)
  --reader pcsc:NAME   read cards through the named PC/SC reader
  --defect NAME        switch a firmware defect on (repeatable)
  --sign-in            sign in at start-up
  --baud N             serial speed for --ecr serial (default 115200)
  --card-dir DIR       card fixtures (NAME.yaml) that ECR and web requests may name, besides the bundled
                       ones (repeatable); a card named over the wire is a name, never a path
  --ecr-max-clients N  cash registers served at once over --ecr tcp (default ${'${maxClients}'}); one more is
                       sent an error event TOO_MANY_CONNECTIONS and closed
  --ecr-idle-timeout SECONDS
                       close a TCP cash register that sent nothing for this long (default ${'${idle}'}; 0 = never)
  --web-allow-host NAME
                       host name the web UI answers to besides IP addresses and localhost (repeatable;
                       e.g. the lab name of this machine); other Host or Origin headers get 403

The ECR link runs in test mode (key, card and powerCycle requests are accepted); see docs/ecr-protocol.md
and docs/emulator-web.md.`;

/** Milliseconds the emulator gives its parts to close once asked to stop. */
const STOP_BUDGET_MS = 1500;

const ADDRESS = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/;

function parseAddress(flag: string, v: string): HostAddress {
  const m = ADDRESS.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`emulator: ${flag} must be HOST:PORT, got '${v}'`);
  const host = (m[1] as string).replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port };
}

type EcrSpec = { kind: 'serial'; path: string } | { kind: 'tcp'; address: HostAddress };

function parseEcr(v: string): EcrSpec {
  return parseLink('--ecr', v);
}

function parseLink(flag: string, v: string): EcrSpec {
  if (v.startsWith('serial:') && v.length > 'serial:'.length) return { kind: 'serial', path: v.slice(7) };
  if (v.startsWith('tcp:')) return { kind: 'tcp', address: parseAddress(`${flag} tcp:`, v.slice(4)) };
  throw new UsageError(`emulator: ${flag} must be serial:PATH or tcp:HOST:PORT, got '${v}'`);
}

/**
 * Runs the emulator until `stop` settles; exported for tests (the command itself stops on SIGINT/SIGTERM).
 */
export async function runEmulator(argv: string[], io: CliIo, stop: Promise<unknown>): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        profile: { type: 'string' },
        host: { type: 'string' },
        ecr: { type: 'string', multiple: true },
        zvt: { type: 'string', multiple: true },
        'zvt-password': { type: 'string' },
        'zvt-max-clients': { type: 'string' },
        'zvt-idle-timeout': { type: 'string' },
        web: { type: 'string' },
        reader: { type: 'string' },
        defect: { type: 'string', multiple: true },
        'sign-in': { type: 'boolean' },
        baud: { type: 'string' },
        'card-dir': { type: 'string', multiple: true },
        'ecr-max-clients': { type: 'string' },
        'ecr-idle-timeout': { type: 'string' },
        'web-allow-host': { type: 'string', multiple: true },
        nexo: { type: 'string' },
        'nexo-cert': { type: 'string' },
        'nexo-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError(`emulator: ${(e as Error).message}`);
  }
  if (values.help) {
    io.out(
      HELP.replace('${bundled}', listBundledTerminals().join(', '))
        .replace('${maxClients}', String(SERVER_DEFAULTS.maxConnections))
        .replace('${idle}', String(SERVER_DEFAULTS.idleTimeoutMs / 1000))
        .replace('${zvtMaxClients}', String(ZVT_SERVER_DEFAULTS.maxConnections))
        .replace('${zvtIdle}', String(ZVT_SERVER_DEFAULTS.idleTimeoutMs / 1000)),
    );
    return EXIT_OK;
  }
  if (!values.profile) throw new UsageError('emulator: --profile NAME|PATH is required');
  if (!values.host) throw new UsageError('emulator: --host HOST:PORT is required');
  const host = parseAddress('--host', values.host);
  const ecr = (values.ecr ?? []).map(parseEcr);
  const zvt = (values.zvt ?? []).map((v) => parseLink('--zvt', v));
  const zvtPassword = values['zvt-password'];
  if (zvtPassword !== undefined && !/^\d{6}$/.test(zvtPassword))
    throw new UsageError(`emulator: --zvt-password must be 6 digits, got '${zvtPassword}'`);
  const web = values.web !== undefined ? parseAddress('--web', values.web) : undefined;
  const nexo = values.nexo !== undefined ? parseAddress('--nexo', values.nexo) : undefined;
  if ((values['nexo-cert'] === undefined) !== (values['nexo-key'] === undefined))
    throw new UsageError('emulator: --nexo-cert and --nexo-key go together');
  if (values['nexo-cert'] !== undefined && !nexo) throw new UsageError('emulator: --nexo-cert needs --nexo');
  let nexoTls: { cert: Buffer; key: Buffer } | undefined;
  if (values['nexo-cert'] !== undefined && values['nexo-key'] !== undefined) {
    const read = (flag: string, p: string): Buffer => {
      try {
        return readFileSync(resolvePath(io.cwd, p));
      } catch (e) {
        throw new UsageError(`emulator: ${flag} ${p}: ${(e as Error).message}`);
      }
    };
    nexoTls = { cert: read('--nexo-cert', values['nexo-cert']), key: read('--nexo-key', values['nexo-key']) };
  }
  const defects = values.defect ?? [];
  for (const d of defects) if (!isDefectName(d)) throw new UsageError(`emulator: unknown --defect '${d}'`);
  if (values.reader !== undefined && !/^(vpcd|pcsc:.+)$/.test(values.reader))
    throw new UsageError(`emulator: --reader must be vpcd or pcsc:NAME, got '${values.reader}'`);
  const baudRate = values.baud !== undefined ? Number(values.baud) : undefined;
  if (baudRate !== undefined && !(Number.isInteger(baudRate) && baudRate > 0))
    throw new UsageError(`emulator: --baud must be a positive integer, got '${values.baud}'`);
  const maxConnections = wholeNumber('--ecr-max-clients', values['ecr-max-clients'], 1);
  const idleSeconds = wholeNumber('--ecr-idle-timeout', values['ecr-idle-timeout'], 0);
  const zvtMaxConnections = wholeNumber('--zvt-max-clients', values['zvt-max-clients'], 1);
  const zvtIdleSeconds = wholeNumber('--zvt-idle-timeout', values['zvt-idle-timeout'], 0);
  const allowedHosts = values['web-allow-host'] ?? [];
  for (const h of allowedHosts)
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(h))
      throw new UsageError(`emulator: --web-allow-host must be a host name, got '${h}'`);
  const cardDirs = (values['card-dir'] ?? []).map((d) => resolvePath(io.cwd, d));
  const profile = /[\\/]|\.ya?ml$/.test(values.profile)
    ? resolvePath(io.cwd, values.profile)
    : values.profile;

  const events = new TerminalEvents();
  // The terminal's clock survives a power cycle, as a real terminal's does.
  const calendar = new Calendar();
  const make = (): Promise<EmulatedTerminal> => createTerminal({ profile, host, defects, events, calendar });
  let terminal: EmulatedTerminal;
  try {
    terminal = await make();
  } catch (e) {
    if (e instanceof TerminalProfileError || e instanceof UnknownDefectError)
      throw new UsageError(`emulator: ${(e as Error).message}`);
    throw e;
  }
  const adapter = new EcrTerminalAdapter({
    terminal: () => terminal,
    cardDirs,
    firmware: 'payhil-emulator',
    powerCycle: async () => {
      const old = terminal;
      await old.close();
      terminal = await make();
    },
  });

  const closers: (() => Promise<void>)[] = [];
  // Whatever the clients do, the emulator stops soon after SIGTERM: a part that does not close within
  // the budget is left behind (its sockets were destroyed by then or die with the process).
  const closeAll = async (): Promise<void> => {
    const until = Date.now() + STOP_BUDGET_MS;
    for (const c of closers.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, until - Date.now()));
      });
      await Promise.race([c().catch(() => undefined), late]);
      clearTimeout(timer);
    }
    closers.length = 0;
  };
  try {
    io.out(
      `payhil emulator: terminal ${terminal.profile.name} (${terminal.profile.kind}, ${terminal.profile.dialect}), host ${host.host}:${host.port}` +
        (defects.length ? `, defects ${defects.join(' ')}` : ''),
    );
    closers.push(async () => terminal.close());
    if (ecr.length) {
      const server = new EcrServer({
        handler: adapter.handler,
        testMode: true,
        ...(maxConnections !== undefined ? { maxConnections } : {}),
        ...(idleSeconds !== undefined ? { idleTimeoutMs: idleSeconds * 1000 } : {}),
        onLinkEvent: (e) => {
          if (e.type === 'open') io.out(`payhil emulator: ECR ${e.link} connected`);
          else if (e.type === 'refused') io.out(`payhil emulator: ECR ${e.link} refused: ${e.error.message}`);
          else io.out(`payhil emulator: ECR ${e.link} closed${e.error ? `: ${e.error.message}` : ''}`);
        },
      });
      closers.push(() => server.close());
      const unforward = forwardEcrEvents(
        events,
        (e) => server.pushEvent(e),
        (e) => server.pushTrace(e),
      );
      closers.push(async () => unforward());
      for (const spec of ecr) {
        if (spec.kind === 'tcp') {
          const a = await server.listenTcp(spec.address);
          io.out(`payhil emulator: ECR listening on tcp ${a.host}:${a.port}`);
        } else {
          await server.openSerial(spec.path, baudRate !== undefined ? { baudRate } : {});
          io.out(`payhil emulator: ECR on serial ${spec.path}`);
        }
      }
    }
    if (zvt.length) {
      const server = new ZvtServer({
        terminal: () => terminal,
        events,
        ...(zvtPassword !== undefined ? { password: zvtPassword } : {}),
        ...(zvtMaxConnections !== undefined ? { maxConnections: zvtMaxConnections } : {}),
        ...(zvtIdleSeconds !== undefined ? { idleTimeoutMs: zvtIdleSeconds * 1000 } : {}),
        onLinkEvent: (e) =>
          io.out(`payhil emulator: ZVT ${e.link} ${e.type}${e.detail ? `: ${e.detail}` : ''}`),
      });
      closers.push(() => server.close());
      for (const spec of zvt) {
        if (spec.kind === 'tcp') {
          const a = await server.listenTcp(spec.address);
          io.out(`payhil emulator: ZVT listening on tcp ${a.host}:${a.port}`);
        } else {
          await server.openSerial(spec.path, baudRate !== undefined ? { baudRate } : {});
          io.out(`payhil emulator: ZVT on serial ${spec.path}`);
        }
      }
    }
    if (values.reader !== undefined) {
      const reader = readerFromSpec(values.reader);
      const driver = new PcscDriver();
      await driver.activate();
      closers.push(() => driver.deactivate());
      const source = new PcscCardSource({ driver, reader, slot: () => terminal.cardSlot });
      await source.start();
      closers.push(() => source.stop());
      io.out(`payhil emulator: reading cards through PC/SC reader '${reader}'`);
    }
    let ui: WebUiHandle | undefined;
    if (web) {
      ui = await startWebUi({ adapter, events, host: web.host, port: web.port, allowedHosts });
      const handle = ui;
      closers.push(() => handle.close());
      io.out(`payhil emulator: web UI on ${ui.url}`);
    }
    if (nexo) {
      const poi = new NexoPoi({ terminal: () => terminal, events });
      const endpoint = await startNexoServer({
        poi,
        host: nexo.host,
        port: nexo.port,
        allowedHosts,
        ...(nexoTls ? { tls: nexoTls } : {}),
      });
      closers.push(() => endpoint.close());
      io.out(`payhil emulator: nexo on ${endpoint.url} (POIID ${poi.poiId})`);
    }
    if (values['sign-in']) {
      const r = await terminal.signIn();
      io.out(
        `payhil emulator: sign-in ${r.outcome}${r.responseCode ? ` (${r.responseCode})` : ''}: ${r.message}`,
      );
    }
    io.out('payhil emulator: ready');
    await stop;
  } finally {
    await closeAll();
  }
  io.out('payhil emulator: stopped');
  return EXIT_OK;
}

/** A whole-number flag value of at least `min`, or undefined when the flag is absent. */
function wholeNumber(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  if (!(n >= min))
    throw new UsageError(`emulator: ${flag} must be a whole number of at least ${min}, got '${v}'`);
  return n;
}

function resolvePath(cwd: string, p: string): string {
  return isAbsolute(p) ? p : resolve(cwd, p);
}

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: 'reference emulated terminal with ECR link, nexo, web UI and PC/SC reader mode',
  run: (argv, io) => runUntilStopSignal((stop) => runEmulator(argv, io, stop)),
};
