import type { NetworkControl } from '../net/index.js';
import type { CardPresenter } from './card-presenter.js';
import type { CalendarControl } from './calendar-control.js';
import type { DeviceControl } from './device-control.js';
import type { ModeControl } from './mode-control.js';
import type { Display } from './display.js';
import type { HostControl } from './host-control.js';
import type { Keypad } from './keypad.js';
import type { Operator } from './operator.js';
import type { TerminalControl } from './terminal-control.js';

/**
 * The capabilities by name, as steps ask for them. `network` is the fault proxy's `NetworkControl`
 * (harness/net), the one contract that lives with its implementations.
 */
export interface CapabilityMap {
  terminal: TerminalControl;
  keypad: Keypad;
  display: Display;
  cards: CardPresenter;
  host: HostControl;
  network: NetworkControl;
  operator: Operator;
  devices: DeviceControl;
  /** The terminal's operating mode (offer `maintenance`). */
  mode: ModeControl;
  /** The terminal's and host's date and time (offer `clock`). */
  calendar: CalendarControl;
}

export type CapabilityName = keyof CapabilityMap;
