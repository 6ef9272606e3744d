/** Who the terminal is to the acquirer: field 41 (terminal id, 8 characters) and field 42 (merchant id, 15). */
export interface TerminalIdentity {
  terminalId: string;
  merchantId: string;
}
