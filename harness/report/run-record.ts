/**
 * The compact record of one run that the history store keeps: who ran what on which bench, and each
 * scenario's verdict, duration and failure fingerprint. `payhil diff` compares two of them, `payhil
 * evidence` builds a bundle from one.
 */
import type { Status } from '../runner/index.js';

/** The record format; bumped when a field changes meaning. */
export const RUN_RECORD_FORMAT = 1;

/** What the terminal under test is, as far as the bench and the terminal's status say. */
export interface TerminalIdentity {
  /** Terminal profile (fixtures/terminals/) or the profile the terminal reports. */
  profile?: string;
  /** Model name (the emulator's profile `model`; a real terminal's status when its protocol has it). */
  model?: string;
  /** Firmware version, when the terminal's status reports it. */
  firmware?: string;
  /** How payhil reaches the terminal: the driver (emulated, ecr-serial, ecr-tcp, web…). */
  protocol?: string;
  /** ISO 8583 dialect between terminal and host. */
  dialect?: string;
  /** Emulator defect switches that were on (simulated firmware faults). */
  defects?: string[];
  /** Other identification fields of the terminal's status (serial, terminal id…), as reported. */
  reported?: Record<string, string>;
}

/** One scenario of a run. */
export interface ScenarioHistory {
  /** Scenario id (with the matrix suffix). */
  id: string;
  title: string;
  /** Scenario file (as shown: relative to the project root) and line. */
  file: string;
  line: number;
  verdict: Status;
  durationMs: number;
  /** 1 for the first try; more when the verdict came from a retry. */
  attempt: number;
  /** For failed/broken: see failure-fingerprint.ts. */
  fingerprint?: string;
  /** First line of the failure message, masked. */
  message?: string;
  /** Test-plan case ids the scenario covers (`refs:`). */
  refs?: string[];
}

/** A file the run read, with its SHA-256 at run time (so evidence can prove it is the file as run). */
export interface RecordedFile {
  /** Relative to the project root when inside it, else absolute. */
  path: string;
  sha256: string;
}

export interface RunRecord {
  format: typeof RUN_RECORD_FORMAT;
  /** `YYYYMMDD-HHMMSS-xxxx` (UTC, sortable). */
  id: string;
  /** ISO time of the run's start. */
  time: string;
  durationMs: number;
  /** payhil's package version. */
  payhil: string;
  /** The scenario pack: project root and, when it is in git, its commit (dirty: uncommitted changes). */
  pack: { root: string; git?: { commit: string; dirty: boolean } };
  bench: {
    name: string;
    /** The bench's facts (what environment.properties shows). */
    facts: Record<string, string>;
    terminal: TerminalIdentity;
    /** The lab file the bench came from, when any. */
    lab?: RecordedFile;
  };
  /**
   * The run's seed (`payhil run --seed N`; every draw of the bench derives from it, see
   * common/run-seed.ts); null when the run had none (a merged --jobs/--queue run, an older record).
   */
  seed: number | null;
  counts: Record<Status, number>;
  /** Where the run wrote its Allure results and JUnit XML (absolute paths). */
  outputs: { results?: string; junit?: RecordedFile };
  /** Scenario files and the files they include. */
  files: RecordedFile[];
  scenarios: ScenarioHistory[];
}

/** Not-passing verdicts. */
export function isFailing(v: Status): boolean {
  return v === 'failed' || v === 'broken';
}
