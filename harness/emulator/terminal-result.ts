/**
 * The outcome of one terminal transaction, as the in-process API resolves it and the ECR link carries it
 * (same shape as the ECR `TransactionResult`). No PAN in clear: `maskedPan` only.
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
  maskedPan?: string;
  amount?: number;
  currency?: string;
  reference?: string;
  stan?: string;
  authCode?: string;
  /** Field 22 sent, e.g. "051". */
  entryMode?: string;
  ecrReference?: string;
  /** Balance inquiry: available balance in minor units. */
  balance?: number;
  totals?: { debitCount: number; debitAmount: number; creditCount: number; creditAmount: number };
  /** Extra facts: batch, TVR, TSI, AID, CID of the card's last cryptogram, offline flag, card retained… */
  details?: Record<string, unknown>;
}
