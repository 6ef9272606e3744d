/**
 * Test helper: `payhil emulator …` as its own process (the compiled CLI), with its printed addresses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

export interface EmulatorProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The `ECR listening on tcp HOST:PORT` address, when asked for. */
  readonly ecrTcp?: { host: string; port: number };
  /** The web UI URL, when asked for. */
  readonly webUrl?: string;
  /** SIGTERM, then the exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** Starts the emulator and resolves once it printed `ready` (rejects after `timeoutMs` or on exit). */
export async function startEmulatorProcess(args: string[], timeoutMs = 15000): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [BIN, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator not ready within ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    const check = (): void => {
      if (/payhil emulator: ready/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${out}\n${err}`));
    });
  });
  const tcp = /ECR listening on tcp (\S+):(\d+)/.exec(out);
  const web = /web UI on (\S+)/.exec(out);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    ...(tcp ? { ecrTcp: { host: tcp[1] as string, port: Number(tcp[2]) } } : {}),
    ...(web ? { webUrl: web[1] as string } : {}),
    async stop(stopTimeoutMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs `payhil emulator …` expecting it to exit by itself (usage errors); resolves with code and output. */
export function runEmulatorProcess(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
