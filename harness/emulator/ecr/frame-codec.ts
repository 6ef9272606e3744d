import { EcrFrameError } from './errors.js';
import { FRAME_OVERHEAD, MAX_PAYLOAD_BYTES, WIRE } from './wire-codes.js';

/** XOR of `bytes[start..end)`: the LRC covers LEN through ETX. */
export function lrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= bytes[i] as number;
  return x;
}

/**
 * Builds a data frame: STX | LEN | SEQ | payload | ETX | LRC. `seq` is 0–255; the payload must hold no
 * byte below 0x20 (compact JSON never does), which is what lets a receiver resynchronise after noise.
 */
export function encodeFrame(seq: number, payload: Uint8Array): Buffer {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xff) {
    throw new EcrFrameError('sequence', 3, `sequence number ${seq} is not 0-255`, 'usage');
  }
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new EcrFrameError(
      'too-large',
      1,
      `payload of ${payload.length} bytes > ${MAX_PAYLOAD_BYTES}`,
      'usage',
    );
  }
  for (let i = 0; i < payload.length; i++) {
    if ((payload[i] as number) < 0x20) {
      throw new EcrFrameError(
        'payload',
        4 + i,
        `payload byte ${i} is a control byte (< 0x20); send compact JSON`,
        'usage',
      );
    }
  }
  const frame = Buffer.allocUnsafe(payload.length + FRAME_OVERHEAD);
  const body = payload.length + 1;
  frame[0] = WIRE.STX;
  frame[1] = body >> 8;
  frame[2] = body & 0xff;
  frame[3] = seq;
  frame.set(payload, 4);
  const etx = 4 + payload.length;
  frame[etx] = WIRE.ETX;
  frame[etx + 1] = lrc(frame, 1, etx + 1);
  return frame;
}

/** `06 SEQ ~SEQ`. */
export function encodeAck(seq: number): Buffer {
  return Buffer.from([WIRE.ACK, seq & 0xff, ~seq & 0xff]);
}

/** `15 SEQ ~SEQ`. */
export function encodeNak(seq: number): Buffer {
  return Buffer.from([WIRE.NAK, seq & 0xff, ~seq & 0xff]);
}

/** A whole frame taken apart. */
export interface DecodedFrame {
  readonly seq: number;
  readonly payload: Buffer;
}

/**
 * Decodes exactly one complete data frame (no noise, nothing after it). For a byte stream use
 * `EcrFrameParser`. Throws `EcrFrameError` naming the reason and offset.
 */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  if (frame.length < FRAME_OVERHEAD) {
    throw new EcrFrameError(
      'truncated',
      frame.length,
      `${frame.length} bytes, a frame has at least ${FRAME_OVERHEAD}`,
    );
  }
  if (frame[0] !== WIRE.STX) throw new EcrFrameError('stx', 0, `expected STX 02, got ${hexByte(frame[0])}`);
  const body = ((frame[1] as number) << 8) | (frame[2] as number);
  if (body < 1) throw new EcrFrameError('length', 1, 'LEN is 0 (the sequence byte is missing)');
  const total = body + 5;
  if (frame.length < total)
    throw new EcrFrameError('truncated', frame.length, `LEN says ${total} bytes in all`);
  if (frame.length > total)
    throw new EcrFrameError('trailing', total, `${frame.length - total} byte(s) after LRC`);
  const etx = 3 + body;
  if (frame[etx] !== WIRE.ETX)
    throw new EcrFrameError('etx', etx, `expected ETX 03, got ${hexByte(frame[etx])}`);
  const want = lrc(frame, 1, etx + 1);
  if (frame[etx + 1] !== want) {
    throw new EcrFrameError('lrc', etx + 1, `LRC ${hexByte(frame[etx + 1])}, computed ${hexByte(want)}`);
  }
  return { seq: frame[3] as number, payload: Buffer.from(frame.subarray(4, etx)) };
}

function hexByte(b: number | undefined): string {
  return b === undefined ? '--' : b.toString(16).toUpperCase().padStart(2, '0');
}
