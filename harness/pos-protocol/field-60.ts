/**
 * Field 60 (CUP 自定义域, n..17), positional:
 *  - 60.1 message type code n2 (`MESSAGE_TYPE_CODE`);
 *  - 60.2 batch number n6;
 *  - 60.3 network management information code n3 (`NETWORK_CODE`: the key scheme of a sign-in, echo,
 *    sign-out, settlement);
 *  - 60.4 terminal read capability n1, 60.5 IC card condition code n1, 60.6 partial approval flag n1
 *    (optional, present only when sent).
 * The dialect file describes the same subfields for field paths (`60.2`); this is the one writer and
 * reader the terminal and the host share.
 */
import { MessageBuildError } from './errors.js';

/** 60.1 message type codes (交易类型码) per request. */
export const MESSAGE_TYPE_CODE = {
  /** Network management (sign-in, echo, sign-out) and settlement. */
  NETWORK: '00',
  BALANCE: '01',
  PREAUTH: '10',
  COMPLETION: '20',
  PURCHASE: '22',
  VOID: '23',
  REFUND: '25',
  BATCH_UPLOAD: '36',
} as const;

/** 60.3 network management information codes (网络管理信息码). */
export const NETWORK_CODE = {
  /** Not a network management message (financial requests). */
  NONE: '000',
  /** Sign-in, single-length keys (key scheme 001). */
  SIGN_IN_SINGLE: '001',
  SIGN_OUT: '002',
  /** Sign-in, double-length PIK (key scheme 003). */
  SIGN_IN_DOUBLE: '003',
  /** Sign-in, double-length PIK and a TDK (key scheme 004). */
  SIGN_IN_DOUBLE_TDK: '004',
  /** Settlement and batch upload. */
  SETTLEMENT: '201',
  /** End of a batch upload (批上送结束): the 0320 that closes it with the count uploaded. */
  BATCH_UPLOAD_END: '202',
  /** Echo test. */
  ECHO: '301',
} as const;

/** 60.4 terminal read capability (终端读取能力): a property of the terminal, not of the entry mode. */
export const READ_CAPABILITY = {
  /** Contactless, contact chip and magnetic stripe. */
  CONTACTLESS_CONTACT_STRIPE: '6',
  /** Contact chip and magnetic stripe. */
  CONTACT_STRIPE: '5',
  /** Magnetic stripe only. */
  STRIPE: '2',
} as const;

/** 60.5 IC card condition code (IC卡条件代码). */
export const IC_CONDITION = {
  /** The previous transaction was not an IC one, or was a successful IC one. */
  NO_CHIP_FAILURE: '1',
  /** The previous chip read failed: with field 22 = 80x, what makes a swipe a fallback. */
  CHIP_FAILED: '2',
} as const;

/** The subfields of field 60. */
export interface Field60 {
  /** 60.1, 2 digits. */
  messageType: string;
  /** 60.2, 6 digits. */
  batch: string;
  /** 60.3, 3 digits. */
  networkCode: string;
  /** 60.4, 1 digit: 6 contactless + contact + stripe, 5 contact + stripe, 2 stripe. */
  readCapability?: string;
  /** 60.5, 1 digit: 2 when the previous chip read failed (a swipe after it is a fallback). */
  icCondition?: string;
}

function digits(value: string, n: number, what: string): string {
  if (value.length !== n || !/^\d+$/.test(value))
    throw new MessageBuildError(60, `${what} must be ${n} digits, got '${value}'`);
  return value;
}

/**
 * Field 60 from its subfields.
 * @throws MessageBuildError when a subfield is not the right number of digits (60.5 needs 60.4).
 */
export function field60(f: Field60): string {
  let s =
    digits(f.messageType, 2, '60.1 message type') +
    digits(f.batch, 6, '60.2 batch number') +
    digits(f.networkCode, 3, '60.3 network management code');
  if (f.readCapability !== undefined) s += digits(f.readCapability, 1, '60.4 read capability');
  if (f.icCondition !== undefined) {
    if (f.readCapability === undefined) throw new MessageBuildError(60, '60.5 needs 60.4 before it');
    s += digits(f.icCondition, 1, '60.5 IC condition code');
  }
  return s;
}

/** The subfields of field 60, or undefined when it is shorter than 60.1–60.3 (11 digits). */
export function readField60(field: string | undefined): Field60 | undefined {
  if (field === undefined || field.length < 11) return undefined;
  const f: Field60 = {
    messageType: field.slice(0, 2),
    batch: field.slice(2, 8),
    networkCode: field.slice(8, 11),
  };
  if (field.length > 11) f.readCapability = field.slice(11, 12);
  if (field.length > 12) f.icCondition = field.slice(12, 13);
  return f;
}

/** 60.2, the batch number, or undefined when field 60 is absent or too short (no object built). */
export function field60Batch(field: string | undefined): string | undefined {
  return field !== undefined && field.length >= 8 ? field.slice(2, 8) : undefined;
}

/** 60.3, the network management code, or undefined when field 60 is absent or too short. */
export function field60NetworkCode(field: string | undefined): string | undefined {
  return field !== undefined && field.length >= 11 ? field.slice(8, 11) : undefined;
}
