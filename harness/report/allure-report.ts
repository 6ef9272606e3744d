/**
 * Generates the HTML report from Allure results with allure-commandline (needs Java), keeping Allure's
 * history across runs: the previous report's `history/` is copied into the results before generating, so
 * trends show.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReportError } from './errors.js';
import { carryBenchHistory, keepBenchHistory } from './bench-history.js';

/** The allure-commandline launcher script. */
export function allureBinary(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('allure-commandline/package.json');
  } catch {
    throw new ReportError(
      'E_REPORT_NO_ALLURE',
      'allure-commandline is not installed (npm install allure-commandline)',
    );
  }
  return join(dirname(pkg), 'dist', 'bin', 'allure');
}

/** Throws a clear ReportError when Java is missing. */
export function checkJava(): void {
  const javaHome = process.env.JAVA_HOME;
  const java = javaHome ? join(javaHome, 'bin', 'java') : 'java';
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new ReportError(
      'E_REPORT_NO_JAVA',
      `the HTML report needs Java (allure-commandline runs on a JRE); '${java} -version' failed${r.error ? `: ${r.error.message}` : ''}. Install a JRE (Debian: apt-get install default-jre-headless) or set JAVA_HOME. The results in the results folder are complete without it.`,
    );
}

/** Copies `reportDir/history` into `resultsDir/history` (trends across runs). */
export function carryHistory(resultsDir: string, reportDir: string): boolean {
  const from = join(reportDir, 'history');
  if (!existsSync(from)) return false;
  cpSync(from, join(resultsDir, 'history'), { recursive: true });
  return true;
}

export interface GenerateOptions {
  resultsDir: string;
  reportDir: string;
  /**
   * Allure history kept per bench (reports/history/allure/BENCH): read into the results before
   * generating and refreshed from the new report after. Without it the previous report's history is used.
   */
  historyDir?: string;
  /** Output of allure (default: ignored). */
  log?: (line: string) => void;
  /** Stops allure (Java) when aborted; the promise then resolves with the report incomplete. */
  signal?: AbortSignal;
}

/** `allure generate --clean RESULTS -o REPORT`, history kept. */
export async function generateReport(options: GenerateOptions): Promise<void> {
  if (!existsSync(options.resultsDir))
    throw new ReportError(
      'E_REPORT_NO_RESULTS',
      `no results in ${options.resultsDir}: run 'payhil run' first`,
    );
  checkJava();
  if (options.historyDir === undefined) carryHistory(options.resultsDir, options.reportDir);
  else carryBenchHistory(options.resultsDir, options.historyDir);
  await runAllure(
    ['generate', '--clean', options.resultsDir, '-o', options.reportDir],
    options.log,
    options.signal,
  );
  if (options.historyDir !== undefined) keepBenchHistory(options.reportDir, options.historyDir);
}

/**
 * `allure open REPORT` on 127.0.0.1 (serves it and opens a browser; resolves when the server stops, or
 * once it is stopped after `signal` aborts).
 */
export async function openReport(
  reportDir: string,
  log?: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  checkJava();
  await runAllure(['open', '--host', '127.0.0.1', reportDir], log, signal);
}

/** Grace given to allure (Java) to stop after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000;

function runAllure(args: string[], log?: (line: string) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(allureBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Stopped on request: the launcher execs java, so the child is the server itself.
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      p.kill('SIGTERM');
      killTimer = setTimeout(() => p.kill('SIGKILL'), STOP_GRACE_MS);
    };
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
    const out: string[] = [];
    const onData = (b: Buffer): void => {
      const t = b.toString();
      out.push(t);
      log?.(t.trimEnd());
    };
    p.stdout.on('data', onData);
    p.stderr.on('data', onData);
    p.on('error', (e) => reject(new ReportError('E_REPORT_ALLURE', `cannot run allure: ${e.message}`)));
    p.on('close', (code) => {
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', stop);
      if (code === 0 || signal?.aborted) resolve();
      else
        reject(
          new ReportError(
            'E_REPORT_ALLURE',
            `allure ${args[0]} failed (exit ${code}): ${out.join('').trim().split('\n').slice(-5).join('\n')}`,
          ),
        );
    });
  });
}
