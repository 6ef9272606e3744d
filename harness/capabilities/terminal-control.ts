/** A terminal transaction the runner can start. */
export type TerminalOperationName =
  'signIn' | 'purchase' | 'void' | 'refund' | 'balance' | 'preAuth' | 'withdraw' | 'settle';

/** Arguments of a terminal operation. Amounts in minor units. */
export interface TerminalOperationArgs {
  amount?: number;
  /** Original transaction of a void/refund: a reference (field 37), a STAN, or 'last'. */
  of?: string;
}

/** Starts transactions on the terminal (menu, ECR or web UI). */
export interface TerminalControl {
  /**
   * Starts `op` and resolves once the terminal took it (not when it finished: the result lands on the
   * timeline as a `result` observation). Waits (bounded) for a previous transaction to end first.
   */
  start(op: TerminalOperationName, args?: TerminalOperationArgs): Promise<void>;
  /** Enters an amount on the terminal's amount prompt (minor units). */
  enterAmount(amount: number): Promise<void>;
  /** Chooses a menu item by its label. */
  select(item: string): Promise<void>;
  /** Switches the terminal off and on (keys and session lost, reversal kept where the terminal keeps it). */
  powerCycle(): Promise<void>;
  /** A snapshot of terminal fields for `expect terminal` and `capture terminal.X` (state, signedIn, …). */
  status(): Promise<Record<string, unknown>>;
  /** Resolves when no transaction runs (or after `timeoutMs`). */
  idle(timeoutMs: number): Promise<void>;
}
