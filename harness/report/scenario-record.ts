/**
 * A scenario's results as one serialisable record: its Allure result JSON with the attachment files it
 * names, its JUnit case and its verdict. A worker process or a lab agent makes one per scenario and sends
 * it back (IPC, a BullMQ job's return value); `MergedResults` writes the records of a run into one Allure
 * results folder and one JUnit file in catalogue order, so a local, a `--jobs N`, a `--shard i/n` and a
 * distributed run report the same way.
 */
import type { StepResult, TestResult, TestResultContainer } from 'allure-js-commons';
import type { Writer } from 'allure-js-commons/sdk/reporter';
import {
  Timeline,
  type RunReporter,
  type ScenarioRun,
  type Status,
  type StepRecord,
} from '../runner/index.js';
import { AllureWriter } from './allure-writer.js';
import { junitCaseOf, type JunitCase } from './junit-writer.js';

/** An attachment file of an Allure result: its file name in the results folder and its bytes (base64). */
export interface RecordedAttachment {
  source: string;
  base64: string;
}

/** One scenario's final results, plain JSON. */
export interface ScenarioRecord {
  /** Position of the scenario in the expanded catalogue of the run (0-based): the merge order. */
  index: number;
  /** The scenario id (unique in a catalogue). */
  id: string;
  status: Status;
  category?: ScenarioRun['category'];
  /** Masked (as in the Allure result). */
  message?: string;
  errorCode?: string;
  /** 1 for the first try. */
  attempt: number;
  /** Epoch ms. */
  start: number;
  stop: number;
  /** Name of the bench that ran it. */
  bench: string;
  allure: TestResult;
  attachments: RecordedAttachment[];
  junit: JunitCase;
  /** The command that replays a failed or broken run (`payhil run FILE --seed N --only ID …`). */
  replay?: string;
}

/** An allure-js-commons Writer that keeps what it is given (results and attachments) in memory. */
class MemoryWriter implements Writer {
  results: TestResult[] = [];
  attachments: RecordedAttachment[] = [];

  writeResult(result: TestResult): void {
    this.results.push(result);
  }
  writeAttachment(source: string, content: Buffer): void {
    this.attachments.push({ source, base64: content.toString('base64') });
  }
  writeAttachmentFromPath(): void {
    // Attachments are always given as bytes by AllureWriter.
  }
  writeGroup(_: TestResultContainer): void {}
  writeEnvironmentInfo(): void {}
  writeCategoriesDefinitions(): void {}
  writeGlobals(): void {}
}

/** The record of a scenario's final run; `index` is its place in the catalogue. */
export function recordOfRun(run: ScenarioRun, index: number, bench: string): ScenarioRecord {
  const memory = new MemoryWriter();
  const allure = new AllureWriter({ writer: memory }).toResult(run);
  return {
    index,
    id: run.scenario.id,
    status: run.status,
    ...(run.category ? { category: run.category } : {}),
    ...(allure.statusDetails.message ? { message: allure.statusDetails.message } : {}),
    ...(run.errorCode ? { errorCode: run.errorCode } : {}),
    attempt: run.attempt,
    start: run.start,
    stop: run.stop,
    bench,
    allure,
    attachments: memory.attachments,
    junit: junitCaseOf(run),
    ...(run.replay ? { replay: run.replay } : {}),
  };
}

/** A run reporter that turns each final scenario run into a record (a worker's or an agent's). */
export class RecordingReporter implements RunReporter {
  readonly records: ScenarioRecord[] = [];

  /** `indexOf` gives a scenario id's catalogue position. */
  constructor(
    private readonly bench: string,
    private readonly indexOf: (id: string) => number,
  ) {}

  scenarioEnd(run: ScenarioRun): void {
    this.records.push(recordOfRun(run, this.indexOf(run.scenario.id), this.bench));
  }
}

const STEP_STATUS: Record<string, Status> = {
  passed: 'passed',
  failed: 'failed',
  broken: 'broken',
  skipped: 'skipped',
};

/**
 * A step record rebuilt from an Allure step: its action is the title's first word (step titles start
 * with the action, see runner/step-title.ts), its file:line the `at` parameter.
 */
export function stepOfAllure(s: StepResult): StepRecord {
  const at = s.parameters?.find((p) => p.name === 'at')?.value ?? '';
  return {
    name: s.name ?? '',
    action: /^[A-Za-z]+/.exec(s.name ?? '')?.[0] ?? 'step',
    at,
    status: STEP_STATUS[s.status ?? ''] ?? 'broken',
    start: s.start ?? 0,
    stop: s.stop ?? 0,
    ...(s.statusDetails?.message ? { error: s.statusDetails.message } : {}),
    children: (s.steps ?? []).map(stepOfAllure),
  };
}

/**
 * A ScenarioRun rebuilt from a record for the console, the summary and the run history (verdict,
 * message, times, the steps from its Allure result; no timeline: that is in the attachments).
 */
export function runOfRecord(record: ScenarioRecord, scenario: ScenarioRun['scenario']): ScenarioRun {
  return {
    scenario,
    status: record.status,
    ...(record.category ? { category: record.category } : {}),
    ...(record.message !== undefined ? { message: record.message } : {}),
    ...(record.errorCode ? { errorCode: record.errorCode } : {}),
    start: record.start,
    stop: record.stop,
    steps: (record.allure.steps ?? []).map(stepOfAllure),
    timeline: new Timeline(record.start),
    captures: {},
    attempt: record.attempt,
    ...(record.replay ? { replay: record.replay } : {}),
  };
}
