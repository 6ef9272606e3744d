/**
 * Line framing for driver writers: bytes in, complete lines out. A line ends at LF (a CR before it is
 * dropped: CRLF works too); the bytes of a line not yet ended wait for the next chunk, so a line split at
 * any byte comes out whole. A line longer than `maxLineBytes` is never buffered whole: its bytes are
 * dropped up to its LF and it comes out as an `overlong` item (memory stays bounded whatever the peer
 * sends). Lines are decoded as UTF-8.
 */

/** One item of the stream: a line (without its end), or a line that was too long (only its size kept). */
export type LineItem =
  { kind: 'line'; text: string; lineNo: number } | { kind: 'overlong'; bytes: number; lineNo: number };

/** Default longest line: 64 KiB. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export class LineFramer {
  private parts: Buffer[] = [];
  private size = 0;
  /** Bytes of the current line dropped because it went over the limit (0 while within it). */
  private dropped = 0;
  private lineNo = 0;

  constructor(readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES) {}

  /** Feeds a chunk; returns the lines it completed, in order. */
  push(chunk: Buffer): LineItem[] {
    const out: LineItem[] = [];
    let from = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, from);
      const piece = chunk.subarray(from, lf === -1 ? chunk.length : lf);
      this.take(piece);
      if (lf === -1) return out;
      out.push(this.finish());
      from = lf + 1;
    }
  }

  /** True when bytes of an unended line wait (a peer that closed mid-line sent a partial line). */
  get pending(): boolean {
    return this.size > 0 || this.dropped > 0;
  }

  private take(piece: Buffer): void {
    if (!piece.length) return;
    if (this.dropped || this.size + piece.length > this.maxLineBytes) {
      this.dropped += this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private finish(): LineItem {
    const lineNo = ++this.lineNo;
    if (this.dropped) {
      const bytes = this.dropped;
      this.dropped = 0;
      return { kind: 'overlong', bytes, lineNo };
    }
    let text = Buffer.concat(this.parts, this.size).toString('utf8');
    this.parts = [];
    this.size = 0;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { kind: 'line', text, lineNo };
  }
}
