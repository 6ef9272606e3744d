/**
 * Writes the scenario records of a run (from worker processes, lab agents or this process, in any order)
 * into one Allure results folder and one JUnit file in catalogue order. One record per scenario: a second
 * record for the same catalogue position is refused, so a scenario re-run after a lost worker or agent is
 * counted once; an abandoned attempt may be added as a retry, which Allure shows under the final result
 * (same history id) and JUnit does not count.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CATEGORIES } from './allure-writer.js';
import { junitXmlOfCases } from './junit-writer.js';
import { ResultsWriter } from './results-writer.js';
import type { ScenarioRecord } from './scenario-record.js';

export interface MergedResultsOptions {
  /** Allure results folder (created; emptying it is the caller's). */
  resultsDir: string;
  /** JUnit XML file, when wanted. */
  junitFile?: string;
  /** environment.properties lines (bench facts). */
  environment?: Record<string, string>;
}

export class MergedResults {
  private readonly records = new Map<number, ScenarioRecord>();
  private readonly retries: ScenarioRecord[] = [];
  private environment: Record<string, string> | undefined;

  constructor(private readonly options: MergedResultsOptions) {
    this.environment = options.environment;
  }

  /** Adds a scenario's final record; false (and nothing kept) when its position already has one. */
  add(record: ScenarioRecord): boolean {
    if (this.records.has(record.index)) return false;
    this.records.set(record.index, record);
    return true;
  }

  /** Adds an abandoned attempt (e.g. its agent died): an extra Allure result, no JUnit case. */
  addRetry(record: ScenarioRecord): void {
    this.retries.push(record);
  }

  /** Sets the environment.properties lines. */
  setEnvironment(env: Record<string, string>): void {
    this.environment = env;
  }

  has(index: number): boolean {
    return this.records.has(index);
  }

  /** The final records in catalogue order. */
  ordered(): ScenarioRecord[] {
    return [...this.records.values()].sort((a, b) => a.index - b.index);
  }

  /** Writes environment, categories, every result with its attachments, and the JUnit file. */
  write(): void {
    const writer = new ResultsWriter(this.options.resultsDir);
    if (this.environment) writer.writeEnvironmentInfo(this.environment);
    writer.writeCategoriesDefinitions(CATEGORIES);
    const retries = [...this.retries].sort((a, b) => a.index - b.index || a.start - b.start);
    for (const r of [...retries, ...this.ordered()]) {
      for (const a of r.attachments) writer.writeAttachment(a.source, Buffer.from(a.base64, 'base64'));
      // A retry's result gets its own uuid: the final record may carry the same one.
      writer.writeResult(this.retries.includes(r) ? { ...r.allure, uuid: randomUUID() } : r.allure);
    }
    writer.close();
    if (this.options.junitFile !== undefined) {
      mkdirSync(dirname(this.options.junitFile), { recursive: true });
      writeFileSync(this.options.junitFile, junitXmlOfCases(this.ordered().map((r) => r.junit)));
    }
  }
}
