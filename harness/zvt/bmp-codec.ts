/**
 * BMP fields of a ZVT APDU (PA00P015 chapter 9 "Bitmaps"): a one-byte BMP number, then the value in the
 * BMP's format: fixed length (binary or BCD), LLVAR (F0–F9 F0–F9 length prefix), LLLVAR (three Fx bytes),
 * or the TLV container 06 (BER length). Encoder and decoder share the table `BMPS`.
 */
import { BMPS, type BmpFormat } from './wire-codes.js';
import { ZvtDecodeError, ZvtEncodeError } from './errors.js';
import { decodeBerLength, decodeTlvList, encodeBerLength, encodeTlvList, type Tlv } from './tlv-codec.js';

/** One BMP as read from (or to be written to) an APDU. */
export interface Bmp {
  /** BMP number, e.g. 0x04 (amount). */
  id: number;
  /** The raw value (for BMP 06: the TLV list's bytes, without its length). */
  value: Buffer;
  /** BMP 06 only: the decoded TLV list. */
  tlv?: Tlv[];
}

/** A BMP's label for messages: "BMP 04 (amount)". */
export function bmpLabel(id: number): string {
  const name = BMPS[id]?.name;
  return `BMP ${id.toString(16).toUpperCase().padStart(2, '0')}${name ? ` (${name})` : ''}`;
}

/** The value prefixed for its format (LLVAR, LLLVAR, TLV length); checks a fixed length. */
function encodeValue(id: number, format: BmpFormat, value: Buffer): Buffer {
  switch (format.kind) {
    case 'fixed':
      if (value.length !== format.length)
        throw new ZvtEncodeError(`${bmpLabel(id)} is ${format.length} bytes, got ${value.length}`);
      return value;
    case 'llvar':
    case 'lllvar': {
      const digits = format.kind === 'llvar' ? 2 : 3;
      if (value.length >= 10 ** digits)
        throw new ZvtEncodeError(
          `${bmpLabel(id)} holds at most ${10 ** digits - 1} bytes, got ${value.length}`,
        );
      const prefix = String(value.length)
        .padStart(digits, '0')
        .split('')
        .map((d) => 0xf0 | Number(d));
      return Buffer.concat([Buffer.from(prefix), value]);
    }
    case 'tlv':
      return Buffer.concat([encodeBerLength(value.length), value]);
  }
}

/** Encodes BMPs in the order given. A BMP 06 may be given as a TLV list. */
export function encodeBmps(bmps: readonly (Bmp | { id: 0x06; tlv: Tlv[] })[]): Buffer {
  return Buffer.concat(
    bmps.map((b) => {
      const def = BMPS[b.id];
      if (!def) throw new ZvtEncodeError(`${bmpLabel(b.id)} is not a BMP payhil knows`);
      const value = 'value' in b && b.value ? b.value : encodeTlvList(b.tlv ?? []);
      return Buffer.concat([Buffer.from([b.id]), encodeValue(b.id, def.format, value)]);
    }),
  );
}

/**
 * Decodes the BMPs filling `data` from `start`. An unknown BMP number, a length prefix that is not
 * Fx bytes, or a value cut short throws `ZvtDecodeError` naming the BMP (code E_ZVT_BMP).
 */
export function decodeBmps(data: Uint8Array, start = 0, where = 'APDU'): Bmp[] {
  const out: Bmp[] = [];
  let at = start;
  while (at < data.length) {
    const id = data[at] as number;
    const def = BMPS[id];
    const label = `${where} ${bmpLabel(id)}`;
    if (!def) throw new ZvtDecodeError('E_ZVT_BMP', label, at, 'unknown BMP number');
    let i = at + 1;
    let length: number;
    switch (def.format.kind) {
      case 'fixed':
        length = def.format.length;
        break;
      case 'llvar':
      case 'lllvar': {
        const digits = def.format.kind === 'llvar' ? 2 : 3;
        length = 0;
        for (let k = 0; k < digits; k++) {
          const p = data[i + k];
          if (p === undefined) throw new ZvtDecodeError('E_ZVT_BMP', label, i + k, 'length prefix truncated');
          if ((p & 0xf0) !== 0xf0 || (p & 0x0f) > 9)
            throw new ZvtDecodeError(
              'E_ZVT_BMP',
              label,
              i + k,
              `length prefix byte 0x${p.toString(16)} is not F0–F9`,
            );
          length = length * 10 + (p & 0x0f);
        }
        i += digits;
        break;
      }
      case 'tlv': {
        const l = decodeBerLength(data, i, label);
        length = l.length;
        i += l.size;
        break;
      }
    }
    if (i + length > data.length)
      throw new ZvtDecodeError(
        'E_ZVT_BMP',
        label,
        at,
        `value of ${length} bytes truncated to ${Math.max(0, data.length - i)}`,
      );
    const value = Buffer.from(data.subarray(i, i + length));
    out.push(def.format.kind === 'tlv' ? { id, value, tlv: decodeTlvList(value, label) } : { id, value });
    at = i + length;
  }
  return out;
}

/** The first BMP with `id`. */
export function findBmp(bmps: readonly Bmp[], id: number): Bmp | undefined {
  return bmps.find((b) => b.id === id);
}
