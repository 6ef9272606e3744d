/**
 * A child process as a transport: its stdin/stdout as a `ByteChannel` (stderr kept, its last 2 KiB, for
 * messages). How a driver runs a sidecar next to it (a bridge to a vendor DLL, a serial command tool).
 * Closing the channel ends stdin, then SIGTERM, then SIGKILL after `killAfterMs`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StreamChannel } from './stream-channel.js';
import { KitProcessError } from './errors.js';

const STDERR_TAIL = 2048;

export interface ChildProcessChannelOptions {
  /** Working directory and environment of the child (defaults: this process's). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** After SIGTERM, SIGKILL once this long passed (ms). Default 1000. */
  killAfterMs?: number;
}

export class ChildProcessChannel extends StreamChannel {
  private tail = '';

  private constructor(
    readonly command: string,
    readonly child: ChildProcess,
    killAfterMs: number,
  ) {
    super(
      `process:${command}`,
      child.stdout as NonNullable<ChildProcess['stdout']>,
      child.stdin as NonNullable<ChildProcess['stdin']>,
      () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        child.once('exit', () => clearTimeout(timer));
      },
    );
    child.stderr?.on('data', (d: Buffer) => {
      this.tail = (this.tail + d.toString('utf8')).slice(-STDERR_TAIL);
    });
  }

  /** The last lines the child wrote on stderr (for an error message). */
  get stderrTail(): string {
    return this.tail.trim();
  }

  /** How the child ended, e.g. "exit code 3", "signal SIGKILL"; undefined while it runs. */
  get exit(): string | undefined {
    if (this.child.signalCode !== null) return `signal ${this.child.signalCode}`;
    if (this.child.exitCode !== null) return `exit code ${this.child.exitCode}`;
    return undefined;
  }

  /** Starts `command args…`; rejects with `KitProcessError` when it cannot be started (ENOENT, EACCES). */
  static start(
    command: string,
    args: string[],
    options: ChildProcessChannelOptions = {},
  ): Promise<ChildProcessChannel> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
        ...(options.env !== undefined ? { env: options.env } : {}),
      });
      child.once('error', (e: NodeJS.ErrnoException) =>
        reject(new KitProcessError(command, `cannot start: ${e.code ?? e.message}`, e)),
      );
      child.once('spawn', () =>
        resolve(new ChildProcessChannel(command, child, options.killAfterMs ?? 1000)),
      );
    });
  }
}
