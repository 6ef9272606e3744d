/**
 * Field 62 of the 0810 sign-in answer: the working keys, UnionPay POS layout, chosen by the key scheme
 * (field 60.3 of the sign-in):
 *  - `001` single-length keys:   PIK(8)  ‖ CV(4) ‖ MAK(8)           ‖ CV(4)                    = 24 bytes
 *  - `003` double-length PIK:    PIK(16) ‖ CV(4) ‖ MAK(8) ‖ 00×8    ‖ CV(4)                    = 40 bytes
 *  - `004` as 003 plus the TDK:  PIK(16) ‖ CV(4) ‖ MAK(8) ‖ 00×8    ‖ CV(4) ‖ TDK(16) ‖ CV(4)  = 60 bytes
 * Each key is encrypted under the TMK (TDES-ECB); each check value (CV) is the first 4 bytes of the
 * CLEAR key encrypting eight zero bytes. The MAK is single length (the CUP ECB MAC uses DES).
 *
 * One writer (the host) and one parser (every terminal) of that layout live here.
 */
import {
  KcvMismatchError,
  WORKING_KEY_KCV_BYTES,
  decryptWorkingKey,
  encryptWorkingKey,
  isHex,
  toHex,
} from '../crypto/index.js';
import type { Dialect } from '../iso8583/index.js';
import { MessageBuildError, WorkingKeyError, type WorkingKeyName } from './errors.js';

/** Key scheme of a sign-in (field 60.3 of the 0800): which working keys field 62 carries. */
export type KeyScheme = '001' | '003' | '004';

/** The key schemes, in order. */
export const KEY_SCHEMES: readonly KeyScheme[] = ['001', '003', '004'];

/** True for '001', '003' or '004'. */
export function isKeyScheme(s: unknown): s is KeyScheme {
  return s === '001' || s === '003' || s === '004';
}

/** Clear working keys of one sign-in session. */
export interface SessionKeys {
  pik: Buffer;
  mak: Buffer;
  /** Track data key (scheme 004 only). */
  tdk?: Buffer | undefined;
}

/** Where one key and its check value sit in field 62 (byte offsets and key length). */
interface KeySlot {
  readonly name: WorkingKeyName;
  readonly at: number;
  readonly length: number;
  readonly checkValueAt: number;
}

const PIK_SINGLE: KeySlot = { name: 'PIK', at: 0, length: 8, checkValueAt: 8 };
const MAK_SINGLE: KeySlot = { name: 'MAK', at: 12, length: 8, checkValueAt: 20 };
const PIK_DOUBLE: KeySlot = { name: 'PIK', at: 0, length: 16, checkValueAt: 16 };
// Double-length layout: the single-length MAK is followed by 8 zero bytes before its check value.
const MAK_PADDED: KeySlot = { name: 'MAK', at: 20, length: 8, checkValueAt: 36 };
const TDK: KeySlot = { name: 'TDK', at: 40, length: 16, checkValueAt: 56 };

const LAYOUT: Record<KeyScheme, readonly KeySlot[]> = {
  '001': [PIK_SINGLE, MAK_SINGLE],
  '003': [PIK_DOUBLE, MAK_PADDED],
  '004': [PIK_DOUBLE, MAK_PADDED, TDK],
};

/** Size of field 62 in bytes per key scheme. */
export const WORKING_KEY_FIELD_BYTES: Readonly<Record<KeyScheme, number>> = {
  '001': 24,
  '003': 40,
  '004': 60,
};

/** Length in bytes of each working key a scheme issues (the PIK is single length only in 001). */
export function workingKeyLengths(scheme: KeyScheme): { pik: number; mak: number; tdk: number | undefined } {
  return { pik: scheme === '001' ? 8 : 16, mak: 8, tdk: scheme === '004' ? 16 : undefined };
}

function clearKey(keys: SessionKeys, name: WorkingKeyName): Buffer | undefined {
  return name === 'PIK' ? keys.pik : name === 'MAK' ? keys.mak : keys.tdk;
}

/**
 * The bytes of field 62 for clear working keys under `tmk` (host side).
 * @throws MessageBuildError when a key is missing or not of the length the scheme carries.
 */
export function encodeWorkingKeys(tmk: Uint8Array, keys: SessionKeys, scheme: KeyScheme): Buffer {
  const out = Buffer.alloc(WORKING_KEY_FIELD_BYTES[scheme]);
  for (const slot of LAYOUT[scheme]) {
    const key = clearKey(keys, slot.name);
    if (key?.length !== slot.length)
      throw new MessageBuildError(
        62,
        `key scheme ${scheme} carries a ${slot.length}-byte ${slot.name}, got ${key ? `${key.length} bytes` : 'none'}`,
      );
    const enc = encryptWorkingKey(tmk, key, WORKING_KEY_KCV_BYTES);
    enc.key.copy(out, slot.at);
    enc.kcv.copy(out, slot.checkValueAt);
  }
  return out;
}

/** Options of `decodeWorkingKeys` / `parseWorkingKeys`. */
export interface WorkingKeyReadOptions {
  /** Check each key's check value (default true; false only to emulate a terminal that skips it). */
  verifyCheckValues?: boolean;
}

/**
 * The clear working keys of field 62 (bytes) under `tmk`, each check value verified.
 * @throws WorkingKeyError `length` when the field is not the scheme's size, `check-value` when a
 *   decrypted key does not give the check value sent with it.
 */
export function decodeWorkingKeys(
  tmk: Uint8Array,
  field62: Uint8Array,
  scheme: KeyScheme,
  options: WorkingKeyReadOptions = {},
): SessionKeys {
  const want = WORKING_KEY_FIELD_BYTES[scheme];
  if (field62.length !== want)
    throw new WorkingKeyError(
      'length',
      `field 62 has ${field62.length} bytes, key scheme ${scheme} needs ${want}`,
      {
        scheme,
      },
    );
  const verify = options.verifyCheckValues ?? true;
  const take = (slot: KeySlot): Buffer => {
    const cv = field62.subarray(slot.checkValueAt, slot.checkValueAt + WORKING_KEY_KCV_BYTES);
    try {
      return decryptWorkingKey(tmk, field62.subarray(slot.at, slot.at + slot.length), verify ? cv : undefined)
        .key;
    } catch (e) {
      if (!(e instanceof KcvMismatchError)) throw e;
      // The check values are those of keys: say which key, never the values.
      throw new WorkingKeyError('check-value', `${slot.name} check value does not match its key`, {
        scheme,
        key: slot.name,
        cause: e,
      });
    }
  };
  const [pik, mak, tdk] = LAYOUT[scheme].map(take);
  return tdk ? { pik: pik as Buffer, mak: mak as Buffer, tdk } : { pik: pik as Buffer, mak: mak as Buffer };
}

/**
 * Field 62 as the host sets it for the dialect: the key bytes as hex (a binary field is decoded as hex;
 * a character field carries the same bytes as hex text).
 */
export function workingKeyFieldValue(tmk: Uint8Array, keys: SessionKeys, scheme: KeyScheme): string {
  return toHex(encodeWorkingKeys(tmk, keys, scheme));
}

/**
 * The key bytes of field 62 as decoded: a binary field arrives as hex; a character field may carry the
 * key bytes as hex text or raw.
 */
export function workingKeyFieldBytes(dialect: Dialect, field62: string): Buffer {
  const asHex = dialect.fields[62]?.type === 'b' || isHex(field62);
  return asHex ? Buffer.from(field62, 'hex') : Buffer.from(field62, 'latin1');
}

/**
 * The clear working keys of a sign-in answer's field 62 (as decoded for `dialect`) under `tmk`, check
 * values verified: what a terminal does after its 0810.
 * @throws WorkingKeyError `length` for a missing field or a wrong size, `encoding` for a binary field that
 *   is not hex, `check-value` for a key whose check value does not match.
 */
export function parseWorkingKeys(
  dialect: Dialect,
  field62: string | undefined,
  tmk: Uint8Array,
  scheme: KeyScheme,
  options: WorkingKeyReadOptions = {},
): SessionKeys {
  if (field62 === undefined)
    throw new WorkingKeyError('length', 'the sign-in answer has no field 62', { scheme });
  if (dialect.fields[62]?.type === 'b' && !isHex(field62))
    throw new WorkingKeyError('encoding', 'field 62 is not hex', { scheme });
  return decodeWorkingKeys(tmk, workingKeyFieldBytes(dialect, field62), scheme, options);
}
