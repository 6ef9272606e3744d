/**
 * Incremental parser of the TCP form of ZVT (PA00P015 §2.2: APDUs back to back on the stream, no
 * framing): hands on only complete APDUs, whatever the chunking, and keeps the rest for the next chunk.
 */
import { apduSize, decodeApdu, type Apdu, MAX_APDU_DATA } from './apdu-codec.js';

export class ZvtApduParser {
  private buffer: Buffer = Buffer.alloc(0);

  /** Bytes waiting for the rest of their APDU. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Feeds a chunk; returns the APDUs it completed, in order. */
  push(chunk: Uint8Array): Apdu[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : Buffer.from(chunk);
    const out: Apdu[] = [];
    for (;;) {
      const size = apduSize(this.buffer);
      // The length field bounds size to 5 + MAX_APDU_DATA: a peer cannot make the buffer grow past it.
      if (size === undefined || size > this.buffer.length || size > 5 + MAX_APDU_DATA) break;
      out.push(decodeApdu(this.buffer.subarray(0, size)));
      this.buffer = this.buffer.subarray(size);
    }
    return out;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }
}
