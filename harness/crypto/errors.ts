import { PayhilError, type Verdict } from '../common/payhil-error.js';

/**
 * Errors of the crypto layer. Every one carries a stable `code`; bad input from a person or a caller
 * is `usage`, a value received from the system under test that fails a check (wrong KCV, malformed
 * PIN block) is `failed`.
 */
export class CryptoError extends PayhilError {
  constructor(code: string, message: string, options: { verdict?: Verdict; cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** A string that should be hex is not (odd length or a non-hex character). */
export class HexError extends CryptoError {
  /** Offset of the first bad character, or the string length for an odd-length string. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('E_HEX', message);
    this.offset = offset;
  }
}

/** A key of a length the algorithm does not take. Lengths in bytes. */
export class KeyLengthError extends CryptoError {
  readonly algorithm: string;
  readonly actual: number;
  readonly allowed: readonly number[];
  constructor(algorithm: string, actual: number, allowed: readonly number[]) {
    super('E_KEY_LENGTH', `${algorithm}: key must be ${allowed.join(', ')} bytes, got ${actual}`);
    this.algorithm = algorithm;
    this.actual = actual;
    this.allowed = allowed;
  }
}

/** Data of a length the operation does not take (not a whole number of blocks, wrong field size). */
export class DataLengthError extends CryptoError {
  readonly what: string;
  readonly actual: number;
  constructor(what: string, actual: number, requirement: string) {
    super('E_DATA_LENGTH', `${what}: ${requirement}, got ${actual} bytes`);
    this.what = what;
    this.actual = actual;
  }
}

/** A decrypted key whose check value differs from the one sent with it (a product fault). */
export class KcvMismatchError extends CryptoError {
  /** Upper-case hex. */
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string) {
    super('E_KCV_MISMATCH', `key check value mismatch: expected ${expected}, computed ${actual}`, {
      verdict: 'failed',
    });
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A PIN or PAN unfit to build a PIN block (`usage`), or a clear PIN block that does not decode
 * (`failed`: the terminal produced it). Never carries the PIN or the block itself.
 */
export class PinBlockError extends CryptoError {
  readonly format: number;
  readonly reason: string;
  constructor(format: number, reason: string, verdict: Verdict = 'usage') {
    super('E_PIN_BLOCK', `PIN block format ${format}: ${reason}`, { verdict });
    this.format = format;
    this.reason = reason;
  }
}

/** Track data that cannot be encrypted the UnionPay way (bad characters, too short). */
export class TrackDataError extends CryptoError {
  readonly reason: string;
  constructor(reason: string) {
    super('E_TRACK_DATA', `track data: ${reason}`);
    this.reason = reason;
  }
}

/** A parameter outside the values an algorithm defines (an ISO 9797-1 padding method other than 1 or 2). */
export class CryptoParameterError extends CryptoError {
  readonly parameter: string;
  constructor(parameter: string, detail: string) {
    super('E_CRYPTO_PARAMETER', `${parameter}: ${detail}`);
    this.parameter = parameter;
  }
}
