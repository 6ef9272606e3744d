/**
 * The cursors the field and message codecs share: a growing output buffer (`Writer`) and an input
 * window (`Reader`), plus the one bounds check every read goes through.
 */
import { DecodeError } from './errors.js';

/** Output cursor over a scratch buffer that grows on demand. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 64);
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A fresh copy of what was written from `start`. */
  take(start = 0): Buffer {
    const out = Buffer.allocUnsafe(this.pos - start);
    this.buf.copy(out, 0, start, this.pos);
    return out;
  }
}

/** Input cursor; `pos` is absolute in `buf`, `end` is where the readable part stops. */
export interface Reader {
  buf: Buffer;
  pos: number;
  end: number;
}

/** Throws when fewer than `n` bytes are left. */
export function need(r: Reader, n: number, field: number | undefined): void {
  if (r.pos + n > r.end)
    throw new DecodeError(
      field,
      r.pos,
      `truncated: needs ${n} byte${n === 1 ? '' : 's'}, ${r.end - r.pos} left`,
    );
}
