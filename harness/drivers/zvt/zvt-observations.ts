/**
 * ZVT terminal messages as bench observations, shaped like the embedded bench's: display `{lines}`
 * (Intermediate Status 04 FF: its text lines, else the status code's text), receipt `{text, copy}` (Print
 * Text-Block 06 D3 / Print Lines 06 D1), result `{result: {transaction, outcome, messageKey, …}}` (Status
 * Information 04 0F with Completion 06 0F or Abort 06 1E).
 */
import { maskPansInText } from '../../common/mask.js';
import { INTERMEDIATE_STATUS_TEXTS, ZVT_ERRORS, type StatusInfo } from '../../zvt/index.js';

/** The display lines of an intermediate status. */
export function displayLines(status: number, lines: readonly string[]): string[] {
  if (lines.length) return lines.map(maskPansInText);
  return [INTERMEDIATE_STATUS_TEXTS[status] ?? `status 0x${status.toString(16).padStart(2, '0')}`];
}

/** Keys of the reference emulator's BMP 3C text (`RRN=… AC=… RC=… KEY=… OP=… OUTCOME=…`). */
function additionalFields(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/\b([A-Z]+)=(\S+)/g)) out[m[1] as string] = m[2] as string;
  return out;
}

/**
 * The timeline's result for a finished command: from its Status Information (if any) and the end
 * (completion, or abort with `abortCode`).
 */
export function resultOf(
  transaction: string,
  info: StatusInfo | undefined,
  abortCode: number | undefined,
): Record<string, unknown> {
  const extra = additionalFields(info?.additional);
  const code = abortCode ?? info?.resultCode ?? ZVT_ERRORS.NONE;
  const outcome =
    extra.OUTCOME ??
    (code === ZVT_ERRORS.NONE ? 'approved' : code === ZVT_ERRORS.ABORTED ? 'cancelled' : 'declined');
  const hostCode = code >= 1 && code <= 63 ? String(code).padStart(2, '0') : undefined;
  const r: Record<string, unknown> = {
    transaction,
    outcome,
    messageKey:
      extra.KEY ?? (outcome === 'approved' ? 'approved' : `zvt-${code.toString(16).padStart(2, '0')}`),
    zvtResultCode: code,
  };
  const responseCode = extra.RC ?? hostCode;
  if (responseCode !== undefined) r.responseCode = responseCode;
  if (info?.amount !== undefined) r.amount = info.amount;
  if (info?.maskedPan) r.maskedPan = info.maskedPan;
  if (info?.trace) r.stan = info.trace;
  if (info?.receiptNumber) r.receiptNumber = info.receiptNumber;
  if (info?.currency) r.currency = info.currency.replace(/^0(?=\d{3}$)/, '');
  if (extra.RRN) r.reference = extra.RRN;
  if (extra.AC && extra.AC !== '-') r.authCode = extra.AC;
  return r;
}
