/**
 * The outcome of one terminal transaction, as the in-process API resolves it; the ECR link carries it as
 * its `TransactionResult` (derived from this one). No PAN in clear: `maskedPan` only.
 */
export type TerminalOperation =
  'purchase' | 'void' | 'refund' | 'balance' | 'preAuth' | 'completion' | 'withdraw' | 'settle' | 'signIn';

export interface TerminalResult {
  transaction: TerminalOperation;
  outcome: 'approved' | 'declined' | 'cancelled' | 'failed';
  /** Field 39 of the host's answer; absent when the host was never reached (offline decisions, errors). */
  responseCode?: string;
  /** Stable key of what the display said (e.g. `approved`, `insufficientFunds`, `cardNotSupported`). */
  messageKey: string;
  /** What the display said, in the profile's language. */
  message: string;
  /** First 6 and last 4 digits, the rest '*'. */
  maskedPan?: string;
  /** Minor units. */
  amount?: number;
  /** ISO 4217 numeric code, e.g. "156". */
  currency?: string;
  /** Retrieval reference number (field 37). */
  reference?: string;
  /** System trace audit number (field 11). */
  stan?: string;
  /** Authorisation code (field 38). */
  authCode?: string;
  /** Field 22 sent, e.g. "051". */
  entryMode?: string;
  /** The cash register's reference from the request. */
  ecrReference?: string;
  /** Balance inquiry: available balance in minor units. */
  balance?: number;
  /** Settlement: batch totals. */
  totals?: { debitCount: number; debitAmount: number; creditCount: number; creditAmount: number };
  /** Extra facts: batch, TVR, TSI, AID, CID of the card's last cryptogram, offline flag, card retained… */
  details?: Record<string, unknown>;
}
