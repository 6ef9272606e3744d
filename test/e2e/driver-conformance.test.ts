/**
 * The terminal-driver conformance suite (payhil/testing `describeDriverConformance`) against every
 * cash-register driver payhil ships, each bound to `payhil emulator` as its own process with the host
 * simulator in this process: ecr-tcp, ecr-serial (socat pty pair), nexo (HTTP), zvt-tcp and zvt-serial
 * (socat pty pair). nexo and ZVT carry no card or PIN from the cash register: cards and keys go through
 * the emulator's ECR test-mode channel beside them (ProtocolTerminal, as on the lab benches). The sidecar
 * driver runs against the reference sidecar (JSON lines → the emulator's ECR link), as its child over
 * stdio and as its own process over TCP.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SidecarDriver, SidecarDriverUnsupportedError } from '../../harness/drivers/sidecar/index.js';
import { EcrSerialDriver } from '../../harness/drivers/ecr-serial/index.js';
import { EcrTcpDriver } from '../../harness/drivers/ecr-tcp/index.js';
import { NexoDriver, NexoDriverUnsupportedError } from '../../harness/drivers/nexo/index.js';
import { TestModePresenter } from '../../harness/drivers/test-mode/index.js';
import { ZvtSerialDriver, ZvtTcpDriver, ZvtDriverUnsupportedError } from '../../harness/drivers/zvt/index.js';
import { ProtocolTerminal, type ProtocolDriverLike } from '../../harness/bench/protocol-terminal.js';
import { startPtyPair, type PtyPair } from '../../harness/emulator/ecr/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import {
  describeDriverConformance,
  type ConformanceBench,
  type ConformanceDriver,
} from '../../harness/testing/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process.test-helper.js';

/** Short bounds so refusals and dead peers answer within the suite's bound. */
const PREVIOUS_MS = 800;

export interface EmulatorBench {
  host: HostHandle;
  emulator: EmulatorProcess;
  pty?: PtyPair;
  /** The ECR test-mode channel (always opened on TCP). */
  testMode: { host: string; port: number };
}

/**
 * Host simulator + `payhil emulator --profile cup-pos-ci` with `args` (`{pty}` is replaced by the pty
 * pair's emulator end) and an ECR test-mode channel on TCP.
 */
export async function startEmulatorBench(args: string[], withPty = false): Promise<EmulatorBench> {
  const host = await startHost({ dialect: 'cup' });
  const pty = withPty ? await startPtyPair() : undefined;
  const a = args.map((x) => (pty ? x.replace('{pty}', pty.a) : x));
  const hasEcrTcp = a.some((x) => x.startsWith('tcp:') && a[a.indexOf(x) - 1] === '--ecr');
  let emulator: EmulatorProcess;
  try {
    emulator = await startEmulatorProcess([
      ...['--profile', 'cup-pos-ci', '--host', `${host.address.host}:${host.address.port}`],
      ...a,
      ...(hasEcrTcp ? [] : ['--ecr', 'tcp:127.0.0.1:0']),
    ]);
  } catch (e) {
    await pty?.close();
    await host.close();
    throw e;
  }
  const testMode = emulator.ecrTcp ?? { host: '', port: 0 };
  return { host, emulator, ...(pty ? { pty } : {}), testMode };
}

/** The conformance bench over an emulator bench: decline by a host rule, death by SIGKILL. */
export function conformanceBench(b: EmulatorBench, driver: () => ConformanceDriver): ConformanceBench {
  let closed = false;
  const kill = async (): Promise<void> => {
    b.emulator.child.kill('SIGKILL');
    await b.emulator.stop();
    await b.pty?.close();
  };
  return {
    driver,
    declineNext: () => void b.host.addRule({ mti: '0200', times: 1, respond: { fields: { '39': '51' } } }),
    killPeer: kill,
    close: async () => {
      if (closed) return;
      closed = true;
      await kill().catch(() => undefined);
      await b.host.close();
    },
  };
}

/** A protocol driver (nexo, ZVT) with the emulator's test-mode channel presenting cards and keys. */
function withTestMode(
  protocol: ProtocolDriverLike,
  testMode: { host: string; port: number },
  unsupported: (what: string) => Error,
): ConformanceDriver {
  return new ProtocolTerminal(protocol, new TestModePresenter(testMode), unsupported);
}

const ALL = { void: true, refund: true, settle: true };

describeDriverConformance({
  name: 'ecr-tcp (payhil emulator --ecr tcp)',
  offers: ALL,
  async start() {
    const b = await startEmulatorBench(['--ecr', 'tcp:127.0.0.1:0']);
    return conformanceBench(b, () => new EcrTcpDriver(b.testMode, { previousTimeoutMs: PREVIOUS_MS }));
  },
});

describeDriverConformance({
  name: 'ecr-serial (payhil emulator --ecr serial, socat pty pair)',
  offers: ALL,
  async start() {
    const b = await startEmulatorBench(['--ecr', 'serial:{pty}'], true);
    const path = (b.pty as PtyPair).b;
    return conformanceBench(b, () => new EcrSerialDriver({ path }, { previousTimeoutMs: PREVIOUS_MS }));
  },
});

describeDriverConformance({
  name: 'nexo (payhil emulator --nexo, HTTP)',
  offers: ALL,
  async start() {
    const b = await startEmulatorBench(['--nexo', '127.0.0.1:0']);
    const m = /nexo on (\S+) \(POIID ([^)]+)\)/.exec(b.emulator.stdout());
    if (!m) throw new Error(`no nexo address printed:\n${b.emulator.stdout()}`);
    const [url, poiId] = [m[1] as string, m[2] as string];
    return conformanceBench(b, () => {
      const nexo = new NexoDriver(`nexo ${url}`, {
        url,
        poiId,
        currency: 'CNY',
        startTimeoutMs: 1000,
        previousTimeoutMs: PREVIOUS_MS,
        controlTimeoutMs: 3000,
        recoveryTimeoutMs: 3000,
      });
      return withTestMode(
        nexo,
        b.testMode,
        (w) => new NexoDriverUnsupportedError(nexo.name, w, 'not over nexo'),
      );
    });
  },
});

describeDriverConformance({
  name: 'zvt-tcp (payhil emulator --zvt tcp)',
  offers: ALL,
  async start() {
    const b = await startEmulatorBench(['--zvt', 'tcp:127.0.0.1:0']);
    const m = /ZVT listening on tcp (\S+):(\d+)/.exec(b.emulator.stdout());
    if (!m) throw new Error(`no ZVT address printed:\n${b.emulator.stdout()}`);
    const addr = { host: m[1] as string, port: Number(m[2]) };
    return conformanceBench(b, () => {
      const zvt = new ZvtTcpDriver(addr, { previousTimeoutMs: PREVIOUS_MS, ackTimeoutMs: 3000 });
      return withTestMode(zvt, b.testMode, (w) => new ZvtDriverUnsupportedError(zvt.name, w, 'not over ZVT'));
    });
  },
});

describeDriverConformance({
  name: 'zvt-serial (payhil emulator --zvt serial, socat pty pair)',
  offers: ALL,
  async start() {
    const b = await startEmulatorBench(['--zvt', 'serial:{pty}', '--baud', '115200'], true);
    const path = (b.pty as PtyPair).b;
    return conformanceBench(b, () => {
      const zvt = new ZvtSerialDriver(
        { path, baudRate: 115200 },
        { previousTimeoutMs: PREVIOUS_MS, ackTimeoutMs: 3000, serialAckTimeoutMs: 1000 },
      );
      return withTestMode(zvt, b.testMode, (w) => new ZvtDriverUnsupportedError(zvt.name, w, 'not over ZVT'));
    });
  },
});

/** The reference sidecar script (compiled). */
const SIDECAR_MAIN = fileURLToPath(
  new URL('../../harness/drivers/sidecar/reference-sidecar-main.js', import.meta.url),
);

describeDriverConformance({
  name: 'sidecar over stdio (reference sidecar → emulator ECR)',
  offers: ALL,
  async start() {
    const b = await startEmulatorBench([]);
    const ecr = `${b.testMode.host}:${b.testMode.port}`;
    return conformanceBench(b, () => {
      const sidecar = new SidecarDriver(
        { command: process.execPath, args: [SIDECAR_MAIN, '--ecr', ecr] },
        { previousTimeoutMs: PREVIOUS_MS, requestTimeoutMs: 3000, startTimeoutMs: 5000 },
      );
      return withTestMode(
        sidecar,
        b.testMode,
        (w) => new SidecarDriverUnsupportedError(sidecar.name, w, 'not over the sidecar'),
      );
    });
  },
});

describeDriverConformance({
  name: 'sidecar over TCP (reference sidecar as its own process; the sidecar is the peer that dies)',
  offers: ALL,
  async start() {
    const b = await startEmulatorBench([]);
    const child = spawn(
      process.execPath,
      [SIDECAR_MAIN, '--ecr', `${b.testMode.host}:${b.testMode.port}`, '--listen', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const at = await new Promise<{ host: string; port: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /sidecar listening on tcp (\S+):(\d+)/.exec(out);
        if (m) resolve({ host: m[1] as string, port: Number(m[2]) });
      });
      child.once('exit', (code) => reject(new Error(`the sidecar exited with ${code}: ${out}`)));
    });
    const kill = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    const base = conformanceBench(b, () => {
      const sidecar = new SidecarDriver(at, {
        previousTimeoutMs: PREVIOUS_MS,
        requestTimeoutMs: 3000,
        startTimeoutMs: 5000,
      });
      return withTestMode(
        sidecar,
        b.testMode,
        (w) => new SidecarDriverUnsupportedError(sidecar.name, w, 'not over the sidecar'),
      );
    });
    return {
      ...base,
      killPeer: kill,
      close: async () => {
        await kill();
        await base.close();
      },
    };
  },
});
