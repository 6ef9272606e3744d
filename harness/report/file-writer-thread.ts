/**
 * The worker thread of ResultsWriter's background mode: writes each file it is sent, in order, and answers
 * a flush once every file sent before it is written (with the first failure, if any). File creation on a
 * busy disk can cost a third of a millisecond; here it does not hold up the run, nor simulated time (the
 * run's clock waits for the file system requests of its own thread only).
 */
import { writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

/** A file to write, or a flush to answer. */
export type FileWriterMessage = { file: string; body: string | Uint8Array } | { flush: number };

/** The answer to a flush. */
export interface FlushReply {
  flush: number;
  /** The first write that failed so far (file and reason). */
  error?: string;
}

const port = parentPort;
if (port) {
  let failure: string | undefined;
  port.on('message', (m: FileWriterMessage) => {
    if ('flush' in m) {
      const reply: FlushReply = { flush: m.flush, ...(failure !== undefined ? { error: failure } : {}) };
      port.postMessage(reply);
      return;
    }
    try {
      writeFileSync(m.file, m.body);
    } catch (e) {
      failure ??= `${m.file}: ${(e as Error).message}`;
    }
  });
}
