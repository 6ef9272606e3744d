/**
 * The terminal driver of a driver bench, made anew at each activation (a spawned emulator's endpoint
 * changes): an ECR driver on a serial port or TCP, the web driver, or a protocol driver (nexo, ZVT, a
 * sidecar) with the emulator's ECR test-mode channel presenting cards and keys where the bench has one
 * (protocol-terminal.ts).
 */
import { dirname, resolve as resolvePath } from 'node:path';
import type {
  CardPresenter,
  DeviceControl,
  Display,
  Keypad,
  ModeControl,
  ObservationListener,
  TerminalControl,
} from '../capabilities/index.js';
import { packageRoot } from '../common/project-root.js';
import { EcrSerialDriver } from '../drivers/ecr-serial/index.js';
import { EcrTcpDriver, parseEcrTcpAddress } from '../drivers/ecr-tcp/index.js';
import type { EcrDriverOptions } from '../drivers/ecr/index.js';
import { NexoDriver, NexoDriverUnsupportedError } from '../drivers/nexo/index.js';
import {
  SidecarDriver,
  SidecarDriverUnsupportedError,
  type SidecarResource,
} from '../drivers/sidecar/index.js';
import { TestModePresenter } from '../drivers/test-mode/index.js';
import { WebDriver } from '../drivers/web/index.js';
import { ZvtDriverUnsupportedError, ZvtSerialDriver, ZvtTcpDriver } from '../drivers/zvt/index.js';
import { currencyOfNumeric } from '../nexo/index.js';
import { parseDuration } from '../scenario/index.js';
import { BenchConfigError } from './errors.js';
import type { EmulatorEndpoint, EmulatorProcessDriver } from './lab-emulator-process.js';
import type { DriverBenchInput, DriverKind } from './lab-driver-spec.js';
import { ProtocolTerminal, type ProtocolDriverLike } from './protocol-terminal.js';

/** What a terminal driver (EcrDriver, WebDriver) offers. */
export interface TerminalDriverLike {
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

export interface TerminalDriverContext {
  input: DriverBenchInput;
  driverKind: DriverKind;
  /** The emulator started as its own process, when the bench spawns one. */
  proc: EmulatorProcessDriver | undefined;
  /** The spawned emulator's ECR link carries its card-reader trace (no PC/SC presenter sees the APDUs). */
  apduFromTerminal: boolean;
  /** The PEM a nexo bench checks an https terminal's certificate against. */
  nexoCa: Buffer | undefined;
  /** ISO 4217 numeric code of the terminal profile's currency. */
  currencyCode: string | undefined;
  /** A fault a driver reports between calls (the bench's). */
  fault: (e: Error) => void;
}

/** Makes the bench's terminal driver, one per activation. */
export function terminalDriverFactory(ctx: TerminalDriverContext): () => TerminalDriverLike {
  const { driverKind, proc, apduFromTerminal, nexoCa, currencyCode, fault } = ctx;
  const { file, spec } = ctx.input;
  const t = spec.terminal;
  const zvt = driverKind === 'zvt-tcp' || driverKind === 'zvt-serial';
  const sidecar = driverKind === 'sidecar';
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
  const powerCycle = t.powerCycleEachScenario ?? t.spawn !== undefined;
  /**
   * A protocol driver as the bench's terminal driver: the emulator's test-mode channel (when the bench
   * has one) presents cards and keys unless an operator does; what neither carries is `unsupported`.
   */
  const protocolTerminal = (
    protocol: ProtocolDriverLike,
    testMode: { host: string; port: number } | undefined,
    unsupported: (what: string) => Error,
  ): ProtocolTerminal =>
    new ProtocolTerminal(
      protocol,
      testMode && spec.card.presenter !== 'operator'
        ? new TestModePresenter(testMode, { powerCycleEachScenario: powerCycle })
        : undefined,
      unsupported,
    );
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
    const driver = new SidecarDriver(resource, { onFault: (err) => fault(err) });
    return protocolTerminal(
      driver,
      tm,
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
        onFault: (err) => fault(err),
      });
      return protocolTerminal(
        nexo,
        e.testMode,
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
        onFault: (err: Error) => fault(err),
      };
      const protocol =
        e.kind === 'zvt-tcp'
          ? new ZvtTcpDriver(
              { host: e.host, port: e.port, ...(t.pcapFile ? { pcapFile: t.pcapFile } : {}) },
              zvtOptions,
            )
          : new ZvtSerialDriver({ path: e.path, baudRate: e.baudRate }, zvtOptions);
      return protocolTerminal(
        protocol,
        e.testMode.port > 0 ? e.testMode : undefined,
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

  return makeTerminalDriver;
}
