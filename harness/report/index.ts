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
export { ReportError } from './errors.js';
export { junitCaseOf, junitXmlOfCases } from './junit-writer.js';
export type { JunitCase } from './junit-writer.js';
export { recordOfRun, runOfRecord, RecordingReporter } from './scenario-record.js';
export type { ScenarioRecord, RecordedAttachment } from './scenario-record.js';
export { MergedResults } from './merged-results.js';
export type { MergedResultsOptions } from './merged-results.js';
