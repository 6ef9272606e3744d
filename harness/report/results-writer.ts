/**
 * An allure-js-commons `Writer` that writes the results folder with plain writes. The library's
 * FileSystemWriter fsyncs and renames every file (safe for a live `allure watch`), which costs a few
 * milliseconds per file; a run writes five files per scenario, so this writer is the default and
 * `AllureWriter({durable: true})` switches back to the library's.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Globals, TestResult, TestResultContainer } from 'allure-js-commons';
import type { Category, EnvironmentInfo } from 'allure-js-commons/sdk';
import type { Writer } from 'allure-js-commons/sdk/reporter';

/** Java .properties escaping (keys and values): backslash, line breaks, and `=`/`:` in keys. */
function prop(text: string, key: boolean): string {
  const s = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return key ? s.replace(/([=: ])/g, '\\$1') : s;
}

export class ResultsWriter implements Writer {
  constructor(private readonly resultsDir: string) {
    mkdirSync(resultsDir, { recursive: true });
  }

  private path(name: string): string {
    return join(this.resultsDir, name);
  }

  writeResult(result: TestResult): void {
    writeFileSync(this.path(`${result.uuid}-result.json`), JSON.stringify(result));
  }

  writeGroup(result: TestResultContainer): void {
    writeFileSync(this.path(`${result.uuid}-container.json`), JSON.stringify(result));
  }

  writeAttachment(distFileName: string, content: Buffer): void {
    writeFileSync(this.path(distFileName), content);
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
