// Curated public API of harness/report: Allure results, JUnit XML, console progress, HTML report generation.
export { AllureWriter, CATEGORIES, featureOf } from './allure-writer.js';
export type { AllureWriterOptions } from './allure-writer.js';
export { ResultsWriter } from './results-writer.js';
export { JunitWriter, junitXml, xmlEscape } from './junit-writer.js';
export { ConsoleReporter } from './console-reporter.js';
export type { ConsoleReporterOptions } from './console-reporter.js';
export { generateReport, openReport, carryHistory, checkJava, allureBinary } from './allure-report.js';
export type { GenerateOptions } from './allure-report.js';
export { timelineText, rawFramesText, apduTraceText, receiptText, describeEntry } from './attachments.js';
export { ReportError, RunRecordTooLargeError } from './errors.js';
export { junitCaseOf, junitXmlOfCases } from './junit-writer.js';
export type { JunitCase } from './junit-writer.js';
export { recordOfRun, runOfRecord, RecordingReporter } from './scenario-record.js';
export type { ScenarioRecord, RecordedAttachment } from './scenario-record.js';
export { MergedResults } from './merged-results.js';
export type { MergedResultsOptions } from './merged-results.js';
export {
  failureFingerprint,
  normaliseFailureMessage,
  failingStep,
  sameFailure,
} from './failure-fingerprint.js';
export type { FailureInput, FingerprintStep } from './failure-fingerprint.js';
export { RUN_RECORD_FORMAT, isFailing } from './run-record.js';
export type { RunRecord, ScenarioHistory, RecordedFile, TerminalIdentity } from './run-record.js';
export { FolderHistoryStore, newRunId, checkRunRecord, RUN_ID_PATTERN } from './history-store.js';
export { RedisHistoryStore, REDIS_HISTORY_KEY } from './redis-history-store.js';
export type { HistoryRedis } from './redis-history-store.js';
export type { HistoryStore } from './history-store.js';
export {
  HistoryRecorder,
  scenarioHistory,
  scenarioFiles,
  terminalIdentity,
  gitState,
  sha256File,
} from './history-recorder.js';
export type { HistoryRecorderOptions, MergedBench } from './history-recorder.js';
export {
  RUN_MARKER,
  benchHistoryDir,
  readRunMarker,
  carryBenchHistory,
  keepBenchHistory,
} from './bench-history.js';
export type { RunMarker } from './bench-history.js';
export { viewOfRecord, viewOfResults, viewOfJunit, loadRunView } from './run-view.js';
export type { RunView, ViewScenario } from './run-view.js';
export { diffRuns, gateFindings, FAIL_ON } from './run-diff.js';
export type { RunDiff, DiffEntry, FlakyEntry, FlakyRule, DiffOptions, FailOn } from './run-diff.js';
export { diffText, diffMarkdown, diffJson, diffSummary } from './diff-format.js';
export { zipArchive, checkZipName } from './zip-writer.js';
export type { ZipEntry } from './zip-writer.js';
export { collectEvidence, coverageMatrix, EVIDENCE_FORMAT } from './evidence-bundle.js';
export type { EvidenceBundle, EvidenceOptions, CoverageRow } from './evidence-bundle.js';
