import { PayhilError, type Verdict } from '../common/payhil-error.js';

/**
 * Why a BER-TLV (or DOL) byte string could not be read or written. Stable strings: tools and reports
 * may match on them.
 */
export type TlvErrorReason =
  /** Input ended inside a tag (a multi-byte tag whose last byte is missing). */
  | 'truncated-tag'
  /** Input ended inside a length field (e.g. `81` with no following byte). */
  | 'truncated-length'
  /** The length field says more value bytes than the input (or enclosing template) holds. */
  | 'length-past-end'
  /** `80` (indefinite length): not allowed in EMV (Book 3 Annex B). */
  | 'indefinite-length'
  /** Long-form length with more than 4 length bytes (`85`…`FF`), or a value over 2^32-1. */
  | 'length-too-long'
  /** Tag longer than 4 bytes, or (when building) a tag string that is not a well-formed BER tag. */
  | 'bad-tag'
  /** Constructed templates nested deeper than the parser's bound. */
  | 'nesting-too-deep'
  /** Children given for a primitive tag when building. */
  | 'children-on-primitive'
  /** A DOL entry or data element that does not fit the EMV rules (e.g. bad hex, negative length). */
  | 'bad-value';

/**
 * Malformed BER-TLV or DOL data. `offset` is the byte offset, counted from the start of the buffer
 * given to the outermost call, where the problem was found; `tag` names the object being read when known.
 *
 * Verdict: data on the EMV path comes from the card or terminal under test, so it is a product fault
 * (`failed`) by default; callers reading user input (the CLI) report it as `usage`.
 */
export class TlvError extends PayhilError {
  readonly offset: number;
  readonly reason: TlvErrorReason;
  readonly tag: string | undefined;

  constructor(
    reason: TlvErrorReason,
    offset: number,
    detail: string,
    options: { tag?: string; verdict?: Verdict } = {},
  ) {
    super(
      'E_TLV',
      `TLV ${reason} at offset ${offset}${options.tag ? ` (tag ${options.tag})` : ''}: ${detail}`,
      { verdict: options.verdict ?? 'failed' },
    );
    this.offset = offset;
    this.reason = reason;
    this.tag = options.tag;
  }
}

/** A bit name that TVR/TSI/AIP/… helpers do not know (programming or scenario error). */
export class UnknownBitError extends PayhilError {
  readonly field: string;
  readonly bit: string;

  constructor(field: string, bit: string) {
    super('E_EMV_UNKNOWN_BIT', `${field}: unknown bit name '${bit}'`, { verdict: 'usage' });
    this.field = field;
    this.bit = bit;
  }
}

/** A malformed CVM list (tag 8E): wrong length, odd number of rule bytes. */
export class CvmListError extends PayhilError {
  readonly length: number;

  constructor(length: number, detail: string) {
    super('E_EMV_CVM_LIST', `CVM list (8E) of ${length} bytes: ${detail}`, { verdict: 'failed' });
    this.length = length;
  }
}

/** A value too short for the bit being set (a 3-byte TVR given for a bit of byte 5): a caller's or a profile's error. */
export class BitFieldLengthError extends PayhilError {
  readonly field: string;
  readonly length: number;
  readonly byte: number;

  constructor(field: string, length: number, byte: number) {
    super('E_EMV_BIT_FIELD_LENGTH', `${field}: value of ${length} bytes has no byte ${byte}`, {
      verdict: 'usage',
    });
    this.field = field;
    this.length = length;
    this.byte = byte;
  }
}

/** A cryptogram version number (CVN) payhil does not compute: only CVN 10 and 18 (PBOC / UnionPay). */
export class CryptogramVersionError extends PayhilError {
  readonly cvn: unknown;

  constructor(cvn: unknown) {
    super('E_EMV_CVN', `unsupported cryptogram version ${String(cvn)} (10 or 18)`, { verdict: 'usage' });
    this.cvn = cvn;
  }
}
