/**
 * A fixed-size EMV bit map (TVR, TSI, AIP, TTQ, CTQ…) described by a table of named bits, with
 * test/set helpers. Bits are numbered as the EMV books do: byte 1 is the leftmost, bit 8 the most
 * significant bit of a byte.
 */
import { BitFieldLengthError, UnknownBitError } from './errors.js';

export interface BitDef<N extends string = string> {
  /** Stable camelCase name, used in scenarios and reports. */
  readonly name: N;
  /** Byte number, 1-based from the left. */
  readonly byte: number;
  /** Bit number within the byte, 8 (MSB) to 1 (LSB). */
  readonly bit: number;
  /** The wording of the EMV/PBOC specification. */
  readonly description: string;
}

export class BitField<N extends string> {
  private readonly byName: ReadonlyMap<string, BitDef<N>>;

  /**
   * @param field short name of the data element, e.g. 'TVR' (used in errors)
   * @param size length of the data element in bytes
   * @param bits the defined bits; every other bit is RFU
   */
  constructor(
    readonly field: string,
    readonly size: number,
    readonly bits: readonly BitDef<N>[],
  ) {
    this.byName = new Map(bits.map((b) => [b.name, b]));
  }

  /** The definition of a named bit. @throws UnknownBitError */
  def(name: N): BitDef<N> {
    const d = this.byName.get(name);
    if (!d) throw new UnknownBitError(this.field, name);
    return d;
  }

  /** True when `name` is a bit of this field (for validating scenario input). */
  isName(name: string): name is N {
    return this.byName.has(name);
  }

  /** True when the named bit is set in `value` (false when `value` is too short). */
  has(value: Uint8Array, name: N): boolean {
    const d = this.def(name);
    const b = value[d.byte - 1];
    return b !== undefined && (b & (1 << (d.bit - 1))) !== 0;
  }

  /** Sets (or with `on` false, clears) the named bit in place. */
  set(value: Uint8Array, name: N, on = true): void {
    const d = this.def(name);
    if (value.length < d.byte) throw new BitFieldLengthError(this.field, value.length, d.byte);
    const mask = 1 << (d.bit - 1);
    const i = d.byte - 1;
    value[i] = on ? (value[i] as number) | mask : (value[i] as number) & ~mask;
  }

  /** A new value (all zeros but the named bits). */
  build(...names: N[]): Buffer {
    const out = Buffer.alloc(this.size);
    for (const n of names) this.set(out, n);
    return out;
  }

  /** Names of the defined bits set in `value`, in byte/bit order. */
  names(value: Uint8Array): N[] {
    return this.bits.filter((d) => this.has(value, d.name)).map((d) => d.name);
  }

  /** Specification wording of the defined bits set in `value`. */
  describe(value: Uint8Array): string[] {
    return this.bits.filter((d) => this.has(value, d.name)).map((d) => d.description);
  }

  /** Bits set in `value` that this table does not define (RFU or proprietary), as `{byte, bit}`. */
  undefinedBits(value: Uint8Array): { byte: number; bit: number }[] {
    const out: { byte: number; bit: number }[] = [];
    for (let i = 0; i < Math.min(value.length, this.size); i++) {
      for (let bit = 8; bit >= 1; bit--) {
        if (((value[i] as number) & (1 << (bit - 1))) === 0) continue;
        if (!this.bits.some((d) => d.byte === i + 1 && d.bit === bit)) out.push({ byte: i + 1, bit });
      }
    }
    return out;
  }
}
