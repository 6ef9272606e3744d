/**
 * Character classes and lookup tables of the ISO 8583 field types (n, an, ans, z, b): what each type
 * allows, BCD nibbles, hex digits, and the wording the codec's errors use for them.
 */
import type { FieldType } from './dialect-types.js';

/** Upper-case two-digit hex of every byte. */
export const HEX_PAIRS: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).toUpperCase().padStart(2, '0'),
);
export const HEX_DIGITS = '0123456789ABCDEF';

/** Value of an ASCII hex digit (either case), or -1. */
export function hexNibble(c: number): number {
  return c > 255 ? -1 : HEX_VALUE[c]!;
}
export const HEX_VALUE = Int8Array.from({ length: 256 }, (_, c) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1,
);

/** Character class test per type (for ASCII-encoded characters and for validation). */
function charOk(type: FieldType, c: number): boolean {
  switch (type) {
    case 'n':
      return c >= 48 && c <= 57;
    case 'an':
      // Printable ASCII: real terminals pad an fields with spaces and punctuation.
      return c >= 0x20 && c <= 0x7e;
    case 'ans':
      // Printable ASCII plus the high half (GBK text in CUP fields 48/63), one byte a character.
      return (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
    case 'z':
      // Track 2/3 characters: digits, separator '=' (or 'D' as BCD writes it), hex for encrypted tracks.
      return (c >= 48 && c <= 57) || c === 61 || (c >= 65 && c <= 70);
    case 'b':
      return hexNibble(c) >= 0;
  }
}

/** charOk as 256-entry tables (1 = allowed), one per type, for the per-character loops. */
export const ALLOWED: Record<FieldType, Uint8Array> = {
  n: table('n'),
  an: table('an'),
  ans: table('ans'),
  z: table('z'),
  b: table('b'),
};
function table(type: FieldType): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, c) => (charOk(type, c) ? 1 : 0));
}

/** BCD nibble of a character (digits; for tracks also '=' → D and A–F), -1 if none; index by char code < 256. */
export const NIBBLE_N = Int8Array.from({ length: 256 }, (_, c) => (c >= 48 && c <= 57 ? c - 48 : -1));
export const NIBBLE_Z = Int8Array.from({ length: 256 }, (_, c) =>
  c >= 48 && c <= 57 ? c - 48 : c === 61 ? 13 : c >= 65 && c <= 70 ? c - 55 : -1,
);

export function describe(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${HEX_PAIRS[c & 0xff] ?? '??'}`;
}

export const TYPE_WORD: Record<FieldType, string> = {
  n: 'digits',
  an: 'printable ASCII',
  ans: 'printable characters',
  z: 'track characters (0-9, =, A-F)',
  b: 'hex digits',
};

/** The character classes of ALLOWED as whole-string patterns, for long values. */
export const ALLOWED_RE: Record<FieldType, RegExp> = {
  n: /^[0-9]*$/,
  an: /^[\x20-\x7e]*$/,
  ans: /^[\x20-\x7e\x80-\xff]*$/,
  z: /^[0-9=A-F]*$/,
  b: /^[0-9A-Fa-f]*$/,
};

/** ASCII codes of the upper-case hex digits. */
export const HEX_CODES = Uint8Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));
/** 1 where both nibbles of a byte are decimal digits. */
export const BCD_OK = Uint8Array.from({ length: 256 }, (_, b) => (b >> 4 <= 9 && (b & 15) <= 9 ? 1 : 0));
