import { PayhilError, type Verdict } from '../common/payhil-error.js';

/**
 * Where a decode problem sits: `undefined` for framing (length prefix, TPDU, header, frame size),
 * 0 for the MTI, 1 for the bitmap(s), 2–128 for data fields.
 */
export type FieldNumber = number | undefined;

function where(field: FieldNumber): string {
  if (field === undefined) return 'frame';
  if (field === 0) return 'MTI';
  if (field === 1) return 'bitmap';
  return `field ${field}`;
}

/**
 * Bytes that are not a valid message of the dialect: truncated frames, lengths past the end, non-BCD
 * nibbles, a bitmap naming fields with no data, variable lengths over their maximum, a third bitmap,
 * frames over the size limit. `offset` is the byte offset, from the start of the buffer handed to the
 * decoder (the frame for `decodeFrame`, the body for `decodeMessage`), where the problem was found.
 *
 * Verdict: the bytes come from the terminal or host under test, so by default a product fault (`failed`).
 */
export class DecodeError extends PayhilError {
  readonly field: FieldNumber;
  readonly offset: number;
  readonly reason: string;

  constructor(
    field: FieldNumber,
    offset: number,
    reason: string,
    options: { verdict?: Verdict; cause?: unknown } = {},
  ) {
    super('E_ISO_DECODE', `ISO 8583 decode: ${where(field)} at byte ${offset}: ${reason}`, {
      verdict: options.verdict ?? 'failed',
      cause: options.cause,
    });
    this.field = field;
    this.offset = offset;
    this.reason = reason;
  }
}

/** A message that cannot be encoded in the dialect (bad characters, wrong or excessive length, unknown field). */
export class EncodeError extends PayhilError {
  readonly field: FieldNumber;
  readonly reason: string;

  constructor(field: FieldNumber, reason: string) {
    super('E_ISO_ENCODE', `ISO 8583 encode: ${where(field)}: ${reason}`, { verdict: 'usage' });
    this.field = field;
    this.reason = reason;
  }
}

/** A dialect definition that is not usable (unknown name, schema violation, inconsistent field). */
export class DialectError extends PayhilError {
  readonly dialect: string;

  constructor(dialect: string, message: string, options: { cause?: unknown } = {}) {
    super('E_ISO_DIALECT', `dialect ${dialect}: ${message}`, { verdict: 'usage', cause: options.cause });
    this.dialect = dialect;
  }
}

/** A field path ("39", "55.9F26", "60.2") that does not name anything in the dialect. */
export class PathError extends PayhilError {
  readonly path: string;

  constructor(path: string, message: string) {
    super('E_ISO_PATH', `field path '${path}': ${message}`, { verdict: 'usage' });
    this.path = path;
  }
}
