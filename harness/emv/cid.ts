/**
 * Cryptogram Information Data (tag 9F27, 1 byte): which cryptogram the card returned in GENERATE AC
 * (EMV 4.3 Book 3 §6.5.5.4, Table 14): b8–b7 type, b6–b5 payment-system specific, b4 advice required,
 * b3–b1 reason/advice code.
 */

export type CryptogramType = 'AAC' | 'TC' | 'ARQC' | 'RFU';

export type CidReason =
  'none' | 'serviceNotAllowed' | 'pinTryLimitExceeded' | 'issuerAuthenticationFailed' | 'rfu';

export interface Cid {
  /** AAC = decline, TC = offline approval, ARQC = go online. */
  readonly type: CryptogramType;
  readonly adviceRequired: boolean;
  readonly reason: CidReason;
  /** b6–b5, for payment-system specific use. */
  readonly paymentSystemBits: number;
}

const TYPES: CryptogramType[] = ['AAC', 'TC', 'ARQC', 'RFU'];
const REASONS: CidReason[] = [
  'none',
  'serviceNotAllowed',
  'pinTryLimitExceeded',
  'issuerAuthenticationFailed',
];

/** Decodes a CID byte (or the first byte of a 9F27 value). */
export function decodeCid(value: number | Uint8Array): Cid {
  const b = typeof value === 'number' ? value : (value[0] ?? 0);
  return {
    type: TYPES[(b >> 6) & 0x03] as CryptogramType,
    adviceRequired: (b & 0x08) !== 0,
    reason: REASONS[b & 0x07] ?? 'rfu',
    paymentSystemBits: (b >> 4) & 0x03,
  };
}

/** Builds a CID byte: `encodeCid('ARQC')` → 0x80. */
export function encodeCid(
  type: Exclude<CryptogramType, 'RFU'>,
  options: { adviceRequired?: boolean; reason?: Exclude<CidReason, 'rfu'> } = {},
): number {
  const t = TYPES.indexOf(type);
  const r = REASONS.indexOf(options.reason ?? 'none');
  return (t << 6) | (options.adviceRequired ? 0x08 : 0) | r;
}
