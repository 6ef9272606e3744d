import { DriverError } from '../errors.js';

/**
 * Errors of the robot driver: lab faults (verdict `broken`) whose message says what to fix. Codes:
 * E_ROBOT_UNREACHABLE (connection refused, DNS), E_ROBOT_TIMEOUT (no answer in time), E_ROBOT_JAM (the
 * robot reports a jam: a person must clear it), E_ROBOT_REFUSED (another HTTP error status),
 * E_ROBOT_GARBAGE (an answer that is not the protocol, or larger than the bound), E_ROBOT_KEY (a key the
 * robot has no finger for), E_ROBOT_INACTIVE.
 */
export class RobotError extends DriverError {
  constructor(
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super('E_ROBOT', driver, operation, detail, options);
  }
}
