/**
 * The embedded default bench: host simulator, fault proxy, emulated terminal (in-process) and virtual
 * cards in one process, on 127.0.0.1 with free ports. No lab file, no hardware.
 *
 * Per scenario: a fresh terminal (profile from the scenario's `bench.terminal`, else the bench's), fresh
 * virtual cards, the host reset (or restarted with the scenario's account setup), network faults cleared.
 */
import type { ObservationKind } from '../capabilities/index.js';
import { realClock, type Clock } from '../common/clock.js';
import { SimulatedClock } from '../common/simulated-clock.js';
import { EmulatedTerminalDriver } from '../drivers/emulated/index.js';
import { loadTerminalProfile, type TerminalProfile } from '../emulator/index.js';
import { Calendar, parseCalendarTime } from '../common/calendar.js';
import { Bench } from './bench.js';
import { createHostNetwork } from './host-network.js';

export interface EmbeddedBenchOptions {
  /** Terminal profile (fixtures/terminals/). Default `cup-pos-ci`. */
  terminal?: string;
  /** Host profile (fixtures/hosts/). Default `default`. */
  host?: string;
  /** Dialect. Default: the terminal profile's. */
  dialect?: string;
  /** Emulator defect switches for every scenario. */
  defects?: readonly string[];
  /** Put the fault proxy between terminal and host (default true). */
  proxy?: boolean;
  /** Do not start a host simulator: talk to this address (an external host, or nothing: broken). */
  externalHost?: { host: string; port: number };
  /** Lab capability words; default everything the emulator offers. */
  offers?: readonly string[];
  name?: string;
  stepTimeoutMs?: number;
  scenarioTimeoutMs?: number;
  /**
   * Real time instead of the default simulated time (`payhil run --real-time`): every wait of the bench
   * then takes its real duration. See docs/simulated-time.md.
   */
  realTime?: boolean;
  /** The clock to use (overrides `realTime`); e.g. a SimulatedClock a test wants to read. */
  clock?: Clock;
}

const DEFAULT_OFFERS = [
  'chip',
  'contactless',
  'magstripe',
  'pinpad',
  'printer',
  'display',
  'ecr',
  'atm',
  'emulator',
  'host',
  'network',
  'devices',
  'apdu',
  'maintenance',
  'clock',
];

/**
 * Where the calendar of the simulated embedded bench stands when each scenario starts: 15 June 2026,
 * 10:00 Beijing time (+08:00, the zone of a CUP host). Terminal (9A, 9F21, receipt) and host (fields 12
 * and 13, journal times, the day of daily limits and sign-in) read it; it moves with the simulated clock
 * and with `clock` steps, and is back here at the next scenario. Fixed rather than today's date so that
 * two runs with one seed are byte for byte the same (issue #17); a business-hours weekday in a month no
 * card fixture expires in. With `--real-time` the calendar is the real date and time.
 */
export const SIMULATED_EPOCH = '2026-06-15T10:00:00+08:00';

/** Creates (does not activate) the embedded bench. */
export function createEmbeddedBench(options: EmbeddedBenchOptions = {}): Bench {
  const defaultProfile = options.terminal ?? 'cup-pos-ci';
  const profiles = new Map<string, TerminalProfile>();
  const profileOf = (name: string): TerminalProfile => {
    let p = profiles.get(name);
    if (!p) {
      p = loadTerminalProfile(name, options.defects ? { defects: options.defects } : {});
      profiles.set(name, p);
    }
    return p;
  };
  const useProxy = options.proxy !== false;
  const clock = options.clock ?? (options.realTime ? realClock : new SimulatedClock());
  const dialectName = options.dialect ?? profileOf(defaultProfile).dialect;

  // The bench is made last; drivers report through it once it exists.
  const made: { bench?: Bench } = {};
  const emit = (kind: ObservationKind, data: Record<string, unknown>, at?: number): void =>
    made.bench?.emit(kind, data, at);

  // One calendar for terminal and host (both in this process): a `clock` step moves both. On simulated
  // time it runs on the bench clock from SIMULATED_EPOCH (every scenario resets it there).
  const epoch = parseCalendarTime(SIMULATED_EPOCH);
  const calendar = clock.simulated ? new Calendar(() => clock.now(), epoch.zone, epoch.ms) : new Calendar();
  const infra = createHostNetwork({
    calendar,
    name: 'embedded-host-proxy',
    dialect: dialectName,
    emit,
    proxy: useProxy,
    clock,
    ...(options.host ? { hostProfile: options.host } : {}),
    ...(options.externalHost ? { externalHost: options.externalHost } : {}),
  });
  const emulated = new EmulatedTerminalDriver({
    defaultProfile,
    loadProfile: profileOf,
    hostTarget: () => infra.terminalTarget(),
    calendar,
    onFault: (e) => made.bench?.fault(e),
    clock,
  });
  emulated.observe((o) => emit(o.kind, o.data, o.at));

  const profile = profileOf(defaultProfile);
  const bench = new Bench({
    name: options.name ?? 'embedded',
    offers: options.offers ?? DEFAULT_OFFERS.filter((o) => o !== 'network' || useProxy),
    drivers: [infra.driver, emulated],
    capabilities: {
      terminal: emulated.terminal,
      keypad: emulated.keypad,
      display: emulated.display,
      cards: emulated.cards,
      devices: emulated.devices,
      mode: emulated.mode,
      calendar: {
        set: async (iso) => {
          calendar.set(iso);
          emulated.calendarChanged();
          emit('note', { text: `clock: terminal and host at ${calendarText(calendar)}` });
        },
        advance: async (ms) => {
          calendar.advance(ms);
          emulated.calendarChanged();
          emit('note', { text: `clock: +${ms} ms, terminal and host at ${calendarText(calendar)}` });
        },
      },
      host: infra.host,
      ...(infra.network ? { network: infra.network } : {}),
    },
    facts: {
      'terminal.profile': profile.name,
      'terminal.driver': 'emulated (in-process)',
      'terminal.kind': profile.kind,
      dialect: dialectName,
      host: options.externalHost
        ? `external ${options.externalHost.host}:${options.externalHost.port}`
        : `simulator (${options.host ?? 'default'})`,
      proxy: useProxy ? 'payhil fault proxy' : 'none',
      node: process.version,
      time: clock.simulated ? 'simulated' : 'real',
    },
    clock,
    ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
    ...(options.scenarioTimeoutMs !== undefined ? { scenarioTimeoutMs: options.scenarioTimeoutMs } : {}),
  });
  made.bench = bench;
  return bench;
}

/** The calendar's local date and time for a timeline note: `2026-12-31 23:59:50 (+08:00)`. */
function calendarText(c: Calendar): string {
  const l = c.local();
  const p = (n: number): string => String(n).padStart(2, '0');
  const z = c.zone;
  const zone =
    z === undefined
      ? 'local zone'
      : `${z < 0 ? '-' : '+'}${p(Math.floor(Math.abs(z) / 60))}:${p(Math.abs(z) % 60)}`;
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hours)}:${p(l.minutes)}:${p(l.seconds)} (${zone})`;
}
