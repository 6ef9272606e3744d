/**
 * Incremental framing of a TCP byte stream: feed it chunks as they arrive, get back only complete
 * frames (length prefix included, ready for `decodeFrame`), whatever the split — a frame over several
 * chunks, several frames in one chunk, a prefix cut in half.
 *
 * Frames are views into the parser's buffers (no copy); the parser never writes over bytes it has
 * handed on. A frame over `maxFrameBytes` (default 64 KiB) is refused as soon as its prefix is read:
 * the parser throws a DecodeError and drops what it held, since the stream is out of step from there
 * on and the connection should be closed.
 */
import { DecodeError, DialectError } from './errors.js';
import { DEFAULT_MAX_FRAME_BYTES, frameLengthAt } from './message-codec.js';
import type { Dialect } from './dialect-types.js';

export interface FrameParserOptions {
  /** Largest frame accepted, prefix included. Default 64 KiB. */
  maxFrameBytes?: number;
}

const EMPTY = Buffer.alloc(0);

export class FrameParser {
  readonly dialect: Dialect;
  readonly maxFrameBytes: number;
  private buf: Buffer = EMPTY;
  private off = 0;
  private len = 0;
  /** Whether `buf` is ours (allocated here) and may be appended to past `off + len`. */
  private owned = false;
  /** Bytes of the stream consumed so far (for error offsets). */
  private consumed = 0;

  constructor(dialect: Dialect, options: FrameParserOptions = {}) {
    if (dialect.framing.length === 'none')
      throw new DialectError(
        dialect.name,
        'has no length prefix, so a byte stream cannot be split into frames',
      );
    this.dialect = dialect;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** Bytes held that do not yet make a complete frame. */
  get buffered(): number {
    return this.len;
  }

  /** Drops whatever is held (after a connection reset). */
  reset(): void {
    this.buf = EMPTY;
    this.off = 0;
    this.len = 0;
    this.owned = false;
  }

  /**
   * Adds a chunk and returns the frames it completed, in order (often none).
   * @throws DecodeError for a frame over the limit or an unreadable length prefix.
   */
  push(chunk: Uint8Array): Buffer[] {
    const data = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.append(data);
    const frames: Buffer[] = [];
    const d = this.dialect;
    while (this.len > 0) {
      let total: number | undefined;
      try {
        total = frameLengthAt(d, this.buf, this.off, this.len);
      } catch (e) {
        const offset = this.consumed + (e instanceof DecodeError ? e.offset : 0);
        this.reset();
        throw new DecodeError(undefined, offset, e instanceof DecodeError ? e.reason : String(e));
      }
      if (total === undefined) break;
      if (total > this.maxFrameBytes) {
        const offset = this.consumed;
        this.reset();
        throw new DecodeError(
          undefined,
          offset,
          `frame of ${total} bytes exceeds the maximum of ${this.maxFrameBytes}`,
        );
      }
      if (total > this.len) break;
      frames.push(this.buf.subarray(this.off, this.off + total));
      this.off += total;
      this.len -= total;
      this.consumed += total;
    }
    if (this.len === 0) this.reset();
    return frames;
  }

  private append(data: Buffer): void {
    if (data.length === 0) return;
    if (this.len === 0) {
      this.buf = data;
      this.off = 0;
      this.len = data.length;
      this.owned = false;
      return;
    }
    const end = this.off + this.len;
    if (this.owned && end + data.length <= this.buf.length) {
      data.copy(this.buf, end);
      this.len += data.length;
      return;
    }
    const need = this.len + data.length;
    const next = Buffer.allocUnsafe(
      Math.max(need, Math.min(2 * need, this.maxFrameBytes + data.length), 1024),
    );
    this.buf.copy(next, 0, this.off, end);
    data.copy(next, this.len);
    this.buf = next;
    this.off = 0;
    this.len = need;
    this.owned = true;
  }
}
