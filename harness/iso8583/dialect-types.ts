/**
 * The shape of a dialect: what a `fixtures/dialects/NAME.yaml` file holds (`DialectDefinition`, checked
 * by dialect.schema.json) and what `loadDialect` makes of it (`Dialect`, with precompiled field codecs).
 */
import type { FieldCodec } from './field-codec.js';

/** ISO 8583 data type: numeric digits, alphanumeric, alphanumeric + special, binary, track data. */
export type FieldType = 'n' | 'an' | 'ans' | 'b' | 'z';
/** Fixed length, or a 2-/3-digit length prefix before the data. */
export type LengthKind = 'fixed' | 'LLVAR' | 'LLLVAR';
/**
 * How the value is written: `ascii` (one byte per character), `bcd-left` / `bcd-right` (two digits a
 * byte; an odd count is padded after the digits for left-justified, before them for right-justified),
 * `binary` (raw bytes, b fields), `hex-ascii` (b fields written as two ASCII hex digits a byte).
 */
export type FieldEncoding = 'ascii' | 'bcd-left' | 'bcd-right' | 'binary' | 'hex-ascii';
/** How an LL/LLL length prefix is written: ASCII digits, BCD (1 byte for LL, 2 for LLL), binary (1 or 2 bytes, big-endian). */
export type PrefixEncoding = 'ascii' | 'bcd' | 'binary';
/** Length prefix of a whole frame: 2-byte big-/little-endian binary, 4 ASCII digits, or none. */
export type FrameLengthKind = 'u16be' | 'u16le' | 'ascii4' | 'none';
/** What a field carries, for people and reports (masking). */
export type Sensitivity = 'pan' | 'track' | 'pin' | 'key' | 'mac';

/** A fixed-length slice of a field's value ("60.2" = the batch number inside field 60). */
export interface SubfieldDefinition {
  readonly id: number;
  readonly name: string;
  readonly type: 'n' | 'an' | 'ans' | 'z';
  /** Length in characters (digits for n). */
  readonly length: number;
}

export interface FieldDefinition {
  readonly name: string;
  readonly type: FieldType;
  /** Default `fixed`. */
  readonly kind?: LengthKind;
  /** Fixed length: digits (n, z), characters (an, ans) or bytes (b). Required when `kind` is fixed. */
  readonly length?: number;
  /** Maximum length of an LLVAR/LLLVAR field, in the same units as `length`. */
  readonly max?: number;
  /** Default from the dialect's `defaults` for the type. */
  readonly encoding?: FieldEncoding;
  /** Encoding of the LL/LLL prefix; default `defaults.prefix`. */
  readonly prefix?: PrefixEncoding;
  /** Pad nibble for an odd number of BCD digits (default `0`). */
  readonly pad?: '0' | 'F';
  /** `tlv`: the (b) value is BER-TLV, addressable as "55.9F26". */
  readonly content?: 'tlv';
  /** Positional subfields, in order, addressable as "60.2". */
  readonly subfields?: readonly SubfieldDefinition[];
  readonly sensitive?: Sensitivity;
}

export interface DialectDefinition {
  readonly name: string;
  readonly description?: string;
  readonly framing: {
    readonly length: { readonly kind: FrameLengthKind; readonly includesSelf?: boolean };
    /** Transport protocol data unit before the header (CUP: 5 bytes `60 00 03 00 00`). */
    readonly tpdu?: { readonly bytes: number; readonly default?: string };
    /** Fixed header bytes before the MTI (CUP: 6 bytes). */
    readonly header?: { readonly bytes: number; readonly default?: string };
  };
  readonly mti: 'ascii' | 'bcd';
  readonly bitmap: { readonly encoding: 'binary' | 'hex-ascii'; readonly secondary: boolean };
  readonly defaults: {
    /** Encoding of n fields. */
    readonly numeric: 'ascii' | 'bcd-left' | 'bcd-right';
    /** Encoding of z (track) fields. */
    readonly track: 'ascii' | 'bcd-left' | 'bcd-right';
    /** Encoding of b fields. */
    readonly binary: 'binary' | 'hex-ascii';
    readonly prefix: PrefixEncoding;
  };
  /** Field number (2–128, as a string key in YAML) → definition. */
  readonly fields: Readonly<Record<string, FieldDefinition>>;
}

/** A field definition with every default resolved. */
export interface FieldSpec {
  readonly number: number;
  readonly name: string;
  readonly type: FieldType;
  readonly kind: LengthKind;
  /** Fixed length, or maximum for LLVAR/LLLVAR. */
  readonly length: number;
  readonly encoding: FieldEncoding;
  readonly prefix: PrefixEncoding;
  readonly pad: '0' | 'F';
  readonly content: 'tlv' | undefined;
  readonly subfields: readonly (SubfieldDefinition & { readonly start: number })[] | undefined;
  readonly sensitive: Sensitivity | undefined;
}

/** A loaded, compiled dialect. Treat as immutable; share freely. */
export interface Dialect {
  readonly name: string;
  readonly description: string;
  /** File it was loaded from (or `<inline>`). */
  readonly source: string;
  readonly framing: {
    readonly length: FrameLengthKind;
    readonly includesSelf: boolean;
    /** Bytes of the length prefix (0, 2 or 4). */
    readonly lengthBytes: number;
    readonly tpduBytes: number;
    readonly tpduDefault: string | undefined;
    readonly headerBytes: number;
    readonly headerDefault: string | undefined;
  };
  readonly mti: 'ascii' | 'bcd';
  readonly bitmap: { readonly encoding: 'binary' | 'hex-ascii'; readonly secondary: boolean };
  /** Indexed by field number (2–128); undefined where the dialect has no such field. */
  readonly fields: readonly (FieldSpec | undefined)[];
  /** Precompiled codecs, indexed like `fields` (internal to the codec; stable shape not promised). */
  readonly codecs: readonly (FieldCodec | undefined)[];
  /** The definition it was compiled from. */
  readonly definition: DialectDefinition;
}
