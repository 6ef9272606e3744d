/**
 * Allure results for a run (results-writer.ts; on a report thread with `thread`, report-thread.ts): one
 * result per scenario (labels epic = scenario folder, feature = transaction type, story, severity, tags;
 * matrix values as parameters with PANs masked; steps as steps; attachments: decoded timeline, masked raw
 * frames, APDU trace, receipt, ECR frames, screenshots as image/png, the proxy's masked pcap),
 * environment.properties from the bench's facts, categories.json (product defects, lab faults, timeouts).
 * Failure texts are masked by field (`maskReportText`), matrix values as free text.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  ContentType,
  LabelName,
  Stage,
  Status,
  type Attachment,
  type Label,
  type StepResult,
  type TestResult,
} from 'allure-js-commons';
import type { Category } from 'allure-js-commons/sdk';
import { FileSystemWriter, type Writer } from 'allure-js-commons/sdk/reporter';
import { maskPansInText } from '../common/mask.js';
// Imported file by file, not through the layers' index files: a run loads only what it uses.
import { maskReportText } from '../net/report-masking.js';
import type { RunInfo, RunReporter } from '../runner/run-scenarios.js';
import type { ScenarioRun, StepRecord, Status as RunStatus } from '../runner/scenario-run.js';
import { ResultsWriter } from './results-writer.js';
import { SparePool } from './results-dir.js';
import { reportRunOf, type ReportRun } from './report-run.js';
import { ReportThread } from './report-thread.js';
import { framesHtml } from './frames-view.js';
import { ReportError } from './errors.js';
import {
  apduTraceText,
  binaryAttachments,
  ecrFramesText,
  receiptText,
  timedScreenshots,
  timelineText,
} from './attachments.js';

/** Allure categories: what kind of not-passing a result is. */
export const CATEGORIES: Category[] = [
  {
    name: 'Timeouts',
    description: 'The scenario or a step ran out of time',
    matchedStatuses: [Status.BROKEN],
    messageRegex: '.*did not finish within.*',
  },
  {
    name: 'Lab faults',
    description: 'The bench could not do its part: device gone, host unreachable, operator silent',
    matchedStatuses: [Status.BROKEN],
  },
  {
    name: 'Product defects',
    description: 'The terminal or host did something the scenario forbids',
    matchedStatuses: [Status.FAILED],
  },
];

/** IANA media type of a libpcap capture. */
const PCAP_TYPE = 'application/vnd.tcpdump.pcap';

const STATUS: Record<RunStatus, Status> = {
  passed: Status.PASSED,
  failed: Status.FAILED,
  broken: Status.BROKEN,
  skipped: Status.SKIPPED,
};

export { featureOf } from './report-run.js';

/**
 * Runs from which the results are rendered and written on a report thread (it saves about half a
 * millisecond of the run's thread per scenario): a smaller run would end about when the worker is ready
 * (about 70 ms to load the renderers), or before.
 */
export const THREAD_FROM = 16;

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function stepResult(s: StepRecord, attach: (s: StepRecord) => Attachment[] = () => []): StepResult {
  return {
    name: s.name,
    status: STATUS[s.status],
    statusDetails: s.error ? { message: maskReportText(s.error) } : {},
    stage: Stage.FINISHED,
    steps: s.children.map((c) => stepResult(c, attach)),
    attachments: attach(s),
    // The step's file:line: shown on a step that failed or broke (where to look), hidden on the others
    // (kept in the result for tools: a merged run rebuilds its steps from it).
    parameters: [
      {
        name: 'at',
        value: s.at,
        ...(s.status === 'failed' || s.status === 'broken' ? {} : { mode: 'hidden' as const }),
      },
    ],
    start: s.start,
    stop: s.stop,
  };
}

/** The longest step title in a screenshot's name. */
const SHOT_TITLE_CHARS = 80;

/**
 * The step a screenshot belongs to: the innermost step that had started when it was taken, the last
 * such in step order (a display change is the effect of the step just run or running).
 */
export function stepAt(steps: readonly StepRecord[], at: number): StepRecord | undefined {
  let found: StepRecord | undefined;
  const walk = (list: readonly StepRecord[]): void => {
    for (const s of list) {
      if (s.start > at) return;
      found = s;
      walk(s.children);
    }
  };
  walk(steps);
  return found;
}

/** A screenshot's name after its step: `insert card card — display 3.png`. */
export function screenshotName(step: StepRecord | undefined, file: string): string {
  const n = /(\d+)/.exec(file)?.[1];
  const what = n !== undefined ? `display ${n}` : file.replace(/\.png$/i, '');
  if (!step) return `${what}.png`;
  const title =
    step.name.length > SHOT_TITLE_CHARS ? `${step.name.slice(0, SHOT_TITLE_CHARS - 1)}…` : step.name;
  return `${title} — ${what}.png`;
}

export interface AllureWriterOptions {
  /** The Allure results folder (created). Required unless `writer` is given. */
  resultsDir?: string;
  /** Write through this writer instead of into `resultsDir` (a worker capturing a scenario's files). */
  writer?: Writer;
  /** Use allure-js-commons' FileSystemWriter (fsync + rename per file, safe for a live `allure watch`). Default false. */
  durable?: boolean;
  /**
   * Render and write the results on a report thread (report-thread.ts) when a run has THREAD_FROM
   * scenarios or more, so the scenarios' thread only hands each run over. Default false.
   */
  thread?: boolean;
  /** Extra environment lines (merged over the bench's facts). */
  environment?: Record<string, string>;
}

/** A run reporter writing Allure results. */
export class AllureWriter implements RunReporter {
  private readonly writer: Writer;
  /** The writer when it is payhil's own and this writer's (closed at the end). */
  private readonly results: ResultsWriter | undefined;
  /** The report thread, when the run has one. */
  private thread: ReportThread | undefined;

  constructor(private readonly options: AllureWriterOptions) {
    if (options.writer) {
      this.writer = options.writer;
      return;
    }
    const resultsDir = options.resultsDir;
    if (resultsDir === undefined) throw new ReportError('E_REPORT_DIR', 'AllureWriter: no results folder');
    mkdirSync(resultsDir, { recursive: true });
    if (options.durable) this.writer = new FileSystemWriter({ resultsDir });
    else {
      this.results = new ResultsWriter(resultsDir);
      this.writer = this.results;
    }
  }

  runStart(info: RunInfo): void {
    this.writer.writeEnvironmentInfo({
      ...info.bench.facts,
      ...(info.seed !== undefined ? { seed: String(info.seed) } : {}),
      ...(this.options.environment ?? {}),
    });
    this.writer.writeCategoriesDefinitions(CATEGORIES);
    const results = this.results;
    if (this.options.thread && results && info.scenarios.length >= THREAD_FROM)
      this.thread = new ReportThread({
        resultsDir: results.resultsDir,
        handOver: () => results.handOver(),
        inline: (run) => this.writeRun(run),
      });
  }

  private attach(name: string, text: string, type: string, ext: string): Attachment | undefined {
    if (!text) return undefined;
    // payhil's own writer takes the text as it is.
    if (this.writer instanceof ResultsWriter) {
      const source = `${randomUUID()}-attachment.${ext}`;
      this.writer.writeAttachmentText(source, text);
      return { name, source, type };
    }
    return this.attachBytes(name, Buffer.from(text, 'utf8'), type, ext);
  }

  private attachBytes(name: string, body: Buffer, type: string, ext: string): Attachment {
    const source = `${randomUUID()}-attachment.${ext}`;
    this.writer.writeAttachment(source, body);
    return { name, source, type };
  }

  /** The Allure result of a run (exposed for tests). */
  toResult(run: ScenarioRun): TestResult {
    return this.resultOf(reportRunOf(run));
  }

  /** The Allure result of a run, its attachments written. */
  private resultOf(run: ReportRun): TestResult {
    const s = run.scenario;
    const epic = s.epic;
    const labels: Label[] = [
      { name: LabelName.EPIC, value: epic },
      { name: LabelName.FEATURE, value: s.feature },
      { name: LabelName.STORY, value: s.baseId },
      { name: LabelName.SEVERITY, value: s.severity },
      { name: LabelName.SUITE, value: epic },
      { name: LabelName.FRAMEWORK, value: 'payhil' },
      { name: LabelName.LANGUAGE, value: 'yaml' },
      ...s.tags.map((t) => ({ name: LabelName.TAG, value: t })),
    ];
    const attachments = [
      this.attach('timeline', timelineText(run), ContentType.TEXT, 'txt'),
      this.attach('ISO 8583 frames (masked)', framesHtml(run), ContentType.HTML, 'html'),
      this.attach('APDU trace', apduTraceText(run), ContentType.TEXT, 'txt'),
      this.attach('ECR frames', ecrFramesText(run), ContentType.TEXT, 'txt'),
      this.attach('receipt', receiptText(run), ContentType.TEXT, 'txt'),
      ...binaryAttachments(run, 'pcap').map((a) => this.attachBytes(a.name, a.body, PCAP_TYPE, 'pcap')),
    ].filter((a): a is Attachment => a !== undefined);
    // Each screenshot on the step that was running, named after it (those before the first step: on the result).
    const shots = new Map<StepRecord, Attachment[]>();
    for (const shot of timedScreenshots(run)) {
      const step = stepAt(run.steps, shot.at);
      const a = this.attachBytes(screenshotName(step, shot.name), shot.body, ContentType.PNG, 'png');
      if (step) shots.set(step, [...(shots.get(step) ?? []), a]);
      else attachments.push(a);
    }
    const message = run.message ? maskReportText(run.message) : undefined;
    return {
      uuid: randomUUID(),
      historyId: md5(s.id),
      testCaseId: md5(s.baseId),
      name: s.title,
      fullName: s.id,
      titlePath: [epic],
      status: STATUS[run.status],
      statusDetails: message
        ? {
            message,
            ...(run.stack
              ? { trace: maskReportText(run.stack) }
              : run.errorCode
                ? { trace: `${run.errorCode} (${run.category ?? ''}) at ${s.file}:${s.line}` }
                : {}),
          }
        : {},
      stage: Stage.FINISHED,
      ...(s.description || run.replay
        ? {
            description: [
              s.description,
              // The exact command that replays this run (same seed, same run id).
              run.replay ? `Replay: \`${run.replay}\`` : undefined,
            ]
              .filter((t) => t)
              .join('\n\n'),
          }
        : {}),
      steps: run.steps.map((st) => stepResult(st, (x) => shots.get(x) ?? [])),
      attachments,
      parameters: [
        ...Object.entries(s.params).map(([name, v]) => ({ name, value: maskPansInText(String(v)) })),
        ...(run.attempt > 1 ? [{ name: 'attempt', value: String(run.attempt), excluded: true }] : []),
        ...(run.seed !== undefined ? [{ name: 'seed', value: String(run.seed), excluded: true }] : []),
      ],
      labels,
      links: [],
      start: run.start,
      stop: run.stop,
    };
  }

  /** The run's report thread, if it has one (tests). */
  get reportThread(): ReportThread | undefined {
    return this.thread;
  }

  /** Writes a run's result and attachments (on the report thread, the thread's writer does). */
  writeRun(run: ReportRun): void {
    this.writer.writeResult(this.resultOf(run));
  }

  scenarioEnd(run: ScenarioRun): void | Promise<void> {
    const r = reportRunOf(run);
    if (this.thread) return this.thread.write(r);
    this.writeRun(r);
  }

  async runEnd(): Promise<void> {
    await this.thread?.close();
    this.results?.close();
    // The library's writer creates its files: the spares of the folder are not for it.
    if (this.options.durable && this.options.resultsDir !== undefined)
      new SparePool(this.options.resultsDir).drop();
  }
}
