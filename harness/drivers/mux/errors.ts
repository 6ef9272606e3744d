import { DriverError } from '../errors.js';

/**
 * Errors of the multiplexer driver: every one is a lab fault (verdict `broken`) whose message says what
 * to fix. Codes: E_MUX_PORT (the serial port or TCP address cannot be opened), E_MUX_TIMEOUT (no answer
 * in time), E_MUX_CLOSED (the link went away), E_MUX_REFUSED (the mux answered `ERR …`), E_MUX_GARBAGE
 * (an answer that is not the protocol), E_MUX_SLOT (a slot holds the wrong card or none), E_MUX_CARD (a
 * card the lab file maps to no slot), E_MUX_INACTIVE.
 */
export class MuxError extends DriverError {
  constructor(
    driver: string,
    operation: string,
    detail: string,
    options: { code?: string; cause?: unknown; causeCode?: string } = {},
  ) {
    super('E_MUX', driver, operation, detail, options);
  }
}
