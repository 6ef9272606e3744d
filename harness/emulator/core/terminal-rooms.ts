/** The rooms of the emulated terminal, as the flows and the transaction wrapper reach them. */
import type { CardReader } from '../card-reader/card-reader.js';
import type { HostSession } from '../host-session/host-session.js';
import type { PinPad } from '../peripherals/keypad.js';
import type { ReceiptPrinter } from '../peripherals/printer.js';
import type { TerminalCore } from './terminal-core.js';

export interface TerminalRooms {
  core: TerminalCore;
  reader: CardReader;
  host: HostSession;
  keypad: PinPad;
  printer: ReceiptPrinter;
}
