/**
 * A self-contained lab bench's terminal: `payhil emulator` as its own process, reached the way a physical
 * terminal is (an ECR link on one end of a socat pty pair, an ECR link on TCP, its web UI, or ZVT on TCP or
 * a pty with the ECR test-mode channel beside it for cards and keys), optionally
 * reading its cards through a PC/SC reader (`--reader vpcd`, for the `pcsc` card presenter). As a
 * bench driver: `activate()` makes the pty pair (ecr-serial), spawns the emulator pointed at the bench's
 * proxy and waits for its `ready` line; `deactivate()` stops the emulator (SIGTERM, then SIGKILL) and
 * socat, whatever state they are in. The children are also killed if this process exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../common/logger.js';
import { startPtyPair, type PtyPair } from '../emulator/ecr/index.js';
import { ActiveGuard, BrokenError, type Driver } from '../capabilities/index.js';

const log = createLogger('payhil:bench:emulator-process');

/** The payhil CLI of this installation (compiled next to this file). */
const PAYHIL_BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));

export interface EmulatorProcessOptions {
  /** How the bench reaches the terminal. */
  /** nexo and zvt-*: the protocol plus an ECR test channel on TCP (`--ecr tcp:127.0.0.1:0`) for cards and keys. */
  link: 'ecr-serial' | 'ecr-tcp' | 'web' | 'nexo' | 'zvt-tcp' | 'zvt-serial' | 'sidecar';
  /** Terminal profile (bundled name or file). */
  profile: string;
  defects?: readonly string[];
  /** host:port the emulator listens on for ecr-tcp / web (port 0: any free port). Default 127.0.0.1:0. */
  listen?: string;
  baudRate?: number;
  /**
   * Read cards through a PC/SC reader: `vpcd` (reader `Virtual PCD 00 00`) or `pcsc:NAME`
   * (`payhil emulator --reader`). pcscd must run. Default: cards only from test-mode requests.
   */
  reader?: string;
  /** Where the terminal sends its ISO 8583 traffic (the bench's proxy); asked at activation. */
  hostTarget: () => { host: string; port: number };
  /** Readiness deadline (ms). Default 20 000. */
  startTimeoutMs?: number;
  /** Where the emulator's printed lines go (debug). */
  onOutput?: (line: string) => void;
}

/** Where the driver of the terminal connects, once the emulator is up. */
export type EmulatorEndpoint =
  | { kind: 'ecr-serial'; path: string; baudRate: number }
  | { kind: 'ecr-tcp'; host: string; port: number }
  /** The web UI, plus the ECR test-mode channel where there is one (the card-reader trace: `apdu`). */
  | { kind: 'web'; url: string; testMode?: { host: string; port: number } }
  /** nexo over HTTP, plus the ECR test-mode channel (cards, keys, power cycle) where there is one. */
  | { kind: 'nexo'; url: string; poiId: string; testMode?: { host: string; port: number } }
  /** ZVT on TCP or a pty, plus the ECR test-mode channel (cards, keys) on TCP. */
  | { kind: 'zvt-tcp'; host: string; port: number; testMode: { host: string; port: number } }
  | { kind: 'zvt-serial'; path: string; baudRate: number; testMode: { host: string; port: number } };

const live = new Set<ChildProcess>();
let exitHook = false;
function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

/** The emulator process (and its pty pair) as a bench driver. */
export class EmulatorProcessDriver implements Driver {
  readonly name: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private pty: PtyPair | undefined;
  /** Where the terminal driver connects, while the emulator runs (ready). */
  private readonly running: ActiveGuard<EmulatorEndpoint> = new ActiveGuard(
    () => new BrokenError('the emulator process is not running', this.name),
  );
  private output = '';
  private readerNow: string | undefined;

  constructor(private readonly options: EmulatorProcessOptions) {
    this.name = `emulator process (${options.link})`;
  }

  /** The address the terminal driver uses; BrokenError before activation. */
  endpoint(): EmulatorEndpoint {
    return this.running.need('endpoint');
  }

  /** The PC/SC reader the emulator reads its cards from, as it announced it (undefined without `reader`). */
  get reader(): string | undefined {
    return this.readerNow;
  }

  /** The emulator's pid (for tests and reports). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async activate(): Promise<void> {
    if (this.child) return;
    try {
      await this.start();
    } catch (e) {
      await this.deactivate();
      throw e;
    }
  }

  async deactivate(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.running.deactivate();
    this.readerNow = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    const pty = this.pty;
    this.pty = undefined;
    await pty?.close().catch(() => undefined);
  }

  private async start(): Promise<void> {
    const o = this.options;
    const target = o.hostTarget();
    const args = ['emulator', '--profile', o.profile, '--host', `${target.host}:${target.port}`];
    for (const d of o.defects ?? []) args.push('--defect', d);
    const listen = o.listen ?? '127.0.0.1:0';
    const baudRate = o.baudRate ?? 115200;
    if (o.link === 'ecr-serial') {
      this.pty = await startPtyPair();
      args.push('--ecr', `serial:${this.pty.a}`, '--baud', String(baudRate));
    } else if (o.link === 'ecr-tcp' || o.link === 'sidecar') args.push('--ecr', `tcp:${listen}`);
    else if (o.link === 'nexo') args.push('--nexo', listen, '--ecr', 'tcp:127.0.0.1:0');
    else if (o.link === 'zvt-tcp') args.push('--zvt', `tcp:${listen}`, '--ecr', 'tcp:127.0.0.1:0');
    else if (o.link === 'zvt-serial') {
      this.pty = await startPtyPair();
      args.push('--zvt', `serial:${this.pty.a}`, '--baud', String(baudRate), '--ecr', 'tcp:127.0.0.1:0');
    } else args.push('--web', listen, '--ecr', 'tcp:127.0.0.1:0');
    if (o.reader !== undefined) args.push('--reader', o.reader);
    log('spawn %s %o', PAYHIL_BIN, args);
    const child = spawn(process.execPath, [PAYHIL_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    this.child = child;
    killOnExit(child);
    this.output = '';
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const onData = (d: Buffer): void => {
      const text = d.toString();
      this.output = (this.output + text).slice(-8000);
      for (const line of text.split('\n'))
        if (line.trim()) {
          if (o.onOutput) o.onOutput(line);
          else log(`emulator ${child.pid}:`, line);
        }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const timeoutMs = o.startTimeoutMs ?? 20000;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        child.off('exit', onExit);
        child.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (/payhil emulator: ready/.test(this.output)) done();
      };
      const onExit = (code: number | null, signal: string | null): void =>
        done(this.broken(`exited (${signal ?? `code ${code}`}) before it was ready`));
      const onError = (e: Error): void => done(this.broken(`could not be started: ${e.message}`));
      const timer = setTimeout(() => done(this.broken(`not ready within ${timeoutMs} ms`)), timeoutMs);
      child.stdout?.on('data', check);
      child.once('exit', onExit);
      child.once('error', onError);
      check();
    });
    let endpoint: EmulatorEndpoint;
    if (o.link === 'ecr-serial') endpoint = { kind: 'ecr-serial', path: (this.pty as PtyPair).b, baudRate };
    else if (o.link === 'ecr-tcp' || o.link === 'sidecar') {
      const m = /ECR listening on tcp (\S+):(\d+)/.exec(this.output);
      if (!m) throw this.broken('did not print its ECR address');
      endpoint = { kind: 'ecr-tcp', host: m[1] as string, port: Number(m[2]) };
    } else if (o.link === 'nexo') {
      const m = /nexo on (\S+) \(POIID ([^)]+)\)/.exec(this.output);
      const ecr = /ECR listening on tcp (\S+):(\d+)/.exec(this.output);
      if (!m || !ecr) throw this.broken('did not print its nexo and ECR test channel addresses');
      endpoint = {
        kind: 'nexo',
        url: m[1] as string,
        poiId: m[2] as string,
        testMode: { host: ecr[1] as string, port: Number(ecr[2]) },
      };
    } else if (o.link === 'zvt-tcp' || o.link === 'zvt-serial') {
      const t = /ECR listening on tcp (\S+):(\d+)/.exec(this.output);
      if (!t) throw this.broken('did not print its ECR test-mode address');
      const testMode = { host: t[1] as string, port: Number(t[2]) };
      if (o.link === 'zvt-serial')
        endpoint = { kind: 'zvt-serial', path: (this.pty as PtyPair).b, baudRate, testMode };
      else {
        const m = /ZVT listening on tcp (\S+):(\d+)/.exec(this.output);
        if (!m) throw this.broken('did not print its ZVT address');
        endpoint = { kind: 'zvt-tcp', host: m[1] as string, port: Number(m[2]), testMode };
      }
    } else {
      const m = /web UI on (\S+)/.exec(this.output);
      const t = /ECR listening on tcp (\S+):(\d+)/.exec(this.output);
      if (!m || !t) throw this.broken('did not print its web UI and ECR test-mode addresses');
      endpoint = { kind: 'web', url: m[1] as string, testMode: { host: t[1] as string, port: Number(t[2]) } };
    }
    if (o.reader !== undefined) {
      const m = /reading cards through PC\/SC reader '([^']+)'/.exec(this.output);
      if (!m) throw this.broken(`did not say it reads cards through PC/SC reader ${o.reader}`);
      this.readerNow = m[1];
    }
    this.running.activate(endpoint);
    log('emulator pid %d ready: %o', child.pid, endpoint);
  }

  private broken(why: string): BrokenError {
    const tail = this.output.trim().split('\n').slice(-5).join(' | ');
    return new BrokenError(`the emulator process ${why}${tail ? `: ${tail}` : ''}`, this.name, {
      code: 'E_BENCH_EMULATOR_PROCESS',
    });
  }
}
