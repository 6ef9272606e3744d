/**
 * Splits a byte stream into the text lines of the multiplexer's line protocol (docs/mux-robot.md): each
 * line ends with LF, a CR before it is dropped. Memory is bounded: a line longer than `maxLine` bytes is
 * reported once as `overlong` and its bytes are discarded up to the next LF; a line with bytes outside
 * printable ASCII (0x20-0x7E, TAB) is reported as `garbage`. Bytes of a line split over several reads are
 * kept until its LF arrives.
 */
export type LineItem =
  { kind: 'line'; text: string } | { kind: 'overlong'; bytes: number } | { kind: 'garbage'; bytes: number };

/** Longest line of the protocol (bytes, without the LF). */
export const MAX_LINE = 256;

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private held = 0;
  /** Bytes discarded of the current overlong line (0: not discarding). */
  private dropping = 0;

  constructor(private readonly maxLine = MAX_LINE) {}

  /** Feeds bytes; returns the complete items they finish. */
  push(chunk: Buffer): LineItem[] {
    const out: LineItem[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf;
      const piece = chunk.subarray(start, end);
      if (this.dropping > 0) this.dropping += piece.length;
      else if (this.held + piece.length > this.maxLine + 1) {
        // (+1: a CR may precede the LF.) Report once, then drop up to the LF.
        this.dropping = this.held + piece.length;
        this.parts = [];
        this.held = 0;
      } else if (piece.length > 0) {
        this.parts.push(Buffer.from(piece));
        this.held += piece.length;
      }
      if (lf === -1) break;
      out.push(this.finish());
      start = lf + 1;
    }
    return out;
  }

  /** Bytes held of an unfinished line. */
  get pending(): number {
    return this.held;
  }

  private finish(): LineItem {
    if (this.dropping > 0) {
      const bytes = this.dropping;
      this.dropping = 0;
      return { kind: 'overlong', bytes };
    }
    let line = Buffer.concat(this.parts, this.held);
    this.parts = [];
    this.held = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1);
    if (line.length > this.maxLine) return { kind: 'overlong', bytes: line.length };
    for (const b of line)
      if (b !== 0x09 && (b < 0x20 || b > 0x7e)) return { kind: 'garbage', bytes: line.length };
    return { kind: 'line', text: line.toString('latin1') };
  }
}
