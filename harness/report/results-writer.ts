/**
 * An allure-js-commons `Writer` that writes the results folder with plain writes, each file on disk when
 * the call returns. The library's FileSystemWriter fsyncs and renames every file (safe for a live
 * `allure watch`), which costs a few milliseconds per file; a run writes five or six files per scenario,
 * so this writer is the default and `AllureWriter({durable: true})` switches back to the library's.
 *
 * A run's files go into the spares the last run left in the folder (results-dir.ts) rather than into new
 * files: on ext4 without a journal, creating files soon after deleting as many costs several times more.
 * `close()` deletes the spares this run did not need.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Globals, TestResult, TestResultContainer } from 'allure-js-commons';
import type { Category, EnvironmentInfo } from 'allure-js-commons/sdk';
import type { Writer } from 'allure-js-commons/sdk/reporter';
import { SparePool, writeReusing, type Spare } from './results-dir.js';

/** Java .properties escaping (keys and values): backslash, line breaks, and `=`/`:` in keys. */
function prop(text: string, key: boolean): string {
  const s = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return key ? s.replace(/([=: ])/g, '\\$1') : s;
}

export class ResultsWriter implements Writer {
  /** The last run's files set aside in the folder, written into instead of new files. */
  private readonly spares: SparePool;

  /**
   * `spares`: those another writer of the run handed over ({@link handOver}); without, the spares the
   * last run left in the folder are taken.
   */
  constructor(
    readonly resultsDir: string,
    spares?: readonly Spare[],
  ) {
    mkdirSync(resultsDir, { recursive: true });
    this.spares = new SparePool(resultsDir, spares);
  }

  /** Gives up the spares not used yet, for the writer that takes over the run's files. */
  handOver(): Spare[] {
    return this.spares.handOver();
  }

  private write(name: string, body: string | Uint8Array): void {
    writeReusing(join(this.resultsDir, name), body, this.spares.take(body.length));
  }

  /** Deletes the spares this run did not use. */
  close(): void {
    this.spares.drop();
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
    copyFileSync(from, join(this.resultsDir, distFileName));
  }

  writeEnvironmentInfo(info: EnvironmentInfo): void {
    const lines = Object.entries(info)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${prop(k, true)} = ${prop(String(v), false)}`);
    this.write('environment.properties', lines.join('\n') + '\n');
  }

  writeCategoriesDefinitions(categories: Category[]): void {
    const plain = categories.map((c) => ({
      ...c,
      ...(c.messageRegex instanceof RegExp ? { messageRegex: c.messageRegex.source } : {}),
      ...(c.traceRegex instanceof RegExp ? { traceRegex: c.traceRegex.source } : {}),
    }));
    this.write('categories.json', JSON.stringify(plain));
  }

  writeGlobals(distFileName: string, info: Globals): void {
    this.write(distFileName, JSON.stringify(info));
  }
}
