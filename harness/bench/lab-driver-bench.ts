/**
 * Benches whose terminal is reached like a physical one: over an ECR link (serial port or TCP), through
 * its web UI or over nexo (HTTP; cards and keys through the emulator's ECR test channel, protocol-terminal.ts),
 * optionally with `payhil emulator` started as its own process for a self-contained bench.
 * The host simulator (or an external host) sits behind the fault proxy, which is the spy.
 *
 * Card presenters: `in-process` (the terminal driver's test-mode card requests or card picker),
 * `operator` (a person), `pcsc` (virtual cards in this process presented through vpcd to a terminal that
 * reads PC/SC: with `spawn`, the emulator is started with `--reader`; swipes go to the terminal driver),
 * `multiplexer` (real cards in a mux's slots, drivers/mux; every slot checked at activation). Keypad:
 * the terminal driver's, or an HTTP robot's (`keypad.source: robot`).
 *
 * Driver order (activated in order, deactivated in reverse, even after a failure):
 * host+proxy → pcsc or multiplexer presenter → emulator process (socat pty pair first for ecr-serial) →
 * terminal driver → robot → operator.
 */
import { Calendar } from '../common/calendar.js';
import { OperatorDriver } from '../drivers/operator/index.js';
import { PcscCardPresenter, readerFromSpec } from '../drivers/pcsc/index.js';
import { describeResource, MonitorReader, MuxCardPresenter, MuxDriver } from '../drivers/mux/index.js';
import { HttpRobotDriver, RobotCardPresenter } from '../drivers/robot/index.js';
import { ApduTraceDriver } from '../drivers/test-mode/index.js';
import { cardStateReport } from '../emulator/card-state-report.js';
import { loadTerminalProfile } from '../emulator/terminal-profile.js';
import { parseDuration, type Scenario } from '../scenario/index.js';
import { Bench } from './bench.js';
import {
  ActiveGuard,
  BrokenError,
  HOST_WORK_STATES,
  type CapabilityMap,
  type CardPresenter,
  type Display,
  type Driver,
  type Keypad,
  type ObservationKind,
  type TerminalControl,
} from '../capabilities/index.js';
import { BenchConfigError } from './errors.js';
import { EmulatorProcessDriver } from './lab-emulator-process.js';
import { createHostNetwork } from './host-network.js';
import {
  dailySignInCannotServe,
  NEXO_SERVICES,
  protocolCannotServe,
  ZVT_SERVICES,
} from './lab-cannot-serve.js';
import {
  checkDriverBenchSpec,
  muxOf,
  pcscReaderOf,
  readCa,
  robotKeypadOf,
  type DriverBenchInput,
  type DriverKind,
} from './lab-driver-spec.js';
import { terminalDriverFactory, type TerminalDriverLike } from './lab-terminal-driver.js';

export type { DriverBenchInput } from './lab-driver-spec.js';

const BASE_OFFERS = ['chip', 'contactless', 'magstripe', 'pinpad', 'printer', 'display', 'host', 'network'];

/** Longest wait for the terminal to end its host work before a card is taken out (ms). */
const REMOVABLE_WAIT_MS = 10000;

/** Builds (does not activate) a bench with an ecr-serial, ecr-tcp or web terminal driver. */
export function createDriverBench(input: DriverBenchInput): Bench {
  const { file, name, spec } = input;
  const t = spec.terminal;
  const driverKind = t.driver as DriverKind;
  const zvt = driverKind === 'zvt-tcp' || driverKind === 'zvt-serial';
  const sidecar = driverKind === 'sidecar';
  checkDriverBenchSpec(input, driverKind);
  const muxConfig = spec.card.presenter === 'multiplexer' ? muxOf(input) : undefined;
  const robotKeys = robotKeypadOf(input);
  const spawn = t.spawn;
  const pcsc = spec.card.presenter === 'pcsc' ? pcscReaderOf(input) : undefined;
  // The spawned emulator reads the presenter's reader unless the lab file names another.
  const spawnReader = spawn?.reader ?? (pcsc ? pcsc.emulatorReader : undefined);
  const profileName = spawn?.profile ?? t.profile ?? 'cup-pos-ci';
  let dialect = spec.dialect;
  let currencyCode: string | undefined;
  try {
    const profile = loadTerminalProfile(profileName);
    dialect ??= profile.dialect;
    currencyCode = profile.kernel.currencyCode;
  } catch (e) {
    if (!dialect) throw new BenchConfigError(`${file}: bench '${name}': ${(e as Error).message}`, file);
  }
  const nexoCa = driverKind === 'nexo' && t.caFile ? readCa(file, name, t.caFile) : undefined;

  const made: { bench?: Bench } = {};
  const emit = (kind: ObservationKind, data: Record<string, unknown>, at?: number): void =>
    made.bench?.emit(kind, data, at);

  // The simulator's calendar; the `clock` step moves it with the terminal's (test-mode `clock` request).
  const hostCalendar = new Calendar();
  let clockMoved = false;
  const infra = createHostNetwork({
    calendar: hostCalendar,
    name: 'lab-host-proxy',
    dialect,
    emit,
    ...(spec.host.profile ? { hostProfile: spec.host.profile } : {}),
    ...(input.externalHost ? { externalHost: input.externalHost } : {}),
    ...(spec.network?.listen ? { listen: spec.network.listen } : {}),
  });

  const proc = spawn
    ? new EmulatorProcessDriver({
        link: driverKind,
        profile: profileName,
        ...(spawn.defects ? { defects: spawn.defects } : {}),
        ...(spawn.listen ? { listen: spawn.listen } : {}),
        ...(t.baudRate ? { baudRate: t.baudRate } : {}),
        ...(spawn.startTimeout !== undefined ? { startTimeoutMs: parseDuration(spawn.startTimeout) } : {}),
        ...(spawnReader !== undefined ? { reader: spawnReader } : {}),
        hostTarget: () => infra.terminalTarget(),
      })
    : undefined;
  /** The spawned emulator's ECR link carries its card-reader trace (no PC/SC presenter sees the APDUs). */
  const apduFromTerminal =
    proc !== undefined && !pcsc && (driverKind === 'ecr-serial' || driverKind === 'ecr-tcp');

  const makeTerminalDriver = terminalDriverFactory({
    input,
    driverKind,
    proc,
    apduFromTerminal,
    nexoCa,
    currencyCode,
    fault: (err) => made.bench?.fault(err),
  });

  // The terminal driver of this activation (a new one each time: its endpoint may change).
  const active = new ActiveGuard<TerminalDriverLike>(
    () => new BrokenError(`the ${driverKind} terminal driver is not active`, driverKind),
  );
  let unobserve: (() => void) | undefined;
  // The terminal's state as its driver reports it (ECR state events, the page's state).
  let terminalState: string | undefined;
  const stateWatchers = new Set<() => void>();
  const untilRemovable = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stateWatchers.delete(check);
        resolve();
      };
      const check = (): void => {
        if (terminalState === undefined || !HOST_WORK_STATES.has(terminalState)) done();
      };
      const timer = setTimeout(done, REMOVABLE_WAIT_MS);
      stateWatchers.add(check);
      check();
    });
  const termDriver: Driver = {
    name: driverKind,
    async activate() {
      const d = makeTerminalDriver();
      terminalState = undefined;
      unobserve = d.observe((o) => {
        if (o.kind === 'state' && typeof o.data.state === 'string') {
          terminalState = o.data.state;
          for (const w of [...stateWatchers]) w();
        }
        emit(o.kind, o.data, o.at);
      });
      try {
        await d.activate();
      } catch (e) {
        unobserve();
        unobserve = undefined;
        await d.deactivate().catch(() => undefined);
        throw e;
      }
      active.activate(d);
    },
    async deactivate() {
      const d = active.deactivate();
      await d?.deactivate();
      unobserve?.();
      unobserve = undefined;
    },
    async beginScenario(_s: Scenario) {
      await need().beginScenario();
      // Each scenario starts on today's date: a `clock` step of the previous one does not carry over.
      if (clockMoved) {
        clockMoved = false;
        hostCalendar.reset();
        await need().clock?.({ reset: true });
      }
    },
    async endScenario() {
      await active.current?.endScenario();
    },
  };
  const need = (): TerminalDriverLike => {
    return active.need('call');
  };

  const terminal: TerminalControl = {
    start: (op, args) => need().terminal.start(op, args),
    enterAmount: (a) => need().terminal.enterAmount(a),
    select: (i) => need().terminal.select(i),
    powerCycle: () => need().terminal.powerCycle(),
    status: () => need().terminal.status(),
    idle: (ms) => need().terminal.idle(ms),
  };
  const keypad: Keypad = {
    enterPin: (p) => need().keypad.enterPin(p),
    cancel: () => need().keypad.cancel(),
    press: (k) => need().keypad.press(k),
  };
  const display: Display = { text: () => need().display.text() };
  const terminalCards: CardPresenter = {
    prepare: (m) => need().cards.prepare(m),
    insert: (c) => need().cards.insert(c),
    tap: (c, h) => need().cards.tap(c, h),
    swipe: (c, tr) => need().cards.swipe(c, tr),
    remove: (c) => need().cards.remove(c),
    state: (c) => need().cards.state(c),
    condition: (c, x) => {
      const cards = need().cards;
      if (!cards.condition)
        throw new BrokenError(`the ${driverKind} driver cannot change a card's condition`, name);
      return cards.condition(c, x);
    },
  };

  const drivers: Driver[] = [infra.driver];
  let presenter: PcscCardPresenter | undefined;
  if (pcsc) {
    // Swipes (no stripe head on a PC/SC reader) go to the terminal driver's own card requests.
    presenter = new PcscCardPresenter({
      reader: pcsc.reader,
      ...(spec.card.vpcdPort !== undefined ? { vpcdPort: spec.card.vpcdPort } : {}),
      stateFields: cardStateReport,
      swipeVia: () => active.current?.cards,
      untilRemovable,
    });
    presenter.observe((o) => emit(o.kind, o.data, o.at));
    drivers.push(presenter);
  }
  let mux: MuxCardPresenter | undefined;
  if (muxConfig) {
    // Swipes (a mux has no stripe head) go to the terminal driver's own card requests.
    const device = new MuxDriver(muxConfig.resource, { timeoutMs: muxConfig.timeoutMs });
    mux = new MuxCardPresenter(device, device.mux, {
      slots: muxConfig.slots,
      swipeVia: () => active.current?.cards,
      ...(spec.card.tapHoldMs !== undefined ? { defaultHoldMs: spec.card.tapHoldMs } : {}),
      ...(spec.card.monitor
        ? {
            monitor: () =>
              new MonitorReader(device.name, (slot) => device.mux.monitor?.(slot) ?? Promise.resolve(), {
                reader: spec.card.monitor?.reader as string,
              }),
          }
        : {}),
    });
    drivers.push(mux);
  }
  let robotCards: RobotCardPresenter | undefined;
  if (spec.card.presenter === 'robot') {
    const arm = new HttpRobotDriver({ url: spec.card.url as string });
    robotCards = new RobotCardPresenter(arm, arm.robot, {
      rack: spec.card.rack as Record<string, string>,
      swipeVia: () => active.current?.cards,
    });
    drivers.push(robotCards);
  }
  if (proc) drivers.push(proc);
  drivers.push(termDriver);
  // The web UI shows no APDUs: the spawned emulator's ECR test-mode channel carries its card-reader trace.
  if (proc && driverKind === 'web' && !pcsc) {
    const trace = new ApduTraceDriver(() => {
      const e = proc.endpoint();
      if (e.kind !== 'web' || !e.testMode)
        throw new BrokenError('the emulator process has no ECR test-mode channel for its APDU trace', name);
      return e.testMode;
    });
    trace.observe((o) => emit(o.kind, o.data, o.at));
    drivers.push(trace);
  }
  let robot: HttpRobotDriver | undefined;
  if (robotKeys) {
    robot = new HttpRobotDriver(robotKeys);
    drivers.push(robot);
  }
  const capabilities: Partial<CapabilityMap> = {
    terminal,
    keypad,
    display,
    cards: terminalCards,
    host: infra.host,
    network: infra.network,
  };
  if (presenter) capabilities.cards = presenter.cards;
  if (mux) capabilities.cards = mux.cards;
  if (robotCards) capabilities.cards = robotCards.cards;
  if (robot) capabilities.keypad = robot.keypad;
  const offers = new Set(
    spec.capabilities ?? [
      ...BASE_OFFERS,
      driverKind === 'web'
        ? 'web'
        : driverKind === 'nexo'
          ? 'nexo'
          : zvt
            ? 'zvt'
            : sidecar
              ? 'sidecar'
              : 'ecr',
    ],
  );
  if (!spec.capabilities && proc) offers.add('emulator');
  if (!spec.capabilities && presenter) offers.add('pcsc');
  // What the card was asked: the bench's PC/SC presenter sees every command, the emulator's trace too.
  if (!spec.capabilities && (presenter || apduFromTerminal || (proc && driverKind === 'web')))
    offers.add('apdu');
  capabilities.devices = {
    set: (c) => {
      const d = need().devices;
      if (!d) throw new BrokenError(`the ${driverKind} driver cannot change device conditions`, name);
      return d.set(c);
    },
  };
  // The emulator's test mode (ECR or web) carries the `device` request; a real terminal has no such request.
  if (!spec.capabilities && proc) offers.add('devices');
  capabilities.mode = {
    set: (m) => {
      const d = need().mode;
      if (!d) throw new BrokenError(`the ${driverKind} driver cannot switch the terminal's mode`, name);
      return d.set(m);
    },
  };
  if (!spec.capabilities && proc) offers.add('maintenance');
  const moveClocks = async (change: { set: string } | { advance: number }): Promise<void> => {
    const d = need();
    if (!d.clock) throw new BrokenError(`the ${driverKind} driver cannot set the terminal's clock`, name);
    if (input.externalHost) throw new BrokenError("an external host's clock cannot be set", name);
    clockMoved = true;
    if ('set' in change) hostCalendar.set(change.set);
    else hostCalendar.advance(change.advance);
    await d.clock(change);
  };
  capabilities.calendar = {
    set: (iso) => moveClocks({ set: iso }),
    advance: (ms) => moveClocks({ advance: ms }),
  };
  // Terminal (test-mode clock request) and host (this process) both: the emulator with its own host.
  if (!spec.capabilities && proc && !input.externalHost) offers.add('clock');
  if (spec.card.presenter === 'operator') {
    const op = new OperatorDriver();
    op.observe((o) => emit(o.kind, o.data, o.at));
    drivers.push(op as unknown as Driver);
    capabilities.cards = op.cards;
    capabilities.operator = op.operator;
    if (!spec.capabilities) offers.add('operator');
  }

  const bench = new Bench({
    name,
    offers: [...offers],
    drivers,
    capabilities,
    facts: {
      'terminal.profile': profileName,
      'terminal.driver': proc
        ? `${driverKind} (payhil emulator as its own process${driverKind === 'ecr-serial' || driverKind === 'zvt-serial' ? ', socat pty pair' : ''}${zvt || sidecar ? ', cards and keys through its ECR test-mode channel' : ''})`
        : driverKind,
      ...(driverKind === 'nexo'
        ? { 'terminal.protocol': 'nexo Retailer Sale-to-POI (JSON over HTTP, Adyen Terminal API local form)' }
        : {}),
      ...(spawn?.defects?.length ? { 'terminal.defects': spawn.defects.join(' ') } : {}),
      'card.presenter': pcsc
        ? `pcsc (virtual cards through vpcd 127.0.0.1:${spec.card.vpcdPort ?? 35963}, PC/SC reader '${pcsc.reader}')`
        : muxConfig
          ? `multiplexer (${describeResource(muxConfig.resource)}, ${Object.keys(muxConfig.slots).length} slots checked before the first scenario${spec.card.monitor ? `, read on monitor reader '${spec.card.monitor.reader}'` : ''})`
          : robotCards
            ? `robot ${spec.card.url} (${Object.keys(spec.card.rack ?? {}).length} rack positions checked before the first scenario)`
            : spec.card.presenter,
      ...(robotKeys ? { keypad: `robot ${robotKeys.url}` } : {}),
      ...(spawnReader !== undefined ? { 'terminal.reader': readerFromSpec(spawnReader) } : {}),
      dialect,
      host: input.externalHost
        ? `external ${input.externalHost.host}:${input.externalHost.port}`
        : `simulator (${spec.host.profile ?? 'default'})`,
      proxy: 'payhil fault proxy',
      node: process.version,
    },
    ...(input.stepTimeoutMs !== undefined ? { stepTimeoutMs: input.stepTimeoutMs } : {}),
    ...(input.scenarioTimeoutMs !== undefined ? { scenarioTimeoutMs: input.scenarioTimeoutMs } : {}),
    cannotServe: (s: Scenario) =>
      (driverKind === 'nexo' ? protocolCannotServe('nexo', NEXO_SERVICES)(s) : undefined) ??
      (zvt ? protocolCannotServe('ZVT', ZVT_SERVICES)(s) : undefined) ??
      mux?.cannotServe(s) ??
      robotCards?.cannotServe(s) ??
      dailySignInCannotServe(profileName, s),
  });
  made.bench = bench;
  return bench;
}
