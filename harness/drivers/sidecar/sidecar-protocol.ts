/**
 * The sidecar JSON-lines protocol, version 1 (docs/sidecar-protocol.md): payhil's sidecar driver ↔ a
 * process that drives the terminal (a bridge to a vendor DLL, possibly on another machine). One JSON
 * object per line (UTF-8, LF; at most 64 KiB), over the sidecar's stdin/stdout or a TCP connection.
 *
 * driver → sidecar, requests: {"id": n, "method": M, "params": {…}} with M one of SIDECAR_METHODS.
 * sidecar → driver, answers: {"id": n, "result": {…}} | {"id": n, "error": {"code": C, "message": "…"}}.
 * sidecar → driver, events (no id): {"event": E, "data": {…}} with E one of SIDECAR_EVENTS.
 */

export const SIDECAR_PROTOCOL_VERSION = 1;

export const SIDECAR_METHODS = {
  /** First request: result {protocol: 1, name: string, offers: TerminalOperationName[]}. */
  HELLO: 'hello',
  /** params {op, amount?, of?}: result {} once the terminal took the transaction; its end is a `result` event. */
  START: 'start',
  /** Cancels the running transaction (result {}); the terminal still ends it with a `result` event. */
  ABORT: 'abort',
  /** result: the terminal's fields (state, signedIn, busy… what the vendor API tells). */
  STATUS: 'status',
} as const;

export const SIDECAR_EVENTS = {
  /** data {lines: string[]}: the terminal's display changed. */
  DISPLAY: 'display',
  /** data {text, copy: "merchant" | "customer"}: a receipt printed. */
  RECEIPT: 'receipt',
  /** data {result: {transaction, outcome, responseCode?, reference?, maskedPan?, amount?, …}}: a transaction ended. */
  RESULT: 'result',
  /** data {state, previous?}: the terminal's state changed. */
  STATE: 'state',
  /** data {text}: anything worth a line on the timeline. */
  NOTE: 'note',
} as const;

/** Error codes a sidecar answers with (a vendor may add its own; payhil shows them as they are). */
export const SIDECAR_ERROR_CODES = {
  BUSY: 'a transaction runs',
  UNSUPPORTED: 'the terminal or the bridge cannot do this',
  BAD_REQUEST: 'the request is not what the protocol says',
  TERMINAL: 'the vendor API failed (its message says how)',
} as const;

/** The sidecar's answer to `hello`. */
export interface SidecarHello {
  protocol: number;
  name: string;
  offers: string[];
}

/** Checks a `hello` result; returns what is wrong, or undefined. */
export function helloProblem(v: unknown): string | undefined {
  if (!v || typeof v !== 'object') return 'the hello result is not an object';
  const h = v as Partial<SidecarHello>;
  if (h.protocol !== SIDECAR_PROTOCOL_VERSION)
    return `protocol ${String(h.protocol)} (payhil speaks ${SIDECAR_PROTOCOL_VERSION})`;
  if (typeof h.name !== 'string' || !h.name) return 'hello: name missing';
  if (!Array.isArray(h.offers) || h.offers.some((o) => typeof o !== 'string'))
    return 'hello: offers is not a list of transaction names';
  return undefined;
}

/** Checks an event's data; returns what is wrong, or undefined. */
export function eventProblem(event: string, data: Record<string, unknown>): string | undefined {
  switch (event) {
    case SIDECAR_EVENTS.DISPLAY:
      return Array.isArray(data.lines) && data.lines.every((l) => typeof l === 'string')
        ? undefined
        : 'display: lines is not a list of strings';
    case SIDECAR_EVENTS.RECEIPT:
      return typeof data.text === 'string' ? undefined : 'receipt: text is not a string';
    case SIDECAR_EVENTS.RESULT: {
      const r = data.result as Record<string, unknown> | undefined;
      return r && typeof r === 'object' && typeof r.transaction === 'string' && typeof r.outcome === 'string'
        ? undefined
        : 'result: result.transaction and result.outcome must be strings';
    }
    case SIDECAR_EVENTS.STATE:
      return typeof data.state === 'string' ? undefined : 'state: state is not a string';
    case SIDECAR_EVENTS.NOTE:
      return typeof data.text === 'string' ? undefined : 'note: text is not a string';
    default:
      return undefined;
  }
}
