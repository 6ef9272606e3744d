/**
 * ECR events as bench observations (harness/capabilities `Observation`), shaped like the
 * embedded bench's so expectations read them the same way: display `{lines}`, state `{state, previous}`,
 * receipt `{text, copy}`, result `{result: {transaction, outcome, messageKey, responseCode, …}}`.
 */
import type { Observation } from '../../capabilities/index.js';
import { maskPansInText } from '../../common/mask.js';
import { maskIccHex } from '../../emv/index.js';
import type { EcrEvent, EcrTraceRecord, TransactionResult } from '../../emulator/ecr/index.js';

/** A transaction result as the timeline keeps it: `details.messageKey` lifted to `messageKey`. */
export function resultData(r: TransactionResult): Record<string, unknown> {
  const key = r.details?.messageKey;
  return { ...r, ...(typeof key === 'string' ? { messageKey: key } : {}) };
}

/**
 * The observation for an ECR event, or undefined for events that stay off the timeline (indicator).
 * `previousState` is the last state seen on this link (for `state.previous`).
 */
export function observationOf(
  e: EcrEvent,
  previousState: string | undefined,
  at = Date.now(),
): Observation | undefined {
  switch (e.event) {
    case 'display':
      return { kind: 'display', at, data: { lines: e.lines.map(maskPansInText), source: 'ecr' } };
    case 'state':
      return { kind: 'state', at, data: { state: e.state, previous: previousState ?? 'unknown' } };
    case 'receipt':
      return { kind: 'receipt', at, data: { text: maskPansInText(e.text), copy: e.copy ?? 'merchant' } };
    case 'result':
      return { kind: 'result', at, data: { result: resultData(e.result) } };
    case 'apdu':
      // Masked by the terminal (the codec refuses a VERIFY with its PIN block); PAN and tracks masked again.
      return {
        kind: 'apdu',
        at,
        data: {
          via: e.via,
          command: e.command,
          response:
            e.response.length > 4 ? maskIccHex(e.response.slice(0, -4)) + e.response.slice(-4) : e.response,
          ms: e.ms,
          source: 'ecr-trace',
        },
      };
    case 'error':
      return {
        kind: 'note',
        at,
        data: { text: `ECR error event ${e.error.code}: ${maskPansInText(e.error.message)}` },
      };
    default:
      return undefined;
  }
}

/** A link trace record as an `ecr-frame` observation (payload text is masked by the link). */
export function traceObservation(r: EcrTraceRecord): Observation {
  const seq = r.seq !== undefined ? ` seq ${r.seq}` : '';
  const what = r.text ?? r.reason ?? '';
  return {
    kind: 'ecr-frame',
    at: r.at,
    data: { text: `ECR ${r.dir} ${r.type}${seq} ${r.bytes} B ${what}`.trimEnd(), source: 'ecr-trace' },
  };
}
