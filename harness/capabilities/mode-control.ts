/** A terminal's operating mode: `normal`, or `maintenance` (a custodian's supervisor mode). */
export type TerminalModeName = 'normal' | 'maintenance';

/** Switches the terminal's operating mode at run time (the `mode` step). */
export interface ModeControl {
  /**
   * `maintenance`: the terminal is out of service for cardholders (OUT OF SERVICE, transactions refused
   * with nothing sent to the host, an ATM gives an inserted card back); `normal`: back to the idle screen.
   * A running transaction is not interrupted.
   */
  set(mode: TerminalModeName): Promise<void>;
}
