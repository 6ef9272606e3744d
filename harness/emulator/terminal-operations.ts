/**
 * The one table of terminal operations: how each transaction a bench or a cash register can start maps
 * onto the emulated terminal's API. The in-process driver (harness/drivers/emulated) and the ECR adapter
 * (ECR link and web UI) both start transactions through it.
 */
import type { EmulatedTerminal } from './emulated-terminal.js';
import type { TerminalResult } from './terminal-result.js';

/** The original transaction of a void or refund: by reference (field 37) or STAN; a refund's MMDD date. */
export interface OriginalTransaction {
  reference?: string;
  stan?: string;
  /** MMDD of the original (refund only). */
  date?: string;
}

/** What an operation is started with. An operation takes only what it needs and ignores the rest. */
export interface TerminalOperationInput {
  /** Minor units (purchase, preAuth, withdraw, refund); default 0. */
  amount?: number;
  /** The original of a void or refund. */
  original?: OriginalTransaction;
  /** The cash register's own reference, echoed in the result (purchase, preAuth, void, refund). */
  ecrReference?: string;
}

/** Starts one operation on the terminal; resolves with its result when the transaction ends. */
export type TerminalOperationRun = (
  t: EmulatedTerminal,
  input: TerminalOperationInput,
) => Promise<TerminalResult>;

function ecrRef(input: TerminalOperationInput): { ecrReference?: string } {
  return input.ecrReference ? { ecrReference: input.ecrReference } : {};
}

/** Operation name → how the terminal carries it out. */
export const TERMINAL_OPERATIONS = {
  signIn: (t) => t.signIn(),
  purchase: (t, i) => t.purchase(i.amount ?? 0, ecrRef(i)),
  preAuth: (t, i) => t.preAuth(i.amount ?? 0, ecrRef(i)),
  balance: (t) => t.balance(),
  withdraw: (t, i) => t.withdraw(i.amount ?? 0),
  void: (t, i) => {
    // A void names its original by reference or STAN only.
    const { date: _date, ...original } = i.original ?? {};
    void _date;
    return t.void(original, ecrRef(i));
  },
  refund: (t, i) => t.refund(i.amount ?? 0, i.original ?? {}, ecrRef(i)),
  settle: (t) => t.settle(),
} as const satisfies Record<string, TerminalOperationRun>;

/** An operation of the table (the transactions a bench or cash register starts; `completion` is not one). */
export type StartableOperation = keyof typeof TERMINAL_OPERATIONS;

/** Starts `op` on `terminal` (see TERMINAL_OPERATIONS). */
export function startOperation(
  terminal: EmulatedTerminal,
  op: StartableOperation,
  input: TerminalOperationInput = {},
): Promise<TerminalResult> {
  const run: TerminalOperationRun = TERMINAL_OPERATIONS[op];
  return run(terminal, input);
}
