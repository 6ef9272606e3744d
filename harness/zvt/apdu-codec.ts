/**
 * ZVT APDUs (PA00P015 chapter 2 "APDU"): CLASS (1 byte), INSTR (1 byte), length (1 byte, or FF then two
 * bytes low byte first for 255 bytes and more), data.
 */
import { COMMAND_NAMES } from './wire-codes.js';
import { ZvtDecodeError, ZvtEncodeError } from './errors.js';

/** One APDU. `command` is `cls << 8 | ins`. */
export interface Apdu {
  cls: number;
  ins: number;
  data: Buffer;
}

/** Longest APDU data the extended length form carries. */
export const MAX_APDU_DATA = 0xffff;

/** `06 01` style name of an APDU (with its command name when payhil knows it). */
export function apduLabel(a: { cls: number; ins: number }): string {
  const code = `${hex(a.cls)} ${hex(a.ins)}`;
  const name = COMMAND_NAMES[(a.cls << 8) | a.ins];
  return name ? `${code} (${name})` : code;
}

export function commandOf(a: { cls: number; ins: number }): number {
  return (a.cls << 8) | a.ins;
}

/** Encodes an APDU; the length is extended (FF lo hi) from 255 bytes of data on. */
export function encodeApdu(cls: number, ins: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const n = data.length;
  if (n > MAX_APDU_DATA) throw new ZvtEncodeError(`APDU data of ${n} bytes is over ${MAX_APDU_DATA}`);
  const len = n < 0xff ? Buffer.from([n]) : Buffer.from([0xff, n & 0xff, n >> 8]);
  return Buffer.concat([Buffer.from([cls, ins]), len, data]);
}

/**
 * The size of the APDU starting at `b[0]`: header + data; undefined while the header is incomplete.
 * The APDU itself may still be incomplete (`size > b.length`).
 */
export function apduSize(b: Uint8Array): number | undefined {
  if (b.length < 3) return undefined;
  const l = b[2] as number;
  if (l !== 0xff) return 3 + l;
  if (b.length < 5) return undefined;
  return 5 + ((b[3] as number) | ((b[4] as number) << 8));
}

/** Decodes exactly one APDU filling `b`. */
export function decodeApdu(b: Uint8Array): Apdu {
  const size = apduSize(b);
  if (size === undefined) throw new ZvtDecodeError('E_ZVT_APDU', 'APDU', b.length, 'header truncated');
  const head = b[2] === 0xff ? 5 : 3;
  const label = `APDU ${apduLabel({ cls: b[0] as number, ins: b[1] as number })}`;
  if (size !== b.length)
    throw new ZvtDecodeError(
      'E_ZVT_APDU',
      label,
      2,
      `length field says ${size - head} data bytes, ${b.length - head} present`,
    );
  return { cls: b[0] as number, ins: b[1] as number, data: Buffer.from(b.subarray(head)) };
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
