/**
 * The report thread's worker (report-thread.ts): says it is ready once the renderers are loaded. Then,
 * per session (a run): takes the results folder and the spares handed over, renders and writes each run
 * it is sent and answers each with `written` or `failed`; on `close`, drops the spares it did not use
 * and answers `closed`.
 */
import { parentPort } from 'node:worker_threads';
import { AllureWriter } from './allure-writer.js';
import { fromWire } from './report-run.js';
import type { FromReportWorker, ToReportWorker } from './report-thread.js';
import { ResultsWriter } from './results-writer.js';

const port = parentPort;
if (!port) throw new Error('report-worker.js runs as a worker thread (report-thread.ts)');

/** The open sessions (one per run): the run's writer. */
const sessions = new Map<number, { results: ResultsWriter; allure: AllureWriter }>();
const answer = (m: FromReportWorker): void => port.postMessage(m);

port.on('message', (m: ToReportWorker) => {
  const session = sessions.get(m.session);
  switch (m.kind) {
    case 'open': {
      const results = new ResultsWriter(m.resultsDir, m.spares);
      sessions.set(m.session, { results, allure: new AllureWriter({ writer: results }) });
      return;
    }
    case 'run':
      try {
        if (!session) throw new Error(`report worker: no session ${m.session}`);
        session.allure.writeRun(fromWire(m.run));
        answer({ kind: 'written', session: m.session, id: m.id });
      } catch (e) {
        answer({
          kind: 'failed',
          session: m.session,
          id: m.id,
          message: e instanceof Error ? e.message : String(e),
        });
      }
      return;
    case 'close':
      sessions.delete(m.session);
      session?.results.close();
      answer({ kind: 'closed', session: m.session });
      return;
  }
});
answer({ kind: 'ready' });
