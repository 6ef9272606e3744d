import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchHistoryDir, generateReport, openReport, readRunMarker } from '../report/index.js';
import { EXIT_FAIL, EXIT_OK, type CliIo, type Command } from './command.js';
import { runUntilStopSignal } from './stop-signal.js';
import { UsageError } from './usage-error.js';

const HELP = `usage: payhil report [--open] [--results-dir DIR] [--report-dir DIR]

Generates the HTML report from the Allure results of 'payhil run' with allure-commandline (needs Java),
keeping Allure's history across runs so trends show.

  --results-dir DIR  Allure results (default reports/allure-results)
  --report-dir DIR   HTML report (default reports/allure-report)
  --open             then serve the report on 127.0.0.1 and open a browser (Ctrl-C or SIGTERM stops it)

Exit status: 0 generated, 1 stopped by SIGINT/SIGTERM while generating, 2 usage error (no results, Java
or allure-commandline missing).`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'generate (and open) the HTML report of the last run, history kept',
  async run(argv: string[], io: CliIo): Promise<number> {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        allowPositionals: false,
        strict: true,
        options: {
          open: { type: 'boolean' },
          'results-dir': { type: 'string' },
          'report-dir': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (e) {
      throw new UsageError(`report: ${(e as Error).message}`);
    }
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    const resultsDir = resolve(io.cwd, values['results-dir'] ?? join('reports', 'allure-results'));
    const reportDir = resolve(io.cwd, values['report-dir'] ?? join('reports', 'allure-report'));
    // The run's bench keeps its own Allure history (reports/history/allure/BENCH) when the run recorded one.
    const marker = readRunMarker(resultsDir);
    // SIGINT or SIGTERM stops allure (a Java child: the generator, or the report server) before this
    // process ends.
    return runUntilStopSignal(async (stop) => {
      const abort = new AbortController();
      void stop.then(() => abort.abort());
      await generateReport({
        resultsDir,
        reportDir,
        signal: abort.signal,
        ...(marker ? { historyDir: benchHistoryDir(marker.history, marker.bench) } : {}),
      });
      if (abort.signal.aborted) {
        io.err('report: stopped before the report was complete');
        return EXIT_FAIL;
      }
      io.out(`report: ${join(reportDir, 'index.html')}`);
      if (values.open) await openReport(reportDir, (l) => io.out(l), abort.signal);
      return EXIT_OK;
    });
  },
};
