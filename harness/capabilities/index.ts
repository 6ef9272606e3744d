// Curated public API of harness/capabilities: the Promise-only contracts drivers implement and steps ask
// the bench for, the driver contract and its active guard, the observation stream, their errors.
export type { TerminalControl, TerminalOperationName, TerminalOperationArgs } from './terminal-control.js';
export type { Keypad } from './keypad.js';
export type { CardMultiplexer, MuxInterface, MuxStatus } from './card-multiplexer.js';
export type { Robot, RobotStatus } from './robot.js';
export type { Display } from './display.js';
export type { CardPresenter, CardCondition } from './card-presenter.js';
export { walletFaultOf } from './card-presenter.js';
export type { HostControl, HostAccountsSetup } from './host-control.js';
export type { Operator } from './operator.js';
export type { DeviceControl, DeviceName, DeviceCondition } from './device-control.js';
export { DEVICE_NAMES } from './device-control.js';
export type { ModeControl, TerminalModeName } from './mode-control.js';
export type { CalendarControl } from './calendar-control.js';
export type { NetworkControl } from '../net/index.js';
export type { CapabilityMap, CapabilityName } from './capability-map.js';
export type { Driver, ScenarioContext } from './driver.js';
export { ActiveGuard } from './active-guard.js';
export { OBSERVATION, OBSERVATION_KINDS } from './observation.js';
export type {
  Observation,
  ObservationKind,
  ObservationListener,
  ObservationSource,
  HostMessageData,
  BinaryAttachment,
} from './observation.js';
export { ObserverSet } from './observer-set.js';
export { HOST_WORK_STATES } from './host-work-states.js';
export { BrokenError, InactiveDriverError, UnknownCardError } from './errors.js';
