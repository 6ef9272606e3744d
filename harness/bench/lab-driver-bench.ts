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
import { EcrSerialDriver } from '../drivers/ecr-serial/index.js';
import { EcrTcpDriver, parseEcrTcpAddress } from '../drivers/ecr-tcp/index.js';
import type { EcrDriverOptions } from '../drivers/ecr/index.js';
import { OperatorDriver } from '../drivers/operator/index.js';
import { PcscCardPresenter, readerFromSpec, vpcdReaderName } from '../drivers/pcsc/index.js';
import { WebDriver } from '../drivers/web/index.js';
import {
  describeResource,
  MonitorReader,
  MuxCardPresenter,
  MuxDriver,
  type LineLinkResource,
  type MuxSlot,
} from '../drivers/mux/index.js';
import { HttpRobotDriver, RobotCardPresenter } from '../drivers/robot/index.js';
import { NexoDriver, NexoDriverUnsupportedError } from '../drivers/nexo/index.js';
import { currencyOfNumeric } from '../nexo/index.js';
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { ApduTraceDriver, TestModePresenter } from '../drivers/test-mode/index.js';
import { ZvtDriverUnsupportedError, ZvtSerialDriver, ZvtTcpDriver } from '../drivers/zvt/index.js';
import { ProtocolTerminal } from './protocol-terminal.js';
import {
  SidecarDriver,
  SidecarDriverUnsupportedError,
  type SidecarResource,
} from '../drivers/sidecar/index.js';
import { packageRoot } from '../common/project-root.js';
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
  type DeviceControl,
  type ModeControl,
  type Display,
  type Driver,
  type Keypad,
  type ObservationKind,
  type ObservationListener,
  type TerminalControl,
} from '../capabilities/index.js';
import { BenchConfigError } from './errors.js';
import { EmulatorProcessDriver, type EmulatorEndpoint } from './lab-emulator-process.js';
import { createHostNetwork } from './host-network.js';
import type { LabBenchSpec } from './lab-bench.js';

export interface DriverBenchInput {
  file: string;
  name: string;
  spec: LabBenchSpec;
  externalHost?: { host: string; port: number };
  stepTimeoutMs?: number;
  scenarioTimeoutMs?: number;
}

/** What a terminal driver (EcrDriver, WebDriver) offers. */
interface TerminalDriverLike {
  readonly name: string;
  readonly terminal: TerminalControl;
  readonly keypad: Keypad;
  readonly display: Display;
  readonly cards: CardPresenter;
  /** Device conditions (the test-mode `device` request of the ECR link or the web page). */
  readonly devices?: DeviceControl;
  /** A custodian's maintenance mode (the test-mode `mode` request of the ECR link or the web page). */
  readonly mode?: ModeControl;
  /** The terminal's calendar (the test-mode `clock` request of the ECR link or the web page). */
  clock?(change: { set?: string; advance?: number; reset?: true }): Promise<void>;
  activate(): Promise<void>;
  deactivate(): Promise<void>;
  beginScenario(): Promise<void>;
  endScenario(): Promise<void>;
  observe(l: ObservationListener): () => void;
}

const BASE_OFFERS = ['chip', 'contactless', 'magstripe', 'pinpad', 'printer', 'display', 'host', 'network'];

/** Longest wait for the terminal to end its host work before a card is taken out (ms). */
const REMOVABLE_WAIT_MS = 10000;

/** Builds (does not activate) a bench with an ecr-serial, ecr-tcp or web terminal driver. */
export function createDriverBench(input: DriverBenchInput): Bench {
  const { file, name, spec } = input;
  const t = spec.terminal;
  const driverKind = t.driver as
    'ecr-serial' | 'ecr-tcp' | 'web' | 'nexo' | 'zvt-tcp' | 'zvt-serial' | 'sidecar';
  const zvt = driverKind === 'zvt-tcp' || driverKind === 'zvt-serial';
  const sidecar = driverKind === 'sidecar';
  if (spec.network?.proxy === false)
    throw new BenchConfigError(
      `${file}: bench '${name}': a ${driverKind} terminal needs the proxy (it is the spy of host traffic)`,
      file,
    );
  if ((zvt || sidecar) && spec.card.presenter === 'pcsc')
    throw new BenchConfigError(
      `${file}: bench '${name}': card presenter 'pcsc' is not wired for a ZVT terminal; use 'test-mode' (the emulator's ECR test-mode channel) or 'operator'`,
      file,
    );
  if (!['in-process', 'test-mode', 'operator', 'pcsc', 'multiplexer', 'robot'].includes(spec.card.presenter))
    throw new BenchConfigError(
      `${file}: bench '${name}': card presenter '${spec.card.presenter}' is not wired in this version; use 'in-process' (test-mode card requests of the terminal driver), 'pcsc' (virtual cards through vpcd), 'multiplexer' or 'operator'`,
      file,
    );
  const muxConfig = spec.card.presenter === 'multiplexer' ? muxOf(input) : undefined;
  const robotKeys = robotKeypadOf(input);
  if (
    spec.card.presenter === 'robot' &&
    (!spec.card.url || !spec.card.rack || !Object.keys(spec.card.rack).length)
  )
    throw new BenchConfigError(
      `${file}: bench '${name}': card presenter 'robot' needs card.url (the robot's base URL) and card.rack (card fixture → rack position)`,
      file,
    );
  const spawn = t.spawn;
  const pcsc = spec.card.presenter === 'pcsc' ? pcscReaderOf(input) : undefined;
  // The spawned emulator reads the presenter's reader unless the lab file names another.
  const spawnReader = spawn?.reader ?? (pcsc ? pcsc.emulatorReader : undefined);
  if (!spawn) {
    if (driverKind === 'ecr-serial' && !t.path)
      throw new BenchConfigError(`${file}: bench '${name}': ecr-serial needs terminal.path (or spawn)`, file);
    if (driverKind === 'ecr-tcp' && !t.address)
      throw new BenchConfigError(`${file}: bench '${name}': ecr-tcp needs terminal.address (or spawn)`, file);
    if ((driverKind === 'zvt-serial' && !t.path) || (driverKind === 'zvt-tcp' && !t.address))
      throw new BenchConfigError(
        `${file}: bench '${name}': ${driverKind} needs terminal.${driverKind === 'zvt-tcp' ? 'address' : 'path'} (or spawn)`,
        file,
      );
    if (zvt && ['in-process', 'test-mode'].includes(spec.card.presenter) && !t.testModeAddress)
      throw new BenchConfigError(
        `${file}: bench '${name}': card presenter '${spec.card.presenter}' for a ZVT terminal needs terminal.testModeAddress (the emulator's ECR test-mode channel) or spawn; a real terminal needs presenter 'operator'`,
        file,
      );
    if (sidecar && !t.sidecar && !t.address)
      throw new BenchConfigError(
        `${file}: bench '${name}': sidecar needs terminal.sidecar (a command) or terminal.address (a sidecar on TCP), or spawn`,
        file,
      );
    if (sidecar && ['in-process', 'test-mode'].includes(spec.card.presenter) && !t.testModeAddress)
      throw new BenchConfigError(
        `${file}: bench '${name}': card presenter '${spec.card.presenter}' for a sidecar terminal needs terminal.testModeAddress (the emulator's ECR test-mode channel) or spawn; a real terminal needs presenter 'operator'`,
        file,
      );
    if (driverKind === 'web' && !t.url)
      throw new BenchConfigError(`${file}: bench '${name}': web needs terminal.url (or spawn)`, file);
    if (driverKind === 'nexo' && !t.url)
      throw new BenchConfigError(
        `${file}: bench '${name}': nexo needs terminal.url, the terminal's Sale-to-POI endpoint (or spawn)`,
        file,
      );
  }
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

  const endpoint = (): EmulatorEndpoint => {
    if (proc) return proc.endpoint();
    if (driverKind === 'ecr-serial')
      return { kind: 'ecr-serial', path: t.path as string, baudRate: t.baudRate ?? 115200 };
    if (driverKind === 'ecr-tcp') {
      const a = parseEcrTcpAddress(t.address as string);
      if (!a) throw new BenchConfigError(`${file}: terminal.address '${t.address}' is not host:port`, file);
      return { kind: 'ecr-tcp', host: a.host, port: a.port };
    }
    if (driverKind === 'nexo') {
      // A real nexo terminal: cards from the bench's presenter; a test channel only where the lab names one.
      const a = t.testModeAddress ? parseEcrTcpAddress(t.testModeAddress) : undefined;
      if (t.testModeAddress && !a)
        throw new BenchConfigError(
          `${file}: terminal.testModeAddress '${t.testModeAddress}' is not host:port`,
          file,
        );
      return {
        kind: 'nexo',
        url: t.url as string,
        poiId: t.poiId ?? 'payhil-emulator',
        ...(a ? { testMode: { host: a.host, port: a.port } } : {}),
      };
    }
    if (zvt) {
      const tm = t.testModeAddress !== undefined ? parseEcrTcpAddress(t.testModeAddress) : undefined;
      const testMode = tm ?? { host: '', port: 0 };
      if (driverKind === 'zvt-serial')
        return { kind: 'zvt-serial', path: t.path as string, baudRate: t.baudRate ?? 9600, testMode };
      const a = parseEcrTcpAddress(t.address as string);
      if (!a) throw new BenchConfigError(`${file}: terminal.address '${t.address}' is not host:port`, file);
      return { kind: 'zvt-tcp', host: a.host, port: a.port, testMode };
    }
    return { kind: 'web', url: t.url as string };
  };
  const powerCycle = t.powerCycleEachScenario ?? spawn !== undefined;
  const makeSidecar = (): TerminalDriverLike => {
    // Spawned: the emulator's ECR link is the test-mode channel and the sidecar's {ecr}.
    const e = proc ? proc.endpoint() : undefined;
    const tm =
      e?.kind === 'ecr-tcp' ? e : t.testModeAddress ? parseEcrTcpAddress(t.testModeAddress) : undefined;
    const subst = (v: string): string =>
      v
        .replaceAll('{ecr}', tm ? `${tm.host}:${tm.port}` : '{ecr}')
        .replaceAll('{node}', process.execPath)
        .replaceAll('{payhil}', packageRoot());
    let resource: SidecarResource;
    if (t.sidecar)
      resource = {
        command: subst(t.sidecar.command),
        args: (t.sidecar.args ?? []).map(subst),
        ...(t.sidecar.cwd ? { cwd: resolvePath(dirname(file), t.sidecar.cwd) } : {}),
      };
    else {
      const a = parseEcrTcpAddress(t.address as string);
      if (!a) throw new BenchConfigError(`${file}: terminal.address '${t.address}' is not host:port`, file);
      resource = a;
    }
    const driver = new SidecarDriver(resource, { onFault: (err) => made.bench?.fault(err) });
    const presenter =
      tm && spec.card.presenter !== 'operator'
        ? new TestModePresenter(tm, { powerCycleEachScenario: powerCycle })
        : undefined;
    return new ProtocolTerminal(
      driver,
      presenter,
      (what) =>
        new SidecarDriverUnsupportedError(
          driver.name,
          what,
          'the sidecar protocol does not carry it and the bench has no test-mode channel (terminal.testModeAddress)',
        ),
    );
  };
  const makeTerminalDriver = (): TerminalDriverLike => {
    if (sidecar) return makeSidecar();
    const e = endpoint();
    const ecrOptions: EcrDriverOptions = {
      powerCycleEachScenario: powerCycle,
      ...(t.traceFrames ? { traceFrames: true } : {}),
      // The emulator's card-reader trace, unless the bench's own PC/SC presenter sees the APDUs itself.
      ...(apduFromTerminal ? { apduTrace: true } : {}),
    };
    if (e.kind === 'ecr-serial')
      return new EcrSerialDriver({ path: e.path, baudRate: e.baudRate }, ecrOptions);
    if (e.kind === 'ecr-tcp') return new EcrTcpDriver({ host: e.host, port: e.port }, ecrOptions);
    if (e.kind === 'nexo') {
      const nexo = new NexoDriver(`nexo ${e.url}`, {
        url: e.url,
        poiId: e.poiId,
        ...(t.saleId ? { saleId: t.saleId } : {}),
        ...(nexoCa !== undefined ? { ca: nexoCa } : {}),
        currency: currencyCode ? currencyOfNumeric(currencyCode).alpha : 'EUR',
        // payhil's POI offers its Display/Print/Event notifications; a real terminal has none.
        notifications: proc !== undefined,
        startTimeoutMs: 1000,
        onFault: (err) => made.bench?.fault(err),
      });
      // The test-mode channel presents cards and keys unless an operator does.
      const presenter =
        e.testMode && spec.card.presenter !== 'operator'
          ? new TestModePresenter(e.testMode, { powerCycleEachScenario: powerCycle })
          : undefined;
      return new ProtocolTerminal(
        nexo,
        presenter,
        (what) =>
          new NexoDriverUnsupportedError(
            nexo.name,
            what,
            'nexo does not carry it and the bench has no test-mode channel (terminal.testModeAddress)',
          ),
      );
    }
    if (e.kind === 'zvt-tcp' || e.kind === 'zvt-serial') {
      const zvtOptions = {
        ...(t.traceFrames ? { traceFrames: true } : {}),
        ...(t.zvtPassword ? { password: t.zvtPassword } : {}),
        ...(t.zvtSilenceTimeout !== undefined
          ? { silenceTimeoutMs: parseDuration(t.zvtSilenceTimeout) }
          : {}),
        onFault: (err: Error) => made.bench?.fault(err),
      };
      const protocol =
        e.kind === 'zvt-tcp'
          ? new ZvtTcpDriver(
              { host: e.host, port: e.port, ...(t.pcapFile ? { pcapFile: t.pcapFile } : {}) },
              zvtOptions,
            )
          : new ZvtSerialDriver({ path: e.path, baudRate: e.baudRate }, zvtOptions);
      // The test-mode channel presents cards and keys unless an operator does.
      const presenter =
        spec.card.presenter !== 'operator' && e.testMode.port > 0
          ? new TestModePresenter(e.testMode, { powerCycleEachScenario: powerCycle })
          : undefined;
      return new ProtocolTerminal(
        protocol,
        presenter,
        (what) =>
          new ZvtDriverUnsupportedError(
            protocol.name,
            what,
            'ZVT does not carry it and the bench has no test-mode channel (terminal.testModeAddress)',
          ),
      );
    }
    return new WebDriver({
      url: e.url,
      ...(t.selectors ? { selectors: t.selectors } : {}),
      powerCycleEachScenario: powerCycle,
    });
  };

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

/**
 * The pcsc presenter's reader (`card.reader`, else vpcd's reader for `card.vpcdPort`) and the `--reader`
 * the spawned emulator gets; BenchConfigError when they cannot be told or disagree.
 */
function pcscReaderOf(input: DriverBenchInput): { reader: string; emulatorReader: string } {
  const { file, name, spec } = input;
  const port = spec.card.vpcdPort ?? 35963;
  const byPort = vpcdReaderName(port);
  const reader = spec.card.reader ?? byPort;
  if (!reader)
    throw new BenchConfigError(
      `${file}: bench '${name}': card.vpcdPort ${port} is not vpcd's default (35963 or 35964); name the reader in card.reader`,
      file,
    );
  const emulatorReader = reader === 'Virtual PCD 00 00' ? 'vpcd' : `pcsc:${reader}`;
  const spawned = spec.terminal.spawn?.reader;
  if (spawned !== undefined && !readerFromSpec(spawned).includes(reader))
    throw new BenchConfigError(
      `${file}: bench '${name}': the emulator reads '${readerFromSpec(spawned)}' (terminal.spawn.reader) but the pcsc presenter presents cards on '${reader}' (card.reader / card.vpcdPort)`,
      file,
    );
  return { reader, emulatorReader };
}

/** The multiplexer of a lab bench: its link, slots and answer timeout; BenchConfigError when incomplete. */
function muxOf(input: DriverBenchInput): {
  resource: LineLinkResource;
  slots: Record<string, number | MuxSlot>;
  timeoutMs: number;
} {
  const { file, name, spec } = input;
  const c = spec.card;
  if ((c.path === undefined) === (c.address === undefined))
    throw new BenchConfigError(
      `${file}: bench '${name}': the multiplexer needs card.path (its serial port) or card.address (host:port), one of them`,
      file,
    );
  if (!c.slots || !Object.keys(c.slots).length)
    throw new BenchConfigError(
      `${file}: bench '${name}': the multiplexer needs card.slots (card fixture → slot number)`,
      file,
    );
  const seen = new Map<number, string>();
  for (const [card, s] of Object.entries(c.slots)) {
    const n = typeof s === 'number' ? s : s.slot;
    const other = seen.get(n);
    if (other !== undefined)
      throw new BenchConfigError(
        `${file}: bench '${name}': card.slots puts '${other}' and '${card}' in slot ${n}`,
        file,
      );
    seen.set(n, card);
  }
  let resource: LineLinkResource;
  if (c.path !== undefined)
    resource = { kind: 'serial', path: c.path, ...(c.baudRate ? { baudRate: c.baudRate } : {}) };
  else {
    const a = parseEcrTcpAddress(c.address as string);
    if (!a) throw new BenchConfigError(`${file}: card.address '${c.address}' is not host:port`, file);
    resource = { kind: 'tcp', host: a.host, port: a.port };
  }
  return {
    resource,
    slots: c.slots,
    timeoutMs: (c.timeout !== undefined ? parseDuration(c.timeout) : undefined) ?? 3000,
  };
}

/** The robot that presses the keys (keypad.source robot), or undefined. */
function robotKeypadOf(input: DriverBenchInput): { url: string; timeoutMs?: number } | undefined {
  const k = input.spec.keypad;
  if (!k || k.source !== 'robot') return undefined;
  if (!k.url)
    throw new BenchConfigError(
      `${input.file}: bench '${input.name}': keypad.source robot needs keypad.url`,
      input.file,
    );
  return { url: k.url, ...(k.timeout !== undefined ? { timeoutMs: parseDuration(k.timeout) ?? 5000 } : {}) };
}

/** Transactions nexo carries (Login, Payment, Refund, Reversal, BalanceInquiry, Reconciliation). */
const NEXO_SERVICES: ReadonlySet<string> = new Set([
  'signIn',
  'purchase',
  'refund',
  'void',
  'balance',
  'settle',
]);
/** Transactions the ZVT driver maps (Registration/Initialisation, Authorisation, Pre-Authorisation, Reversal, Refund, End-of-Day). */
const ZVT_SERVICES: ReadonlySet<string> = new Set([
  'signIn',
  'purchase',
  'preAuth',
  'void',
  'refund',
  'settle',
]);
/** Step actions that start a transaction. */
const TRANSACTION_ACTIONS = new Set([...NEXO_SERVICES, ...ZVT_SERVICES, 'withdraw', 'completion']);

/**
 * Why a protocol bench cannot serve a scenario: a transaction step its protocol does not carry (nexo:
 * pre-auth, withdrawal; ZVT: balance, withdrawal), found before the scenario starts so it is skipped with
 * the reason rather than failed halfway.
 */
function protocolCannotServe(
  protocol: string,
  services: ReadonlySet<string>,
): (s: Scenario) => string | undefined {
  const walk = (steps: Scenario['steps']): string | undefined => {
    for (const step of steps) {
      const a = step.action as string;
      if (TRANSACTION_ACTIONS.has(a) && !services.has(a))
        return `its step '${a}' (line ${step.at.line}) is a transaction payhil does not map onto ${protocol}`;
      const inner = step.steps ? walk(step.steps) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };
  return (s) => walk(s.steps) ?? walk(s.finally);
}

/** The PEM a nexo bench checks an https terminal's certificate against (path relative to the lab file). */
function readCa(file: string, name: string, caFile: string): Buffer {
  try {
    return readFileSync(resolvePath(dirname(file), caFile));
  } catch (e) {
    throw new BenchConfigError(
      `${file}: bench '${name}': terminal.caFile ${caFile}: ${(e as Error).message}`,
      file,
    );
  }
}

/**
 * The bench's terminal runs its own profile whatever `bench.terminal` a scenario names. Where the two
 * differ in the daily sign-in (profile `signIn.daily`), the scenario is about behaviour this terminal
 * does not have: it cannot serve it (skipped with the reason rather than failed).
 */
function dailySignInCannotServe(benchProfile: string, s: Scenario): string | undefined {
  const asked = s.bench?.terminal;
  if (asked === undefined || asked === benchProfile) return undefined;
  const daily = (name: string): boolean | undefined => {
    try {
      return loadTerminalProfile(name).signIn.daily;
    } catch {
      return undefined;
    }
  };
  const want = daily(asked);
  if (want === undefined || want === daily(benchProfile)) return undefined;
  return `it asks for terminal profile '${asked}' (signIn.daily ${want}); this bench's terminal runs '${benchProfile}'`;
}
