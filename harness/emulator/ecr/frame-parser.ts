import { lrc } from './frame-codec.js';
import { MAX_BODY_BYTES, WIRE } from './wire-codes.js';

/** What the parser recognised in the byte stream, in order of arrival. */
export type ParsedItem =
  | { readonly type: 'frame'; readonly seq: number; readonly payload: Buffer }
  | { readonly type: 'ack'; readonly seq: number }
  | { readonly type: 'nak'; readonly seq: number }
  /** A frame that started with STX and a plausible LEN but whose ETX or LRC is wrong: answer NAK. */
  | { readonly type: 'bad'; readonly seq: number; readonly reason: 'etx' | 'lrc'; readonly bytes: number };

export interface FrameParserOptions {
  /** Largest LEN accepted (SEQ + payload); an STX followed by a larger LEN is treated as noise. */
  readonly maxBodyBytes?: number;
}

/**
 * Incremental parser of the ECR byte stream: feed it chunks as they arrive, it hands back only complete
 * items (data frames, ACK, NAK, bad frames) and skips noise between them, counting the skipped bytes.
 *
 * Resynchronisation: a JSON payload never holds a byte below 0x20, so STX/ETX/ACK/NAK only appear as
 * framing. An STX whose supposed payload holds such a byte was noise (or its LEN was hit): it counts as
 * one noise byte and scanning resumes at the next byte, so a frame right behind it is not lost and the
 * parser never waits for a length that noise made up. On a wrong ETX the LEN was probably hit by noise, so only the STX is dropped and scanning
 * resumes at the next byte; on a wrong LRC the boundaries held, so the whole frame is skipped. An ACK or
 * NAK whose complement byte does not match is one byte of noise.
 */
export class EcrFrameParser {
  private pending: Buffer = Buffer.alloc(0);
  private readonly maxBody: number;
  private checked = 0;
  /** Bytes skipped as noise since construction (including discarded partial frames). */
  noiseBytes = 0;

  constructor(options: FrameParserOptions = {}) {
    this.maxBody = Math.min(options.maxBodyBytes ?? MAX_BODY_BYTES, MAX_BODY_BYTES);
  }

  /** Bytes held while waiting for the rest of a frame or token. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Drops a partial frame (inter-byte timeout); its bytes count as noise. Returns how many were dropped. */
  discardPartial(): number {
    const n = this.pending.length;
    this.noiseBytes += n;
    this.pending = Buffer.alloc(0);
    this.checked = 0;
    return n;
  }

  push(chunk: Uint8Array): ParsedItem[] {
    const buf: Buffer =
      this.pending.length === 0
        ? Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
        : Buffer.concat([this.pending, chunk]);
    const items: ParsedItem[] = [];
    // Payload bytes of a pending candidate frame already checked for control bytes (offset in buf).
    const checked = this.checked;
    this.checked = 0;
    let i = 0;
    const n = buf.length;
    scan: while (i < n) {
      const b = buf[i] as number;
      if (b === WIRE.STX) {
        if (n - i < 3) break scan;
        const body = ((buf[i + 1] as number) << 8) | (buf[i + 2] as number);
        if (body < 1 || body > this.maxBody) {
          this.noiseBytes++;
          i++;
          continue;
        }
        const total = body + 5;
        const etx = i + 3 + body;
        // A byte below 0x20 inside the payload means this STX was noise (or LEN was hit): rescan.
        const from = i === 0 ? Math.max(4, checked) : i + 4;
        const scanEnd = Math.min(n, etx);
        if (firstControlByte(buf, from, scanEnd) >= 0) {
          this.noiseBytes++;
          i++;
          continue;
        }
        if (n - i < total) {
          this.checked = scanEnd - i;
          break scan;
        }
        const seq = buf[i + 3] as number;
        if (buf[etx] !== WIRE.ETX) {
          items.push({ type: 'bad', seq, reason: 'etx', bytes: 1 });
          this.noiseBytes++;
          i++;
          continue;
        }
        if (buf[etx + 1] !== lrc(buf, i + 1, etx + 1)) {
          items.push({ type: 'bad', seq, reason: 'lrc', bytes: total });
          i += total;
          continue;
        }
        items.push({ type: 'frame', seq, payload: Buffer.from(buf.subarray(i + 4, etx)) });
        i += total;
      } else if (b === WIRE.ACK || b === WIRE.NAK) {
        if (n - i < 3) break scan;
        const seq = buf[i + 1] as number;
        if (((seq ^ 0xff) & 0xff) !== buf[i + 2]) {
          this.noiseBytes++;
          i++;
          continue;
        }
        items.push({ type: b === WIRE.ACK ? 'ack' : 'nak', seq });
        i += 3;
      } else {
        this.noiseBytes++;
        i++;
      }
    }
    // Keep the unfinished tail; copy so a caller's chunk buffer can be reused.
    this.pending = i >= n ? Buffer.alloc(0) : Buffer.from(buf.subarray(i));
    return items;
  }
}

function firstControlByte(buf: Buffer, from: number, to: number): number {
  for (let k = from; k < to; k++) if ((buf[k] as number) < 0x20) return k;
  return -1;
}
