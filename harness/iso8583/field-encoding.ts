/**
 * Writing field values: characters, BCD, raw binary and ASCII hex, each checked character by
 * character in the same loop that writes it. Every refusal is an EncodeError naming the field and
 * the 1-based position of the bad character.
 */
import { EncodeError } from './errors.js';
import type { FieldType } from './dialect-types.js';
import type { Writer } from './codec-cursor.js';
import {
  ALLOWED,
  ALLOWED_RE,
  HEX_DIGITS,
  NIBBLE_N,
  NIBBLE_Z,
  TYPE_WORD,
  describe,
  hexNibble,
} from './char-classes.js';

/**
 * Writes `s` one byte a character after checking every character against `type` (`allowed` is that
 * type's table, passed in by callers that hold it).
 */
export function writeChars(
  w: Writer,
  s: string,
  type: FieldType,
  field: number,
  allowed: Uint8Array = ALLOWED[type],
): void {
  const buf = w.buf;
  if (s.length > 32 && ALLOWED_RE[type].test(s)) {
    // Long text (CUP field 59, 63): one compiled pattern, one native write.
    w.pos += buf.write(s, w.pos, s.length, 'latin1');
    return;
  }
  let pos = w.pos;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255 || allowed[c] === 0)
      throw new EncodeError(
        field,
        `character ${describe(c)} at position ${i + 1} is not allowed (${TYPE_WORD[type]})`,
      );
    buf[pos++] = c;
  }
  w.pos = pos;
}

function bcdNibble(c: number, track: boolean): number {
  // '=' (track separator) is nibble D in BCD tracks.
  return c > 255 ? -1 : (track ? NIBBLE_Z : NIBBLE_N)[c]!;
}

/**
 * Packs `s` (digits; for tracks also '=' and A–F) two to a byte. An odd count gets the pad nibble after
 * the digits (`left`) or before them.
 */
export function writeBcd(
  w: Writer,
  s: string,
  left: boolean,
  pad: number,
  track: boolean,
  field: number,
): void {
  const buf = w.buf;
  let pos = w.pos;
  const n = s.length;
  let i = 0;
  if (n & 1 && !left) {
    const lo = bcdNibble(s.charCodeAt(0), track);
    if (lo < 0)
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(0))} at position 1 is not allowed (${TYPE_WORD[track ? 'z' : 'n']})`,
      );
    buf[pos++] = (pad << 4) | lo;
    i = 1;
  }
  const table = track ? NIBBLE_Z : NIBBLE_N;
  for (; i + 1 < n; i += 2) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const hi = a < 256 ? table[a]! : -1;
    const lo = b < 256 ? table[b]! : -1;
    if ((hi | lo) < 0) {
      const at = hi < 0 ? i : i + 1;
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(at))} at position ${at + 1} is not allowed (${TYPE_WORD[track ? 'z' : 'n']})`,
      );
    }
    buf[pos++] = (hi << 4) | lo;
  }
  if (i < n) {
    const hi = bcdNibble(s.charCodeAt(i), track);
    if (hi < 0)
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(i))} at position ${i + 1} is not allowed (${TYPE_WORD[track ? 'z' : 'n']})`,
      );
    buf[pos++] = (hi << 4) | pad;
  }
  w.pos = pos;
}

/** Writes a hex string as raw bytes. */
export function writeHexBinary(w: Writer, s: string, field: number): void {
  const buf = w.buf;
  let pos = w.pos;
  if (s.length > 32) {
    // Long values (field 55): one native conversion; it stops at the first bad pair, found below.
    const n = buf.write(s, pos, 'hex');
    if (n === s.length >> 1 && (s.length & 1) === 0) {
      w.pos = pos + n;
      return;
    }
  }
  for (let i = 0; i < s.length; i += 2) {
    const hi = hexNibble(s.charCodeAt(i));
    const lo = hexNibble(s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? i : i + 1;
      throw new EncodeError(
        field,
        `character ${describe(s.charCodeAt(at))} at position ${at + 1} is not a hex digit`,
      );
    }
    buf[pos++] = (hi << 4) | lo;
  }
  w.pos = pos;
}

/** Writes a hex string as upper-case ASCII hex digits. */
export function writeHexAscii(w: Writer, s: string, field: number): void {
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = hexNibble(c);
    if (v < 0)
      throw new EncodeError(field, `character ${describe(c)} at position ${i + 1} is not a hex digit`);
    buf[pos++] = HEX_DIGITS.charCodeAt(v);
  }
  w.pos = pos;
}
