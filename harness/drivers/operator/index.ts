// Curated public API of harness/drivers/operator: a person at the bench, asked on the terminal.
export { OperatorDriver, nonInteractiveReason } from './operator-driver.js';
export type { OperatorDriverOptions } from './operator-driver.js';
export {
  OperatorError,
  OperatorUnavailableError,
  OperatorTimeoutError,
  OperatorDeclinedError,
  OperatorInactiveError,
} from './errors.js';
