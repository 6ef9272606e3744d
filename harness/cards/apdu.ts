/**
 * ISO/IEC 7816-4 command and response APDUs: the four cases of short (and extended) commands, and the
 * status words the virtual cards answer with.
 */
import { ApduFormatError } from './errors.js';

/** Status words used by the virtual cards (ISO 7816-4 §5.1.3, EMV Book 1 §11, Book 3 §6.3.5). */
export const SW = {
  OK: 0x9000,
  /** 61xx: xx more bytes available with GET RESPONSE (T=0 transport). */
  BYTES_AVAILABLE: 0x6100,
  /** 6283: selected file (application) invalidated: application blocked. */
  SELECTED_FILE_INVALIDATED: 0x6283,
  /** 63Cx: verification failed, x tries left. */
  VERIFY_FAILED: 0x63c0,
  WRONG_LENGTH: 0x6700,
  /** 6983: authentication method blocked (PIN try counter at zero). */
  AUTH_METHOD_BLOCKED: 0x6983,
  /** 6984: referenced data invalidated (e.g. plaintext PIN block malformed). */
  REFERENCED_DATA_INVALIDATED: 0x6984,
  /** 6985: conditions of use not satisfied (command out of sequence). */
  CONDITIONS_NOT_SATISFIED: 0x6985,
  /** 6A81: function not supported (card blocked). */
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  /** 6A82: file or application not found. */
  FILE_NOT_FOUND: 0x6a82,
  /** 6A83: record not found. */
  RECORD_NOT_FOUND: 0x6a83,
  WRONG_P1P2: 0x6a86,
  /** 6A88: referenced data (GET DATA tag) not found. */
  DATA_NOT_FOUND: 0x6a88,
  /** 6Cxx: wrong Le, xx is the exact length (T=0 transport). */
  WRONG_LE: 0x6c00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  /** 6F00: no precise diagnosis. */
  UNKNOWN: 0x6f00,
} as const;

/** One command APDU, split. `le` is undefined when absent; 0 in a short APDU means 256. */
export interface CommandApdu {
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  readonly data: Buffer;
  readonly le: number | undefined;
  /** ISO 7816-3 case: 1 no data, no Le; 2 Le only; 3 data only; 4 data and Le. */
  readonly case: 1 | 2 | 3 | 4;
  readonly extended: boolean;
}

/**
 * Splits a command APDU (ISO 7816-4 §5.1). Short: Lc and Le on one byte (Le 00 = 256). Extended: a 00 byte
 * then two-byte Lc/Le (Le 0000 = 65536).
 */
export function parseCommandApdu(apdu: Uint8Array): CommandApdu {
  const b = Buffer.from(apdu.buffer, apdu.byteOffset, apdu.byteLength);
  if (b.length < 4) throw new ApduFormatError(`APDU of ${b.length} bytes: a header needs 4`);
  const [cla, ins, p1, p2] = [b[0] as number, b[1] as number, b[2] as number, b[3] as number];
  const head = { cla, ins, p1, p2 };
  if (b.length === 4) return { ...head, data: Buffer.alloc(0), le: undefined, case: 1, extended: false };
  const b5 = b[4] as number;
  if (b.length === 5)
    return { ...head, data: Buffer.alloc(0), le: b5 === 0 ? 256 : b5, case: 2, extended: false };
  if (b5 !== 0 || b.length === 6) {
    // Short case 3 or 4 (a 6-byte APDU with b5 = 0 is short case 3 with Lc 0: malformed).
    if (b5 === 0) throw new ApduFormatError('short Lc of 0');
    const data = b.subarray(5, 5 + b5);
    if (b.length === 5 + b5) return { ...head, data, le: undefined, case: 3, extended: false };
    if (b.length === 6 + b5) {
      const le = b[5 + b5] as number;
      return { ...head, data, le: le === 0 ? 256 : le, case: 4, extended: false };
    }
    throw new ApduFormatError(`Lc ${b5} does not match the ${b.length - 5} bytes after the header`);
  }
  // Extended: 00 then two length bytes.
  if (b.length === 7) {
    const le = b.readUInt16BE(5);
    return { ...head, data: Buffer.alloc(0), le: le === 0 ? 65536 : le, case: 2, extended: true };
  }
  const lc = b.readUInt16BE(5);
  if (lc === 0) throw new ApduFormatError('extended Lc of 0');
  const data = b.subarray(7, 7 + lc);
  if (b.length === 7 + lc) return { ...head, data, le: undefined, case: 3, extended: true };
  if (b.length === 9 + lc) {
    const le = b.readUInt16BE(7 + lc);
    return { ...head, data, le: le === 0 ? 65536 : le, case: 4, extended: true };
  }
  throw new ApduFormatError(`extended Lc ${lc} does not match the ${b.length - 7} bytes after it`);
}

/** A response APDU: data then SW1 SW2. */
export function responseApdu(data: Uint8Array | undefined, sw: number): Buffer {
  const out = Buffer.alloc((data?.length ?? 0) + 2);
  if (data) out.set(data, 0);
  out.writeUInt16BE(sw & 0xffff, out.length - 2);
  return out;
}

/** The status word at the end of a response APDU (NaN-free: throws on fewer than 2 bytes). */
export function statusWord(response: Uint8Array): number {
  if (response.length < 2)
    throw new ApduFormatError(`response of ${response.length} bytes has no status word`);
  return ((response[response.length - 2] as number) << 8) | (response[response.length - 1] as number);
}

/** Response data without the status word. */
export function responseData(response: Uint8Array): Buffer {
  return Buffer.from(response.subarray(0, Math.max(0, response.length - 2)));
}

/** Le of a short command that takes whatever the card has (written 00: up to 256 bytes). */
export const LE_ANY = 256;

/** Builds a command APDU; `le` 256 is written as 00 (short form only). */
export function commandApdu(
  cla: number,
  ins: number,
  p1: number,
  p2: number,
  data?: Uint8Array,
  le?: number,
): Buffer {
  const parts: number[] = [cla, ins, p1, p2];
  if (data && data.length > 0) {
    if (data.length > 255)
      throw new ApduFormatError('commandApdu builds short APDUs only (data <= 255 bytes)');
    parts.push(data.length, ...data);
  }
  if (le !== undefined) parts.push(le === 256 ? 0 : le);
  return Buffer.from(parts);
}

/** Four-hex-digit form of a status word, e.g. 0x6a82 → "6A82". */
export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** At most this many GET RESPONSE / 6Cxx rounds per exchange. */
const MAX_CHAINED = 32;

/**
 * Follows 61xx and 6Cxx (ISO 7816-4 §5.3.4, EMV Book 1 §9.3.1) around a raw transmit function, as a terminal
 * talking to a T=0 card must: 61xx → GET RESPONSE with Le xx (data concatenated), 6Cxx → the same command
 * again with Le xx. At most 32 rounds.
 */
export async function exchangeWithGetResponse(
  raw: (apdu: Buffer) => Promise<Buffer>,
  apdu: Uint8Array,
): Promise<Buffer> {
  let command = Buffer.from(apdu);
  let r = await raw(command);
  const collected: Buffer[] = [];
  for (let i = 0; i < MAX_CHAINED && r.length >= 2; i++) {
    const sw1 = r[r.length - 2] as number;
    const sw2 = r[r.length - 1] as number;
    if (sw1 === 0x6c) {
      // Wrong Le: resend with Le = SW2 (replaces the Le byte; a case 1 header gets one).
      const base = command.length === 4 ? command : command.subarray(0, command.length - 1);
      command = Buffer.concat([base, Buffer.from([sw2])]);
      r = await raw(command);
      continue;
    }
    if (sw1 !== 0x61) break;
    collected.push(r.subarray(0, r.length - 2));
    r = await raw(Buffer.from([(command[0] as number) & 0x03, 0xc0, 0x00, 0x00, sw2]));
  }
  return collected.length ? Buffer.concat([...collected, r]) : r;
}
