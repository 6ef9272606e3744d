/**
 * Failure fingerprints: a short id of *how* a scenario failed that stays the same from run to run while
 * the failure is the same, so `payhil diff` can tell "still failing the same way" from "failing
 * differently". Built from the failing step (its action and position in the step tree, when known) and
 * the failure's code and message with the volatile values taken out: STAN (11), local time and date
 * (12, 13), transmission time (7), RRN (37), authorisation code (38), chip data (55, it carries the
 * cryptogram and the unpredictable number), MAC (64, 128), timestamps, durations, connection and
 * exchange numbers, UUIDs, long hex blobs, and runs of 6+ digits in quoted display lines (a reference
 * number shown on screen). Response codes, field numbers, amounts and display texts
 * are kept: they are what the failure is about.
 */
import { createHash } from 'node:crypto';

/** Fields whose value changes on every transaction (ISO 8583 numbering). */
const VOLATILE_FIELDS = new Set(['7', '11', '12', '13', '37', '38', '52', '55', '64', '128']);

/** One step as reports keep it: ScenarioRun's StepRecord, or an Allure step (name, status, steps). */
export interface FingerprintStep {
  action?: string;
  name?: string;
  status?: string;
  children?: readonly FingerprintStep[];
  steps?: readonly FingerprintStep[];
}

export interface FailureInput {
  /** failed or broken. */
  status: string;
  /** The error's stable code (E_…), when known. */
  code?: string;
  message?: string;
  /** The step tree, when the source has it (a history record or Allure results; not JUnit). */
  steps?: readonly FingerprintStep[];
}

/** The message with volatile values replaced by placeholders (what the fingerprint hashes). */
export function normaliseFailureMessage(message: string): string {
  return (
    message
      // Decoded fields `11=000002`, `55.9F26=…`: the value of a volatile field goes.
      .replace(/\b(\d{1,3})((?:\.[0-9A-Za-z]+)*)=(\S*)/g, (all, field: string, sub: string) =>
        VOLATILE_FIELDS.has(field) ? `${field}${sub}=<v>` : all,
      )
      // A difference line about a volatile field: `response.11: expected = 1, got 2`.
      .replace(
        /\b((?:request|response)\.(\d{1,3})(?:\.[0-9A-Za-z]+)*): .*$/gm,
        (all, path: string, field: string) => (VOLATILE_FIELDS.has(field) ? `${path}: <v>` : all),
      )
      .replace(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>')
      .replace(/\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<time>')
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
      .replace(/\b(connection|exchange|attempt) #?\d+/gi, '$1 <n>')
      .replace(/#\d+\b/g, '#<n>')
      .replace(/\b\d+(?:\.\d+)?\s?(?:ms|s|µs|us|min)\b/g, '<duration>')
      .replace(/\b[0-9A-Fa-f]{16,}\b/g, '<hex>')
      // Display and receipt lines as quoted in a message: a reference, STAN or auth number shown there.
      .replace(
        /^(\s*)"(.*)"$/gm,
        (_, indent: string, text: string) => `${indent}"${text.replace(/\d{6,}/g, '<n>')}"`,
      )
      .replace(/[ \t]+$/gm, '')
      .trim()
  );
}

/** The first step (depth first) that failed or broke, with its 1-based path in the tree (`5`, `3.2`). */
export function failingStep(
  steps: readonly FingerprintStep[],
  prefix = '',
): { action: string; path: string } | undefined {
  for (const [i, s] of steps.entries()) {
    const path = `${prefix}${i + 1}`;
    const kids = s.children ?? s.steps ?? [];
    const inner = failingStep(kids, `${path}.`);
    if (inner) return inner;
    if (s.status === 'failed' || s.status === 'broken') {
      const action = s.action ?? /^[A-Za-z]+/.exec(s.name ?? '')?.[0] ?? 'step';
      return { action, path };
    }
  }
  return undefined;
}

/**
 * The fingerprint of a failure: `ACTION@PATH#HASH` (e.g. `expect@5#3f2a9c0b1d2e`), or `#HASH` when the
 * source does not say which step failed. HASH is 12 hex digits of SHA-256 over the status, the code and
 * the normalised message.
 */
export function failureFingerprint(f: FailureInput): string {
  const text = `${f.status}|${f.code ?? f.status}|${normaliseFailureMessage(f.message ?? '')}`;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const step = f.steps ? failingStep(f.steps) : undefined;
  return `${step ? `${step.action}@${step.path}` : ''}#${hash}`;
}

/**
 * True when two fingerprints name the same failure: same hash, and the same step when both say which
 * step failed (a JUnit file does not).
 */
export function sameFailure(a: string, b: string): boolean {
  const [sa, ha] = splitFingerprint(a);
  const [sb, hb] = splitFingerprint(b);
  return ha === hb && (sa === '' || sb === '' || sa === sb);
}

function splitFingerprint(f: string): [string, string] {
  const i = f.lastIndexOf('#');
  return i < 0 ? ['', f] : [f.slice(0, i), f.slice(i + 1)];
}
