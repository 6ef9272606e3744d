/** The terminal's 0400 reversal (冲正) of a request it could not complete. */
import type { IsoMessage } from '../iso8583/index.js';
import { REVERSAL_REASON } from './response-codes.js';

/** Fields of the original a reversal repeats (identifying the transaction and the card). */
const REVERSAL_FIELDS = [2, 3, 4, 11, 14, 22, 23, 25, 38, 41, 42, 49, 55, 60, 61] as const;

/**
 * The 0400 reversal of a request: the same identifying fields and STAN, the reason in field 39
 * (`REVERSAL_REASON`, default 98 = no answer). Without MAC (see `applyMac`).
 */
export function buildReversal(original: IsoMessage, reason: string = REVERSAL_REASON.NO_ANSWER): IsoMessage {
  const f: Record<number, string> = {};
  for (const n of REVERSAL_FIELDS) {
    const v = original.fields[n];
    if (v !== undefined) f[n] = v;
  }
  f[39] = reason;
  return { mti: '0400', fields: f };
}
