/**
 * The serial transport of ZVT (PA00P015 §2.1): a frame is DLE STX, the APDU with every DLE byte doubled,
 * DLE ETX, then the CRC (two bytes, low byte first); the receiver answers one byte, ACK (06) or NAK (15).
 * The CRC is the CCITT CRC-16 (polynomial x^16 + x^12 + x^5 + 1) over the APDU's bytes (undoubled) and
 * the ETX, computed bit-reversed (0x8408) from 0x0000, as the spec defines it.
 */
import { SERIAL } from './wire-codes.js';
import { apduSize, decodeApdu, type Apdu, MAX_APDU_DATA } from './apdu-codec.js';
import { ZvtDecodeError, type ZvtError } from './errors.js';

const { DLE, STX, ETX, ACK, NAK } = SERIAL;

const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-16 of the serial frame over `bytes` (pass the APDU followed by ETX). */
export function zvtCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ b) & 0xff] as number);
  return crc;
}

/** One serial frame around an APDU. */
export function encodeSerialFrame(apdu: Uint8Array): Buffer {
  const body: number[] = [];
  for (const b of apdu) {
    body.push(b);
    if (b === DLE) body.push(DLE);
  }
  const crc = zvtCrc(Buffer.concat([apdu, Buffer.from([ETX])]));
  return Buffer.from([DLE, STX, ...body, DLE, ETX, crc & 0xff, crc >> 8]);
}

/** What the serial parser hands on. */
export type SerialItem =
  | { kind: 'frame'; apdu: Apdu; raw: Buffer }
  | { kind: 'ack' }
  | { kind: 'nak' }
  /** A frame that arrived but cannot be used (CRC mismatch, not an APDU): answer NAK. */
  | { kind: 'bad'; error: ZvtError };

/** Longest frame body accepted (every byte doubled); a longer run is dropped as garbage. */
const MAX_BODY = 2 * (5 + MAX_APDU_DATA);

type State = 'idle' | 'dle' | 'body' | 'bodyDle' | 'crc';

/**
 * Incremental parser of the serial transport: hands on complete frames (CRC checked), single ACK/NAK
 * bytes between frames, and `bad` for a frame whose CRC or APDU is wrong. Bytes outside a frame that are
 * neither ACK nor NAK are skipped.
 */
export class ZvtSerialParser {
  private state: State = 'idle';
  private body: number[] = [];
  private crc: number[] = [];

  push(chunk: Uint8Array): SerialItem[] {
    const out: SerialItem[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'idle':
          if (b === DLE) this.state = 'dle';
          else if (b === ACK) out.push({ kind: 'ack' });
          else if (b === NAK) out.push({ kind: 'nak' });
          break;
        case 'dle':
          if (b === STX) {
            this.state = 'body';
            this.body = [];
          } else this.state = b === DLE ? 'dle' : 'idle';
          break;
        case 'body':
          if (b === DLE) this.state = 'bodyDle';
          else this.append(b);
          break;
        case 'bodyDle':
          if (b === DLE) {
            this.append(DLE);
            this.state = 'body';
          } else if (b === ETX) {
            this.state = 'crc';
            this.crc = [];
          } else if (b === STX) {
            // A new frame starts before the old one ended: the old one is lost.
            out.push(this.bad(0, 'frame interrupted by DLE STX'));
            this.body = [];
            this.state = 'body';
          } else {
            out.push(this.bad(this.body.length, `DLE followed by 0x${b.toString(16)} inside a frame`));
            this.state = 'idle';
          }
          break;
        case 'crc':
          this.crc.push(b);
          if (this.crc.length === 2) {
            out.push(this.finish());
            this.state = 'idle';
          }
          break;
      }
      if (this.state === 'body' && this.body.length > MAX_BODY) {
        out.push(this.bad(this.body.length, `frame longer than ${MAX_BODY} bytes`));
        this.state = 'idle';
        this.body = [];
      }
    }
    return out;
  }

  private append(b: number): void {
    this.body.push(b);
  }

  private finish(): SerialItem {
    const apdu = Buffer.from(this.body);
    this.body = [];
    const got = (this.crc[0] as number) | ((this.crc[1] as number) << 8);
    const want = zvtCrc(Buffer.concat([apdu, Buffer.from([ETX])]));
    if (got !== want)
      return this.bad(
        apdu.length,
        `CRC 0x${got.toString(16).padStart(4, '0')} does not match 0x${want.toString(16).padStart(4, '0')}`,
        'E_ZVT_CRC',
      );
    const size = apduSize(apdu);
    if (size === undefined || size !== apdu.length) {
      try {
        decodeApdu(apdu);
      } catch (e) {
        return { kind: 'bad', error: e as ZvtDecodeError };
      }
    }
    return { kind: 'frame', apdu: decodeApdu(apdu), raw: apdu };
  }

  private bad(offset: number, detail: string, code = 'E_ZVT_FRAME'): SerialItem {
    return { kind: 'bad', error: new ZvtDecodeError(code, 'serial frame', offset, detail) };
  }

  reset(): void {
    this.state = 'idle';
    this.body = [];
    this.crc = [];
  }
}

/** The single-byte transport answers. */
export const SERIAL_ACK = Buffer.from([ACK]);
export const SERIAL_NAK = Buffer.from([NAK]);
