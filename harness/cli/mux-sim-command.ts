/**
 * `payhil mux-sim`: a simulated card multiplexer (line protocol on a serial port or TCP) and robot
 * (GRANT-style HTTP) in front of a terminal that reads PC/SC: SELECT N presents slot N's virtual card on
 * vpcd, robot key presses go to the terminal's ECR test-mode channel. docs/mux-robot.md.
 */
import { parseArgs } from 'node:util';
import { loadCardFixture } from '../cards/index.js';
import { MuxSimulator, SIM_SLOTS } from '../drivers/mux/index.js';
import { EXIT_OK, type CliIo, type Command } from './command.js';
import { runUntilStopSignal } from './stop-signal.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: payhil mux-sim --slots N=CARD[,N=CARD…] (--serial PATH | --listen HOST:PORT) [options]

  --slots 1=cup-debit,2=ec-debit   the card fixture in each slot (1-${SIM_SLOTS})
  --serial PATH          answer the mux line protocol on this serial port (one end of a socat pty pair)
  --listen HOST:PORT     answer it on TCP (127.0.0.1:0 = a free port)
  --robot HOST:PORT      also serve the robot's HTTP API (GET /arm/insert|tap|remove|press|status)
  --keys-to HOST:PORT    the terminal's ECR test-mode channel: where robot key presses go
  --vpcd-port N          vpcd's port (default 35963, reader 'Virtual PCD 00 00')
  --monitor-vpcd-port N  a monitor port: MONITOR n presents slot n's card on this vpcd port (35964: 'Virtual PCD 00 01')
  faults: --silent (never answer), --wrong-card N=CARD (slot N really holds CARD),
          --mislabeled N=CARD (slot N holds CARD but the mux reports the expected card), --jam (switch and arm stuck),
          --jam-robot (only the arm stuck)
Prints one 'mux-sim ready …' line with the addresses, serves until Ctrl-C / SIGTERM.`;

/** `N=CARD,…` → slot → card. */
function slotMap(what: string, v: string | undefined): Record<number, string> {
  const out: Record<number, string> = {};
  if (v === undefined) return out;
  for (const part of v.split(',')) {
    const m = /^(\d{1,2})=([A-Za-z0-9._-]+)$/.exec(part.trim());
    const n = m ? Number(m[1]) : 0;
    if (!m || n < 1 || n > SIM_SLOTS)
      throw new UsageError(`mux-sim: ${what} wants N=CARD with N in 1-${SIM_SLOTS}, got '${part}'`);
    try {
      loadCardFixture(m[2] as string);
    } catch (e) {
      throw new UsageError(`mux-sim: ${what} slot ${n}: ${(e as Error).message}`);
    }
    out[n] = m[2] as string;
  }
  return out;
}

function hostPort(what: string, v: string | undefined): { host: string; port: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`mux-sim: ${what} must be HOST:PORT, got '${v}'`);
  return { host: m[1] as string, port: Number(m[2]) };
}

export const muxSimCommand: Command = {
  name: 'mux-sim',
  summary: 'simulated card multiplexer and robot: virtual cards on vpcd, keys to the emulator',
  async run(argv: string[], io: CliIo): Promise<number> {
    if (argv.includes('--help') || argv.length === 0) {
      io.out(USAGE);
      return EXIT_OK;
    }
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args: argv,
        strict: true,
        options: {
          slots: { type: 'string' },
          serial: { type: 'string' },
          listen: { type: 'string' },
          robot: { type: 'string' },
          'keys-to': { type: 'string' },
          'vpcd-port': { type: 'string' },
          silent: { type: 'boolean' },
          jam: { type: 'boolean' },
          'jam-robot': { type: 'boolean' },
          'wrong-card': { type: 'string' },
          mislabeled: { type: 'string' },
          'monitor-vpcd-port': { type: 'string' },
        },
      }).values;
    } catch (e) {
      throw new UsageError(`mux-sim: ${(e as Error).message}\n${USAGE}`);
    }
    const slots = slotMap('--slots', values.slots as string | undefined);
    if (!Object.keys(slots).length) throw new UsageError(`mux-sim: --slots is required\n${USAGE}`);
    const serial = values.serial as string | undefined;
    const tcp = hostPort('--listen', values.listen as string | undefined);
    if (!serial && !tcp) throw new UsageError(`mux-sim: give --serial PATH or --listen HOST:PORT\n${USAGE}`);
    const robot = hostPort('--robot', values.robot as string | undefined);
    const keysTo = hostPort('--keys-to', values['keys-to'] as string | undefined);
    const vpcdPort = values['vpcd-port'] !== undefined ? Number(values['vpcd-port']) : undefined;
    if (vpcdPort !== undefined && !(Number.isInteger(vpcdPort) && vpcdPort > 0 && vpcdPort < 65536))
      throw new UsageError(`mux-sim: --vpcd-port must be a port number`);
    const monitorPort =
      values['monitor-vpcd-port'] !== undefined ? Number(values['monitor-vpcd-port']) : undefined;
    if (
      monitorPort !== undefined &&
      !(Number.isInteger(monitorPort) && monitorPort > 0 && monitorPort < 65536)
    )
      throw new UsageError(`mux-sim: --monitor-vpcd-port must be a port number`);
    const sim = new MuxSimulator({
      slots,
      wrongCards: slotMap('--wrong-card', values['wrong-card'] as string | undefined),
      mislabeled: slotMap('--mislabeled', values.mislabeled as string | undefined),
      ...(monitorPort !== undefined ? { monitorVpcdPort: monitorPort } : {}),
      silent: values.silent === true,
      jam: values.jam === true,
      jamRobot: values['jam-robot'] === true,
      ...(vpcdPort !== undefined ? { vpcdPort } : {}),
      ...(keysTo ? { keysTo } : {}),
    });
    return runUntilStopSignal(async (stop) => {
      await sim.start();
      try {
        const where: string[] = [];
        if (serial) {
          await sim.listenSerial(serial);
          where.push(`serial ${serial}`);
        }
        if (tcp) where.push(`tcp ${tcp.host}:${await sim.listenTcp(tcp.host, tcp.port)}`);
        if (robot) where.push(`robot http://${robot.host}:${await sim.listenRobot(robot.host, robot.port)}`);
        io.out(
          `mux-sim ready: ${where.join(', ')}; slots ${Object.entries(slots)
            .map(([n, c]) => `${n}=${c}`)
            .join(' ')}`,
        );
        await stop;
      } finally {
        await sim.close();
      }
      io.out(`mux-sim stopped after ${sim.answered} commands`);
      return EXIT_OK;
    });
  },
};
