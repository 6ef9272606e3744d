/**
 * The contract every `payhil` sub-command implements. Commands write through `io` (never straight to
 * the console) so tests can run them in-process, and return the process exit code:
 * 0 success, 1 the checked thing is wrong (invalid scenario, failed run), 2 usage or configuration error.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Working directory that relative paths are resolved against. */
  readonly cwd: string;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    cwd: process.cwd(),
  };
}

/** An io that records output, for tests. */
export function memoryIo(cwd = process.cwd()): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, cwd, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t) };
}
