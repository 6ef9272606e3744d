/**
 * The simulated card multiplexer and robot of `payhil mux-sim`: a rack of payhil's virtual cards
 * (slot → fixture) presented to pcscd through vpcd by a `PcscCardPresenter`, so a terminal that reads
 * PC/SC (the emulator with `--reader vpcd`) sees the card of the selected slot; robot key presses go to
 * the terminal's keypad through its ECR test-mode channel (`key` requests).
 *
 * The mux side answers the line protocol (docs/mux-robot.md) on a serial port (one end of a socat pty
 * pair) or on TCP connections; the robot side answers GRANT-style `GET /arm/…` on HTTP. Both bind
 * 127.0.0.1 by default, read with bounds (lines of 256 bytes, URLs of 2 KiB) and keep serving after
 * garbage. Faults for tests of the bench: `silent` (the mux reads and never answers), `wrongCards`
 * (slot → the card really in it, reported and presented), `jam` (the mux answers `ERR JAM`, the robot
 * reports state `jam` and answers moves with 409).
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { serialPortClass, type SerialPort } from '../../common/serial-port.js';
import { createLogger } from '../../common/logger.js';
import { EcrClient, type EcrKey } from '../../emulator/ecr/index.js';
import { PcscCardPresenter } from '../pcsc/index.js';
import { LineSplitter } from './line-splitter.js';

const log = createLogger('payhil:mux-sim');

export interface MuxSimulatorOptions {
  /** Slot number → card fixture name (what the lab file expects there). */
  slots: Record<number, string>;
  /** Slot number → the fixture really in that slot (a misplaced card), reported and presented. */
  wrongCards?: Record<number, string>;
  /** Slot number → the fixture really in that slot while the mux reports the expected one (a mislabeled card). */
  mislabeled?: Record<number, string>;
  /** vpcd port of the monitor port's reader (35964: 'Virtual PCD 00 01'); undefined: no monitor port. */
  monitorVpcdPort?: number;
  /** The mux reads commands and never answers. */
  silent?: boolean;
  /** The switch (and the robot arm) is jammed. */
  jam?: boolean;
  /** Only the robot arm is jammed. */
  jamRobot?: boolean;
  /** vpcd's port (35963: reader 'Virtual PCD 00 00'). */
  vpcdPort?: number;
  /** The terminal's ECR test-mode channel for robot key presses (host:port). */
  keysTo?: { host: string; port: number };
  /** Replaces the vpcd presenter (unit tests). */
  presenter?: Pick<PcscCardPresenter, 'cards' | 'activate' | 'deactivate'>;
}

/** Slots a simulated mux has. */
export const SIM_SLOTS = 16;

const JAM_TEXT = 'switch arm stuck between slots';

export class MuxSimulator {
  private readonly presenter: Pick<PcscCardPresenter, 'cards' | 'activate' | 'deactivate'>;
  private readonly inSlot = new Map<number, string>();
  /** What the mux says is in a slot (differs from inSlot for a mislabeled card). */
  private readonly labels = new Map<number, string>();
  private readonly monitorPresenter: Pick<PcscCardPresenter, 'cards' | 'activate' | 'deactivate'> | undefined;
  private selected: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private serial: SerialPort | undefined;
  private tcp: TcpServer | undefined;
  private http: HttpServer | undefined;
  private readonly sockets = new Set<Socket>();
  private ecr: EcrClient | undefined;
  /** Commands answered (for the CLI's closing line). */
  answered = 0;

  constructor(private readonly options: MuxSimulatorOptions) {
    for (const [n, card] of Object.entries(options.slots)) this.inSlot.set(Number(n), card);
    for (const [n, card] of Object.entries(options.wrongCards ?? {})) this.inSlot.set(Number(n), card);
    for (const [n, card] of this.inSlot) this.labels.set(n, card);
    for (const [n, card] of Object.entries(options.mislabeled ?? {})) this.inSlot.set(Number(n), card);
    this.monitorPresenter =
      options.monitorVpcdPort !== undefined
        ? new PcscCardPresenter({ vpcdPort: options.monitorVpcdPort })
        : undefined;
    this.presenter =
      options.presenter ??
      new PcscCardPresenter(options.vpcdPort !== undefined ? { vpcdPort: options.vpcdPort } : {});
  }

  /** Takes vpcd (its lock) and makes the rack's cards. */
  async start(): Promise<void> {
    await this.presenter.activate();
    const map: Record<string, string> = {};
    for (const [n, card] of this.inSlot) map[`slot${n}`] = card;
    await this.presenter.cards.prepare(map);
    if (this.monitorPresenter) {
      await this.monitorPresenter.activate();
      await this.monitorPresenter.cards.prepare(map);
    }
  }

  /** Serves the line protocol on a serial port (e.g. one end of a socat pty pair). */
  async listenSerial(path: string, baudRate = 9600): Promise<void> {
    const SerialPort = await serialPortClass();
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    this.serial = port;
    const splitter = new LineSplitter();
    port.on('data', (b: Buffer) => this.onBytes(splitter, b, (s) => void port.write(s)));
    port.on('error', (e: Error) => log('serial error: %s', e.message));
  }

  /** Serves the line protocol on TCP; resolves with the bound port. */
  async listenTcp(host: string, port: number): Promise<number> {
    const server = createTcpServer((socket) => {
      this.sockets.add(socket);
      const splitter = new LineSplitter();
      socket.on('data', (b: Buffer) =>
        this.onBytes(splitter, b, (s) => void (socket.writable && socket.write(s))),
      );
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.tcp = server;
    return listen(server, host, port);
  }

  /** Serves the robot's HTTP API; resolves with the bound port. */
  async listenRobot(host: string, port: number): Promise<number> {
    const server = createHttpServer({ maxHeaderSize: 8192 }, (req, res) => {
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'GET' || (req.url ?? '').length > 2048)
        return send(400, { error: 'GET /arm/… only, URL up to 2 KiB' });
      const url = new URL(req.url ?? '/', 'http://robot');
      void this.serialised(() => this.robotCall(url))
        .then(([status, body]) => send(status, body))
        .catch((e: Error) => send(500, { error: e.message }));
    });
    server.headersTimeout = 5000;
    server.requestTimeout = 10000;
    this.http = server;
    return listen(server, host, port);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      this.tcp && new Promise((r) => this.tcp?.close(r)),
      this.http && new Promise((r) => this.http?.close(r)),
      this.serial?.isOpen && new Promise((r) => this.serial?.close(r)),
    ]);
    await this.ecr?.close().catch(() => undefined);
    await this.presenter.cards.remove().catch(() => undefined);
    await this.presenter.deactivate().catch(() => undefined);
    await this.monitorPresenter?.cards.remove().catch(() => undefined);
    await this.monitorPresenter?.deactivate().catch(() => undefined);
  }

  // ---- the mux ---------------------------------------------------------------------------------

  private onBytes(splitter: LineSplitter, chunk: Buffer, write: (s: string) => void): void {
    for (const item of splitter.push(chunk)) {
      if (this.options.silent) continue;
      if (item.kind === 'overlong') {
        write(`ERR BADCMD line longer than 256 bytes\n`);
        continue;
      }
      if (item.kind === 'garbage') {
        write(`ERR BADCMD not printable ASCII\n`);
        continue;
      }
      if (item.text.trim() === '') continue;
      void this.serialised(() => this.command(item.text)).then(
        (answer) => {
          this.answered++;
          write(`${answer}\n`);
        },
        (e: Error) => write(`ERR BUSY ${e.message.replace(/\s+/g, ' ').slice(0, 200)}\n`),
      );
    }
  }

  /** One command line → its answer line (without LF). */
  async command(line: string): Promise<string> {
    const [verb, ...args] = line
      .trim()
      .toUpperCase()
      .split(/[ \t]+/);
    switch (verb) {
      case 'PING':
        return 'OK PING';
      case 'STATUS':
        return `OK STATUS ${this.selected ?? '-'} ${SIM_SLOTS}`;
      case 'SLOT': {
        const n = slotNumber(args[0]);
        if (n === undefined || args.length !== 1)
          return `ERR BADSLOT no slot '${args[0] ?? ''}' (1-${SIM_SLOTS})`;
        return `OK SLOT ${n} ${this.labels.get(n) ?? '-'}`;
      }
      case 'MONITOR': {
        const m = this.monitorPresenter;
        if (!m) return 'ERR BADCMD this multiplexer has no monitor port';
        if (args[0] === 'OFF' && args.length === 1) {
          await m.cards.remove();
          return 'OK MONITOR OFF';
        }
        const n = slotNumber(args[0]);
        if (n === undefined || args.length !== 1)
          return `ERR BADSLOT no slot '${args[0] ?? ''}' (1-${SIM_SLOTS})`;
        if (!this.inSlot.has(n)) return `ERR BADSLOT slot ${n} is empty`;
        await m.cards.remove();
        await m.cards.insert(`slot${n}`);
        return `OK MONITOR ${n}`;
      }
      case 'SELECT': {
        const n = slotNumber(args[0]);
        if (n === undefined) return `ERR BADSLOT no slot '${args[0] ?? ''}' (1-${SIM_SLOTS})`;
        const cl = args[1] === 'CL';
        if (
          (args[1] !== undefined && !cl) ||
          args.length > 3 ||
          (args[2] !== undefined && !/^\d{1,6}$/.test(args[2]))
        )
          return 'ERR BADCMD SELECT <slot> [CL [holdMs]]';
        if (this.options.jam) return `ERR JAM ${JAM_TEXT}`;
        if (!this.inSlot.has(n)) return `ERR BADSLOT slot ${n} is empty`;
        await this.present(n, cl ? 'tap' : 'insert', args[2] !== undefined ? Number(args[2]) : undefined);
        return `OK SELECT ${n}`;
      }
      case 'DESELECT':
        if (args.length) return 'ERR BADCMD DESELECT takes no arguments';
        if (this.options.jam) return `ERR JAM ${JAM_TEXT}`;
        await this.presenter.cards.remove();
        this.selected = undefined;
        return 'OK DESELECT';
      default:
        return `ERR BADCMD unknown command '${(verb ?? '').slice(0, 20)}' (PING, STATUS, SLOT, SELECT, DESELECT, MONITOR)`;
    }
  }

  private async present(slot: number, how: 'insert' | 'tap', holdMs?: number): Promise<void> {
    await this.presenter.cards.remove();
    this.selected = undefined;
    if (how === 'insert') await this.presenter.cards.insert(`slot${slot}`);
    else await this.presenter.cards.tap(`slot${slot}`, holdMs);
    this.selected = slot;
  }

  // ---- the robot -------------------------------------------------------------------------------

  private async robotCall(url: URL): Promise<[number, unknown]> {
    const action = url.pathname.replace(/^\/arm\//, '');
    const jam = this.options.jam === true || this.options.jamRobot === true;
    const status = {
      state: jam ? 'jam' : 'ready',
      ...(this.selected !== undefined ? { card: `slot${this.selected}` } : {}),
      ...(jam ? { detail: 'arm stuck above the card reader' } : {}),
    };
    if (!url.pathname.startsWith('/arm/')) return [404, { error: 'GET /arm/insert|tap|remove|press|status' }];
    if (action === 'status') return [200, status];
    if (action === 'rack')
      return [
        200,
        { positions: Object.fromEntries([...this.labels].map(([n, label]) => [`slot${n}`, label])) },
      ];
    if (jam) return [409, status];
    if (action === 'press') {
      const key = (url.searchParams.get('key') ?? '').toUpperCase();
      if (!/^(\d|ENTER|CANCEL|CLEAR|UP|DOWN|MENU|F[1-4])$/.test(key))
        return [400, { error: `no key '${key.slice(0, 20)}'` }];
      await this.pressKey(key as EcrKey);
      return [200, { pressed: key }];
    }
    if (action === 'remove') {
      await this.presenter.cards.remove();
      this.selected = undefined;
      return [200, { removed: true }];
    }
    if (action === 'insert' || action === 'tap') {
      const n = slotNumber((url.searchParams.get('card') ?? '').replace(/^slot/i, ''));
      if (n === undefined || !this.inSlot.has(n))
        return [400, { error: `no card in rack position '${url.searchParams.get('card')}'` }];
      const hold = url.searchParams.get('hold');
      await this.present(n, action, hold !== null && /^\d{1,6}$/.test(hold) ? Number(hold) : undefined);
      return [200, { card: `slot${n}` }];
    }
    return [404, { error: `no action '${action.slice(0, 20)}'` }];
  }

  private async pressKey(key: EcrKey): Promise<void> {
    const to = this.options.keysTo;
    if (!to) throw new Error('mux-sim has no --keys-to: the robot has no terminal keypad to press');
    // The terminal may have restarted since the last press (a new run spawns a new emulator): one retry
    // on a fresh connection.
    for (let attempt = 1; ; attempt++) {
      try {
        const c = this.ecr ?? (this.ecr = await EcrClient.connectTcp(to.host, to.port));
        await c.request({ op: 'key', keys: [key] }, { timeoutMs: 5000 });
        return;
      } catch (e) {
        const stale = this.ecr;
        this.ecr = undefined;
        await stale?.close().catch(() => undefined);
        if (attempt >= 2 || (e as { name?: string }).name === 'EcrRemoteError') throw e;
      }
    }
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function slotNumber(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,3}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= SIM_SLOTS ? n : undefined;
}

function listen(server: TcpServer | HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}
