/**
 * An allure-js-commons `Writer` that writes the results folder with plain writes. The library's
 * FileSystemWriter fsyncs and renames every file (safe for a live `allure watch`), which costs a few
 * milliseconds per file; a run writes five files per scenario, so this writer is the default and
 * `AllureWriter({durable: true})` switches back to the library's.
 *
 * With `background: true`, results and attachments are written by a worker thread
 * (file-writer-thread.ts) while the run goes on: a scenario writes five or six files, and creating a file
 * costs 0.03 to 0.35 ms depending on how busy the disk is. `flush()` resolves when every file so far is
 * written and rejects with the first that failed. Files are kept here until a flush confirms them: if the
 * thread dies, they are written in this thread, and so is everything after.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Globals, TestResult, TestResultContainer } from 'allure-js-commons';
import type { Category, EnvironmentInfo } from 'allure-js-commons/sdk';
import type { Writer } from 'allure-js-commons/sdk/reporter';
import type { FileWriterMessage, FlushReply } from './file-writer-thread.js';

/** Java .properties escaping (keys and values): backslash, line breaks, and `=`/`:` in keys. */
function prop(text: string, key: boolean): string {
  const s = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return key ? s.replace(/([=: ])/g, '\\$1') : s;
}

export interface ResultsWriterOptions {
  /** Write results and attachments in the background; `flush()` waits for them. Default false. */
  background?: boolean;
}

/** A file handed to the writer thread and not yet confirmed. */
interface Unconfirmed {
  file: string;
  body: string | Uint8Array;
}

export class ResultsWriter implements Writer {
  private thread: Worker | undefined;
  /** The thread died (or could not start): write in this thread from now on. */
  private threadLost = false;
  /** Files handed to the thread and not yet confirmed, oldest first. */
  private readonly unconfirmed: Unconfirmed[] = [];
  /** How many files the thread has confirmed: the position of `unconfirmed[0]` (flushes count in it). */
  private confirmedBefore = 0;
  private unconfirmedBytes = 0;
  private flushes = 0;
  private readonly waitingFlush = new Map<number, { upTo: number; done: (error?: string) => void }>();
  private failure: Error | undefined;
  /** Files go to the writer thread (else they are written before the call returns). */
  private background: boolean;

  constructor(
    private readonly resultsDir: string,
    options: ResultsWriterOptions = {},
  ) {
    mkdirSync(resultsDir, { recursive: true });
    this.background = options.background === true;
  }

  /**
   * Before the first file: the writer thread from now on (started at once, so it is ready when the first
   * scenario ends), or this thread (a short run, where starting a thread costs more than it saves).
   */
  useThread(on: boolean): void {
    this.background = on;
    if (on) this.writerThread();
  }

  private path(name: string): string {
    return join(this.resultsDir, name);
  }

  private write(name: string, body: string | Buffer): void {
    const file = this.path(name);
    if (!this.background || this.threadLost) return this.writeHere(file, body);
    this.unconfirmed.push({ file, body });
    this.unconfirmedBytes += body.length;
    if (typeof body === 'string') {
      this.writerThread().postMessage({ file, body } satisfies FileWriterMessage);
      return;
    }
    // A copy of just these bytes, handed over (a small Buffer is a view of a shared 8 KiB pool, which a
    // structured clone would copy whole).
    const bytes = new Uint8Array(body);
    this.writerThread().postMessage({ file, body: bytes } satisfies FileWriterMessage, [bytes.buffer]);
  }

  private writeHere(file: string, body: string | Uint8Array): void {
    if (!this.background) return writeFileSync(file, body);
    try {
      writeFileSync(file, body);
    } catch (e) {
      this.failure ??= e as Error;
    }
  }

  private writerThread(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(new URL('./file-writer-thread.js', import.meta.url));
    thread.on('message', (m: FlushReply) => {
      const w = this.waitingFlush.get(m.flush);
      if (!w) return;
      this.waitingFlush.delete(m.flush);
      const confirmed = this.unconfirmed.splice(0, w.upTo - this.confirmedBefore);
      this.confirmedBefore = w.upTo;
      for (const c of confirmed) this.unconfirmedBytes -= c.body.length;
      w.done(m.error);
    });
    const lost = (): void => {
      if (this.thread !== thread) return;
      this.thread = undefined;
      this.threadLost = true;
      // Whatever the thread did not confirm is written here (again, if it had written it).
      for (const c of this.unconfirmed.splice(0)) this.writeHere(c.file, c.body);
      this.unconfirmedBytes = 0;
      for (const w of this.waitingFlush.values()) w.done();
      this.waitingFlush.clear();
    };
    thread.on('error', lost);
    thread.on('exit', lost);
    this.thread = thread;
    return thread;
  }

  /** Bytes (characters of a text) handed to the writer thread and not yet confirmed written. */
  get pendingBytes(): number {
    return this.unconfirmedBytes;
  }

  /** Resolves when every file so far is written; rejects with the first that failed. */
  async flush(): Promise<void> {
    if (this.thread && this.unconfirmed.length > 0) {
      const n = ++this.flushes;
      const upTo = this.confirmedBefore + this.unconfirmed.length;
      const error = await new Promise<string | undefined>((done) => {
        this.waitingFlush.set(n, { upTo, done });
        this.thread?.postMessage({ flush: n } satisfies FileWriterMessage);
      });
      if (error !== undefined) this.failure ??= new Error(error);
    }
    if (this.failure) throw this.failure;
  }

  /** Flushes, then stops the writer thread. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      const thread = this.thread;
      this.thread = undefined;
      await thread?.terminate();
    }
  }

  writeResult(result: TestResult): void {
    this.write(`${result.uuid}-result.json`, JSON.stringify(result));
  }

  writeGroup(result: TestResultContainer): void {
    this.write(`${result.uuid}-container.json`, JSON.stringify(result));
  }

  writeAttachment(distFileName: string, content: Buffer): void {
    this.write(distFileName, content);
  }

  /** An attachment given as text (written UTF-8). */
  writeAttachmentText(distFileName: string, text: string): void {
    this.write(distFileName, text);
  }

  writeAttachmentFromPath(distFileName: string, from: string): void {
    copyFileSync(from, this.path(distFileName));
  }

  writeEnvironmentInfo(info: EnvironmentInfo): void {
    const lines = Object.entries(info)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${prop(k, true)} = ${prop(String(v), false)}`);
    writeFileSync(this.path('environment.properties'), lines.join('\n') + '\n');
  }

  writeCategoriesDefinitions(categories: Category[]): void {
    const plain = categories.map((c) => ({
      ...c,
      ...(c.messageRegex instanceof RegExp ? { messageRegex: c.messageRegex.source } : {}),
      ...(c.traceRegex instanceof RegExp ? { traceRegex: c.traceRegex.source } : {}),
    }));
    writeFileSync(this.path('categories.json'), JSON.stringify(plain));
  }

  writeGlobals(distFileName: string, info: Globals): void {
    writeFileSync(this.path(distFileName), JSON.stringify(info));
  }
}
