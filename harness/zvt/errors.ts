import { PayhilError, type Verdict } from '../common/payhil-error.js';

/**
 * Errors of the ZVT codec and link. What a peer sent that cannot be read (bad CRC, truncated BMP, unknown
 * BMP, wrong length) is a `ZvtDecodeError`; a link that fails (peer silent, closed, NAK after NAK) is a
 * `ZvtLinkError`. The verdict is the caller's to choose: the emulator answers a bad frame with NAK, a
 * driver facing a terminal that talks nonsense or stops answering reports `broken`.
 */
export class ZvtError extends PayhilError {
  constructor(code: string, message: string, options: { verdict?: Verdict; cause?: unknown } = {}) {
    super(code, message, { verdict: options.verdict ?? 'broken', cause: options.cause });
  }
}

/** Bytes that are not a valid ZVT APDU, BMP, TLV or serial frame; `offset` is where, within `what`. */
export class ZvtDecodeError extends ZvtError {
  /** What was being read: "APDU 06 01", "BMP 04 (amount)", "serial frame", "TLV tag 24". */
  readonly what: string;
  /** Byte offset of the fault within the APDU data (or frame). */
  readonly offset: number;
  constructor(code: string, what: string, offset: number, detail: string) {
    super(code, `ZVT ${what}: ${detail} (at byte ${offset})`);
    this.what = what;
    this.offset = offset;
  }
}

/** The link to the peer failed: not answered within the bound, closed, or repeated NAKs. */
export class ZvtLinkError extends ZvtError {
  /** Where the link runs, e.g. "tcp:127.0.0.1:20007". */
  readonly link: string;
  constructor(code: string, link: string, detail: string, cause?: unknown) {
    super(code, `ZVT link ${link}: ${detail}`, { cause });
    this.link = link;
  }
}

/** A value that cannot be encoded (amount out of range, non-digit BCD, text too long for its BMP). */
export class ZvtEncodeError extends ZvtError {
  constructor(detail: string) {
    super('E_ZVT_ENCODE', `ZVT encode: ${detail}`, { verdict: 'usage' });
  }
}
