/**
 * Cardholder Verification Method (CVM) List (tag 8E) and CVM Results (tag 9F34), after EMV 4.3 Book 3
 * §10.5 and Annex C3, with the PBOC cardholder-ID method (code 20, JR/T 0025).
 *
 * 8E = amount X (4 bytes binary) ‖ amount Y (4 bytes binary) ‖ CV Rules (2 bytes each).
 * CV Rule byte 1: b7 = apply the next rule if this CVM is unsuccessful, b6–b1 = CVM code;
 * byte 2 = condition code. X and Y are in the application currency, in minor units (implied decimals).
 */
import { CvmListError } from './errors.js';

/** CVM codes (CV Rule byte 1, b6–b1). */
export const CVM_CODES = {
  fail: 0x00,
  offlinePlaintextPin: 0x01,
  onlineEncipheredPin: 0x02,
  offlinePlaintextPinAndSignature: 0x03,
  offlineEncipheredPin: 0x04,
  offlineEncipheredPinAndSignature: 0x05,
  signature: 0x1e,
  noCvm: 0x1f,
  /** PBOC: cardholder presents an identity document (持卡人证件). */
  cardholderId: 0x20,
} as const;

export type CvmMethod = keyof typeof CVM_CODES | 'paymentSystem' | 'issuer' | 'rfu';

/** Condition codes (CV Rule byte 2). */
export const CVM_CONDITIONS = {
  always: 0x00,
  unattendedCash: 0x01,
  notCashOrCashback: 0x02,
  terminalSupportsCvm: 0x03,
  manualCash: 0x04,
  purchaseWithCashback: 0x05,
  underX: 0x06,
  overX: 0x07,
  underY: 0x08,
  overY: 0x09,
} as const;

export type CvmCondition = keyof typeof CVM_CONDITIONS | 'paymentSystem' | 'rfu';

const METHOD_TEXT: Record<keyof typeof CVM_CODES, string> = {
  fail: 'Fail CVM processing',
  offlinePlaintextPin: 'Plaintext PIN verification performed by ICC',
  onlineEncipheredPin: 'Enciphered PIN verified online',
  offlinePlaintextPinAndSignature: 'Plaintext PIN verification performed by ICC and signature (paper)',
  offlineEncipheredPin: 'Enciphered PIN verification performed by ICC',
  offlineEncipheredPinAndSignature: 'Enciphered PIN verification performed by ICC and signature (paper)',
  signature: 'Signature (paper)',
  noCvm: 'No CVM required',
  cardholderId: 'Cardholder ID verification (PBOC)',
};

const CONDITION_TEXT: Record<keyof typeof CVM_CONDITIONS, string> = {
  always: 'Always',
  unattendedCash: 'If unattended cash',
  notCashOrCashback: 'If not unattended cash and not manual cash and not purchase with cashback',
  terminalSupportsCvm: 'If terminal supports the CVM',
  manualCash: 'If manual cash',
  purchaseWithCashback: 'If purchase with cashback',
  underX: 'If transaction is in the application currency and is under X value',
  overX: 'If transaction is in the application currency and is over X value',
  underY: 'If transaction is in the application currency and is under Y value',
  overY: 'If transaction is in the application currency and is over Y value',
};

const METHOD_BY_CODE = new Map<number, keyof typeof CVM_CODES>(
  Object.entries(CVM_CODES).map(([k, v]) => [v, k as keyof typeof CVM_CODES]),
);
const CONDITION_BY_CODE = new Map<number, keyof typeof CVM_CONDITIONS>(
  Object.entries(CVM_CONDITIONS).map(([k, v]) => [v, k as keyof typeof CVM_CONDITIONS]),
);

export interface CvRule {
  /** CVM code, b6–b1 of byte 1. */
  readonly code: number;
  readonly method: CvmMethod;
  /** b7 of byte 1: on failure try the next rule (else cardholder verification fails). */
  readonly applyNextIfUnsuccessful: boolean;
  /** Condition code, byte 2. */
  readonly conditionCode: number;
  readonly condition: CvmCondition;
  /** Human-readable rule, e.g. "Enciphered PIN verified online, if terminal supports the CVM (else next rule)". */
  readonly description: string;
}

export interface CvmList {
  /** Amount X in minor units of the application currency. */
  readonly amountX: number;
  /** Amount Y in minor units of the application currency. */
  readonly amountY: number;
  readonly rules: CvRule[];
}

/** The method name of a CVM code (b6–b1). */
export function cvmMethod(code: number): CvmMethod {
  const c = code & 0x3f;
  const known = METHOD_BY_CODE.get(c);
  if (known) return known;
  if (c >= 0x20 && c <= 0x2f) return 'paymentSystem';
  if (c >= 0x30 && c <= 0x3e) return 'issuer';
  return 'rfu';
}

/** The condition name of a condition code. */
export function cvmCondition(code: number): CvmCondition {
  const known = CONDITION_BY_CODE.get(code);
  if (known) return known;
  return code >= 0x80 ? 'paymentSystem' : 'rfu';
}

/** Reads one 2-byte CV Rule. */
export function decodeCvRule(byte1: number, byte2: number): CvRule {
  const code = byte1 & 0x3f;
  const method = cvmMethod(code);
  const condition = cvmCondition(byte2);
  const applyNextIfUnsuccessful = (byte1 & 0x40) !== 0;
  const methodText =
    method in METHOD_TEXT ? METHOD_TEXT[method as keyof typeof CVM_CODES] : `CVM ${hex(code)} (${method})`;
  const conditionText =
    condition in CONDITION_TEXT
      ? CONDITION_TEXT[condition as keyof typeof CVM_CONDITIONS]
      : `condition ${hex(byte2)} (${condition})`;
  return {
    code,
    method,
    applyNextIfUnsuccessful,
    conditionCode: byte2,
    condition,
    description: `${methodText}; ${conditionText.charAt(0).toLowerCase()}${conditionText.slice(1)}${
      applyNextIfUnsuccessful ? ' (else next rule)' : ' (else fail)'
    }`,
  };
}

/**
 * Parses a CVM List value. @throws CvmListError when shorter than 8 bytes or the rules are not in
 * 2-byte pairs. A list with X and Y but no rule is accepted (the card then has no CVM to perform).
 */
export function parseCvmList(data: Uint8Array): CvmList {
  if (data.length < 8) throw new CvmListError(data.length, 'shorter than the 8 bytes of amounts X and Y');
  if ((data.length - 8) % 2 !== 0) throw new CvmListError(data.length, 'CV Rules are not whole 2-byte pairs');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const rules: CvRule[] = [];
  for (let i = 8; i < data.length; i += 2) rules.push(decodeCvRule(data[i] as number, data[i + 1] as number));
  return { amountX: view.getUint32(0), amountY: view.getUint32(4), rules };
}

/** A rule to encode: a method name (or raw code) and a condition name (or raw code). */
export interface CvRuleInput {
  readonly method: keyof typeof CVM_CODES | number;
  readonly condition: keyof typeof CVM_CONDITIONS | number;
  readonly applyNextIfUnsuccessful?: boolean;
}

/** Builds a CVM List value (for virtual card fixtures). */
export function encodeCvmList(list: {
  amountX?: number;
  amountY?: number;
  rules: readonly CvRuleInput[];
}): Buffer {
  const out = Buffer.alloc(8 + 2 * list.rules.length);
  out.writeUInt32BE(list.amountX ?? 0, 0);
  out.writeUInt32BE(list.amountY ?? 0, 4);
  list.rules.forEach((r, i) => {
    const code = typeof r.method === 'number' ? r.method & 0x3f : CVM_CODES[r.method];
    const cond = typeof r.condition === 'number' ? r.condition & 0xff : CVM_CONDITIONS[r.condition];
    out[8 + 2 * i] = code | (r.applyNextIfUnsuccessful ? 0x40 : 0);
    out[9 + 2 * i] = cond;
  });
  return out;
}

/** What the terminal knows when it checks a CV Rule's condition (EMV Book 3 §10.5). */
export interface CvmContext {
  /** Amount, authorised (9F02) in minor units. */
  readonly amount: number;
  /** Transaction currency (5F2A) equals the application currency (9F42). */
  readonly inApplicationCurrency: boolean;
  readonly transaction: 'purchase' | 'cash' | 'cashback' | 'other';
  readonly unattended: boolean;
  /** Whether the terminal supports (and may perform) a CVM code. */
  readonly supports: (code: number) => boolean;
}

/**
 * True when the rule's condition is satisfied in `ctx`. Conditions this code does not know
 * (RFU, payment-system specific) are not satisfied, so the rule is skipped as EMV requires.
 */
export function cvmConditionSatisfied(rule: CvRule, list: CvmList, ctx: CvmContext): boolean {
  switch (rule.condition) {
    case 'always':
      return true;
    case 'unattendedCash':
      return ctx.transaction === 'cash' && ctx.unattended;
    case 'notCashOrCashback':
      return ctx.transaction !== 'cash' && ctx.transaction !== 'cashback';
    case 'terminalSupportsCvm':
      return ctx.supports(rule.code);
    case 'manualCash':
      return ctx.transaction === 'cash' && !ctx.unattended;
    case 'purchaseWithCashback':
      return ctx.transaction === 'cashback';
    case 'underX':
      return ctx.inApplicationCurrency && ctx.amount < list.amountX;
    case 'overX':
      return ctx.inApplicationCurrency && ctx.amount > list.amountX;
    case 'underY':
      return ctx.inApplicationCurrency && ctx.amount < list.amountY;
    case 'overY':
      return ctx.inApplicationCurrency && ctx.amount > list.amountY;
    default:
      return false;
  }
}

/** CVM Results (9F34) byte 3. */
export type CvmResultCode = 'unknown' | 'failed' | 'successful' | 'rfu';

export interface CvmResults {
  /** The rule performed (bytes 1–2), or `null` for `3F 00 00`-style "no CVM performed". */
  readonly rule: CvRule | null;
  readonly result: CvmResultCode;
}

/** Decodes CVM Results (9F34, 3 bytes). Byte 1 = `3F` means no CVM was performed. */
export function decodeCvmResults(value: Uint8Array): CvmResults {
  if (value.length !== 3) throw new CvmListError(value.length, 'CVM Results (9F34) must be 3 bytes');
  const b1 = value[0] as number;
  const b3 = value[2] as number;
  const result: CvmResultCode = b3 === 0 ? 'unknown' : b3 === 1 ? 'failed' : b3 === 2 ? 'successful' : 'rfu';
  return { rule: (b1 & 0x3f) === 0x3f ? null : decodeCvRule(b1, value[1] as number), result };
}

/** Builds CVM Results (9F34) from the rule performed and its result; `null` rule → `3F 00` + result. */
export function encodeCvmResults(rule: CvRuleInput | null, result: Exclude<CvmResultCode, 'rfu'>): Buffer {
  const r = result === 'unknown' ? 0 : result === 'failed' ? 1 : 2;
  if (rule === null) return Buffer.from([0x3f, 0x00, r]);
  const [b1, b2] = encodeCvmList({ rules: [rule] }).subarray(8);
  return Buffer.from([b1 as number, b2 as number, r]);
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
