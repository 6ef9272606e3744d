/**
 * MAC application: the one definition of how a message is MACed on a terminal–host link. For the
 * dialects payhil ships (UnionPay POS), the MAC field is 64 (128 with a secondary bitmap), 8 bytes,
 * decoded as 16 hex digits: the 8 ASCII characters of the UnionPay ECB MAC (harness/crypto/cup-mac.ts)
 * under the session's MAK over the message from the MTI up to the MAC field (iso8583 `macInput`).
 *
 * Two ways in, the same MAC:
 *  - on a decoded message (`computeMac`, `applyMac`, `verifyMac`, or a `MessageMac`'s `compute`/`apply`/
 *    `verify`): the message is encoded to get the bytes the MAC covers;
 *  - on the bytes of a frame (`MessageMac.computeInto`, `verifyBytes`): the caller gives the range the MAC
 *    covers (MTI to the MAC field) — the host's hot path, which spares re-encoding a frame it holds.
 */
import { cupMacField, cupMacInto, cupMacMatches, toHex, type TdesKey } from '../crypto/index.js';
import { frameHeaderBytes, macField, macInput, type Dialect, type IsoMessage } from '../iso8583/index.js';
import { SessionKeyCache } from './session-key-cache.js';

/** The MAC field value of `msg` under the held MAK. */
function macOf(dialect: Dialect, key: TdesKey, msg: IsoMessage): string {
  return toHex(cupMacField(key, macInput(dialect, msg)));
}

/** Whether the MAC field of `msg` is its MAC under the held MAK (false when absent or not encodable). */
function macHolds(dialect: Dialect, key: TdesKey, msg: IsoMessage): boolean {
  const got = msg.fields[macField(msg)];
  if (got === undefined) return false;
  let covered: Buffer;
  try {
    covered = macInput(dialect, msg);
  } catch {
    return false;
  }
  return cupMacMatches(key, covered, 0, covered.length, got);
}

/** Bytes of the MAC field (64) on the wire when it is taken on a frame's bytes. */
export const MAC_FIELD_BYTES = 8;

/**
 * The message MAC of one dialect with its session keys held (key schedules computed once per MAK).
 * Every call is synchronous.
 */
export class MessageMac {
  /** Offset of the MTI in a frame, where the MAC's coverage starts (length prefix, TPDU, header are not covered). */
  readonly frameStart: number;
  /** Whether the dialect's field 64 is 8 raw bytes, so that a primary-bitmap frame ends with its MAC. */
  private readonly rawField64: boolean;
  private readonly secondary: boolean;

  constructor(
    readonly dialect: Dialect,
    private readonly keys: SessionKeyCache = new SessionKeyCache(),
  ) {
    this.frameStart = frameHeaderBytes(dialect);
    const f64 = dialect.fields[64];
    this.rawField64 =
      f64 !== undefined &&
      f64.type === 'b' &&
      f64.kind === 'fixed' &&
      f64.length === MAC_FIELD_BYTES &&
      f64.encoding === 'binary';
    this.secondary = dialect.bitmap.secondary;
  }

  /**
   * True when the MAC of `msg` can be taken on its frame's bytes: the MAC field is 64, 8 raw bytes at the
   * end of the frame, and covers the frame from `frameStart` up to those 8 bytes (`verifyFrame`,
   * `applyToFrame`). False when the message must go through `verify` / `apply` instead.
   */
  onFrame(msg: IsoMessage): boolean {
    if (!this.rawField64) return false;
    if (!this.secondary) return true;
    for (const k in msg.fields) if (+k > 64 && msg.fields[+k] !== undefined) return false;
    return true;
  }

  /** `verifyBytes` over a frame for which `onFrame` holds: `expected` is its field 64 as decoded. */
  verifyFrame(mak: Buffer, frame: Uint8Array, expected: string): boolean {
    return this.verifyBytes(mak, frame, this.frameStart, frame.length - MAC_FIELD_BYTES, expected);
  }

  /** Writes the MAC into the last 8 bytes of an encoded frame for which `onFrame` holds. */
  applyToFrame(mak: Buffer, frame: Uint8Array): void {
    const at = frame.length - MAC_FIELD_BYTES;
    this.computeInto(mak, frame, this.frameStart, at, frame, at);
  }

  /**
   * The MAC field value of `msg` under `mak` (16 hex digits); `msg` is not changed.
   * @throws EncodeError when the message cannot be encoded; DialectError when the dialect's MAC field
   *   is not fixed length.
   */
  compute(msg: IsoMessage, mak: Buffer): string {
    return macOf(this.dialect, this.keys.get(mak), msg);
  }

  /** Sets the MAC field of `msg` (64, or 128 with a secondary bitmap) to its MAC under `mak`; returns `msg`. */
  apply(msg: IsoMessage, mak: Buffer): IsoMessage {
    msg.fields[macField(msg)] = this.compute(msg, mak);
    return msg;
  }

  /** True when the MAC field of `msg` is its MAC under `mak`; false when absent or not encodable. */
  verify(msg: IsoMessage, mak: Buffer): boolean {
    return macHolds(this.dialect, this.keys.get(mak), msg);
  }

  /**
   * The MAC of the covered bytes `data[start, end)` (a frame from its MTI up to the MAC field) written as
   * the MAC field's 8 bytes into `target` at `at` (e.g. the MAC field of the frame being sent).
   */
  computeInto(
    mak: Buffer,
    data: Uint8Array,
    start: number,
    end: number,
    target: Uint8Array,
    at: number,
  ): void {
    cupMacInto(this.keys.get(mak), data, start, end, target, at);
  }

  /** The MAC field's 8 bytes for the covered bytes `data[start, end)`. */
  computeBytes(mak: Buffer, data: Uint8Array, start = 0, end = data.length): Buffer {
    return cupMacField(this.keys.get(mak), data, start, end);
  }

  /**
   * True when `expected` (the MAC field as decoded: 16 hex digits, either case) is the MAC of the covered
   * bytes `data[start, end)`.
   */
  verifyBytes(mak: Buffer, data: Uint8Array, start: number, end: number, expected: string): boolean {
    return cupMacMatches(this.keys.get(mak), data, start, end, expected);
  }
}

/** Keys held for the one-off calls below (weakly: a key buffer dropped is a key forgotten). */
const sharedKeys = new SessionKeyCache();

/**
 * The MAC field value (16 hex digits) of `msg` under `mak`; `msg` is not changed.
 * @throws EncodeError when the message cannot be encoded.
 */
export function computeMac(dialect: Dialect, msg: IsoMessage, mak: Buffer): string {
  return macOf(dialect, sharedKeys.get(mak), msg);
}

/** Sets the MAC field of `msg` to its MAC under `mak` (64, or 128 with a secondary bitmap); returns `msg`. */
export function applyMac(dialect: Dialect, msg: IsoMessage, mak: Buffer): IsoMessage {
  msg.fields[macField(msg)] = computeMac(dialect, msg, mak);
  return msg;
}

/** True when the MAC field of `msg` is its MAC under `mak`; false when absent or the message does not encode. */
export function verifyMac(dialect: Dialect, msg: IsoMessage, mak: Buffer): boolean {
  return macHolds(dialect, sharedKeys.get(mak), msg);
}
