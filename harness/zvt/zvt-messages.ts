/**
 * Building and reading the ZVT commands payhil speaks (PA00P015 chapters 2 and 3). Builders return whole
 * APDUs; readers take a decoded `Apdu` and throw `ZvtDecodeError` (naming the command and BMP) for data
 * that is cut short or malformed.
 */
import { encodeApdu, apduLabel, commandOf, type Apdu } from './apdu-codec.js';
import { amountFromBcd, amountToBcd, fromBcd, panFromBcd, panToBcd, toBcd } from './bcd.js';
import { decodeBmps, encodeBmps, findBmp, type Bmp } from './bmp-codec.js';
import { ZvtDecodeError } from './errors.js';
import { findTlv, textLines, type Tlv } from './tlv-codec.js';
import { ACK_APDU, NAK_CLASS, TLV_TAGS, ZVT_COMMANDS as C } from './wire-codes.js';

/** A command the cash register sends, as the terminal reads it. */
export type ZvtRequest =
  | { kind: 'registration'; password: string; configByte: number; currency?: string; bmps: Bmp[] }
  | { kind: 'authorization'; amount?: number; currency?: string; bmps: Bmp[] }
  | { kind: 'preAuthorisation'; amount?: number; bmps: Bmp[] }
  | { kind: 'reversal'; password: string; receiptNumber?: string; bmps: Bmp[] }
  | { kind: 'refund'; password: string; amount?: number; receiptNumber?: string; bmps: Bmp[] }
  | { kind: 'endOfDay'; password: string }
  | { kind: 'initialisation'; password: string }
  | { kind: 'diagnosis'; bmps: Bmp[] }
  | { kind: 'abort' }
  | { kind: 'logOff' };

function split(cmd: number): [number, number] {
  return [cmd >> 8, cmd & 0xff];
}

function apdu(cmd: number, data?: Uint8Array): Buffer {
  const [cls, ins] = split(cmd);
  return encodeApdu(cls, ins, data);
}

/**
 * Registration 06 00: password (3 BCD), config-byte, currency code (2 BCD, no BMP number), e.g. the spec's
 * `06 00 06 12 34 56 BA 09 78`.
 */
export function registration(password: string, configByte: number, currency?: string): Buffer {
  return apdu(
    C.REGISTRATION,
    Buffer.concat([
      toBcd(password, 3),
      Buffer.from([configByte]),
      currency ? toBcd(currency, 2) : Buffer.alloc(0),
    ]),
  );
}

/** Authorization 06 01: BMP 04 amount [BMP 49 currency], e.g. `06 01 07 04 00 00 00 00 10 00` (10.00). */
export function authorization(amount: number, currency?: string): Buffer {
  const bmps: Bmp[] = [{ id: 0x04, value: amountToBcd(amount) }];
  if (currency) bmps.push({ id: 0x49, value: toBcd(currency, 2) });
  return apdu(C.AUTHORIZATION, encodeBmps(bmps));
}

/** Pre-Authorisation 06 22: BMP 04 amount. */
export function preAuthorisation(amount: number): Buffer {
  return apdu(C.PRE_AUTHORISATION, encodeBmps([{ id: 0x04, value: amountToBcd(amount) }]));
}

/** Reversal 06 30: password, BMP 87 receipt number of the payment to reverse. */
export function reversal(password: string, receiptNumber: string): Buffer {
  return apdu(
    C.REVERSAL,
    Buffer.concat([toBcd(password, 3), encodeBmps([{ id: 0x87, value: toBcd(receiptNumber, 2) }])]),
  );
}

/**
 * Refund 06 31: password, BMP 04 amount; payhil adds BMP 87 with the original's receipt number when it
 * knows it (the reference emulator refunds against an original; a terminal that does not need it may
 * refuse the BMP).
 */
export function refund(password: string, amount: number, receiptNumber?: string): Buffer {
  const bmps: Bmp[] = [{ id: 0x04, value: amountToBcd(amount) }];
  if (receiptNumber) bmps.push({ id: 0x87, value: toBcd(receiptNumber, 2) });
  return apdu(C.REFUND, Buffer.concat([toBcd(password, 3), encodeBmps(bmps)]));
}

/** End-of-Day 06 50: password. */
export function endOfDay(password: string): Buffer {
  return apdu(C.END_OF_DAY, toBcd(password, 3));
}

/** Initialisation 06 93: password. */
export function initialisation(password: string): Buffer {
  return apdu(C.INITIALISATION, toBcd(password, 3));
}

/** Diagnosis 06 70 (no data). */
export function diagnosis(): Buffer {
  return apdu(C.DIAGNOSIS);
}

/** Abort 06 B0 (ECR → PT, no data). */
export function abortRequest(): Buffer {
  return apdu(C.ABORT_ECR);
}

/** Positive acknowledgement 80 00 00. */
export function ack(): Buffer {
  return Buffer.from(ACK_APDU);
}

/** Negative acknowledgement 84 code 00 (83: command not possible). */
export function nak(code: number): Buffer {
  return Buffer.from([NAK_CLASS, code, 0x00]);
}

/** Completion 06 0F (no data). */
export function completion(): Buffer {
  return apdu(C.COMPLETION);
}

/** Abort 06 1E (PT → ECR) with its error code. */
export function abortResult(errorCode: number): Buffer {
  return apdu(C.ABORT_PT, Buffer.from([errorCode]));
}

/**
 * Intermediate Status Information 04 FF: the status code; with display lines also a timeout byte
 * (0 = none) and BMP 06 with the display texts (tag 24, text lines 07).
 */
export function intermediateStatus(status: number, lines?: readonly string[]): Buffer {
  if (!lines?.length) return apdu(C.INTERMEDIATE_STATUS, Buffer.from([status]));
  const tlv: Tlv[] = [
    {
      tag: TLV_TAGS.DISPLAY_TEXTS,
      children: lines.map((l) => ({ tag: TLV_TAGS.TEXT_LINE, value: latin1(l) })),
    },
  ];
  return apdu(
    C.INTERMEDIATE_STATUS,
    Buffer.concat([Buffer.from([status, 0x00]), encodeBmps([{ id: 0x06, tlv }])]),
  );
}

/** Print Line 06 D1: attribute (0x80 set on the last line) and the text. */
export function printLine(text: string, last = false): Buffer {
  return apdu(C.PRINT_LINE, Buffer.concat([Buffer.from([last ? 0x80 : 0x00]), latin1(text)]));
}

/** Receipt types of tag 1F07. */
export const RECEIPT_TYPES = { merchant: 1, customer: 2, administration: 3 } as const;

/** Print Text-Block 06 D3: BMP 06 with print texts (tag 25: receipt type 1F07, text lines 07). */
export function printTextBlock(lines: readonly string[], type: keyof typeof RECEIPT_TYPES): Buffer {
  const tlv: Tlv[] = [
    {
      tag: TLV_TAGS.PRINT_TEXTS,
      children: [
        { tag: TLV_TAGS.RECEIPT_TYPE, value: Buffer.from([RECEIPT_TYPES[type]]) },
        ...lines.map((l) => ({ tag: TLV_TAGS.TEXT_LINE, value: latin1(l) })),
      ],
    },
  ];
  return apdu(C.PRINT_TEXT_BLOCK, encodeBmps([{ id: 0x06, tlv }]));
}

/** What Status Information 04 0F carries (the fields payhil sets and reads). */
export interface StatusInfo {
  /** BMP 27: 00 success, else the error code (01–63 the host's). */
  resultCode: number;
  /** BMP 04, minor units. */
  amount?: number;
  /** BMP 0B, 6 digits. */
  trace?: string;
  /** BMP 0C HHMMSS. */
  time?: string;
  /** BMP 0D MMDD. */
  date?: string;
  /** BMP 22, masked (first 6, last 4). */
  maskedPan?: string;
  /** BMP 29, 8 digits. */
  terminalId?: string;
  /** BMP 49, 4 digits (e.g. 0978). */
  currency?: string;
  /** BMP 87, 4 digits. */
  receiptNumber?: string;
  /** BMP 8B. */
  cardName?: string;
  /** BMP 3C additional text (the reference emulator: `RRN=… AC=… RC=… KEY=…`). */
  additional?: string;
}

/** Status Information 04 0F. */
export function statusInformation(s: StatusInfo): Buffer {
  const bmps: Bmp[] = [{ id: 0x27, value: Buffer.from([s.resultCode]) }];
  if (s.amount !== undefined) bmps.push({ id: 0x04, value: amountToBcd(s.amount) });
  if (s.trace) bmps.push({ id: 0x0b, value: toBcd(s.trace, 3) });
  if (s.time) bmps.push({ id: 0x0c, value: toBcd(s.time, 3) });
  if (s.date) bmps.push({ id: 0x0d, value: toBcd(s.date, 2) });
  if (s.maskedPan) bmps.push({ id: 0x22, value: panToBcd(s.maskedPan) });
  if (s.terminalId) bmps.push({ id: 0x29, value: toBcd(s.terminalId, 4) });
  if (s.currency) bmps.push({ id: 0x49, value: toBcd(s.currency, 2) });
  if (s.receiptNumber) bmps.push({ id: 0x87, value: toBcd(s.receiptNumber, 2) });
  if (s.cardName) bmps.push({ id: 0x8b, value: latin1(s.cardName) });
  if (s.additional) bmps.push({ id: 0x3c, value: latin1(s.additional) });
  return apdu(C.STATUS_INFORMATION, encodeBmps(bmps));
}

/** Reads Status Information 04 0F. */
export function readStatusInformation(a: Apdu): StatusInfo {
  const bmps = decodeBmps(a.data, 0, `APDU ${apduLabel(a)}`);
  const get = (id: number): Buffer | undefined => findBmp(bmps, id)?.value;
  const rc = get(0x27);
  const out: StatusInfo = { resultCode: rc?.[0] ?? 0 };
  const amount = get(0x04);
  if (amount) {
    const v = amountFromBcd(amount);
    if (v !== undefined) out.amount = v;
  }
  const bcd = (id: number): string | undefined => {
    const v = get(id);
    return v ? fromBcd(v) : undefined;
  };
  const set = <K extends keyof StatusInfo>(k: K, v: StatusInfo[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('trace', bcd(0x0b));
  set('time', bcd(0x0c));
  set('date', bcd(0x0d));
  const pan = get(0x22);
  if (pan) out.maskedPan = panFromBcd(pan);
  set('terminalId', bcd(0x29));
  set('currency', bcd(0x49));
  set('receiptNumber', bcd(0x87));
  set('cardName', get(0x8b)?.toString('latin1'));
  set('additional', get(0x3c)?.toString('latin1'));
  return out;
}

/** Reads Intermediate Status 04 FF: the status code and the display lines of its TLV, if any. */
export function readIntermediateStatus(a: Apdu): { status: number; lines: string[] } {
  const status = a.data[0];
  if (status === undefined)
    throw new ZvtDecodeError('E_ZVT_APDU', `APDU ${apduLabel(a)}`, 0, 'status byte missing');
  // After the status: an optional timeout byte, then optional BMPs (06).
  let at = 1;
  if (a.data.length > 1 && a.data[1] !== 0x06) at = 2;
  const bmps = at < a.data.length ? decodeBmps(a.data, at, `APDU ${apduLabel(a)}`) : [];
  const tlv = findBmp(bmps, 0x06)?.tlv;
  return { status, lines: textLines(findTlv(tlv, TLV_TAGS.DISPLAY_TEXTS)) };
}

/** Reads Print Text-Block 06 D3: the receipt type and lines. */
export function readTextBlock(a: Apdu): { type: keyof typeof RECEIPT_TYPES; lines: string[] } {
  const bmps = decodeBmps(a.data, 0, `APDU ${apduLabel(a)}`);
  const texts = findTlv(findBmp(bmps, 0x06)?.tlv, TLV_TAGS.PRINT_TEXTS);
  const t = findTlv(texts?.children, TLV_TAGS.RECEIPT_TYPE)?.value?.[0];
  const type = t === 2 ? 'customer' : t === 3 ? 'administration' : 'merchant';
  return { type, lines: textLines(texts) };
}

/** Reads Print Line 06 D1: attribute and text. */
export function readPrintLine(a: Apdu): { attribute: number; text: string } {
  const attribute = a.data[0];
  if (attribute === undefined)
    throw new ZvtDecodeError('E_ZVT_APDU', `APDU ${apduLabel(a)}`, 0, 'attribute byte missing');
  return { attribute, text: a.data.subarray(1).toString('latin1') };
}

/** The error code of Abort 06 1E (FF when missing). */
export function readAbortCode(a: Apdu): number {
  return a.data[0] ?? 0xff;
}

/** Reads a command the cash register sent; undefined for a command payhil does not serve. */
export function readRequest(a: Apdu): ZvtRequest | undefined {
  const label = `APDU ${apduLabel(a)}`;
  const password = (): string => {
    if (a.data.length < 3)
      throw new ZvtDecodeError('E_ZVT_APDU', label, a.data.length, 'password (3 bytes BCD) truncated');
    return fromBcd(a.data.subarray(0, 3));
  };
  const amountOf = (bmps: Bmp[]): number | undefined => {
    const v = findBmp(bmps, 0x04)?.value;
    if (!v) return undefined;
    const n = amountFromBcd(v);
    if (n === undefined)
      throw new ZvtDecodeError('E_ZVT_BMP', `${label} BMP 04 (amount)`, 0, 'not BCD digits');
    return n;
  };
  const receipt = (bmps: Bmp[]): string | undefined => {
    const v = findBmp(bmps, 0x87)?.value;
    return v ? fromBcd(v) : undefined;
  };
  switch (commandOf(a)) {
    case C.REGISTRATION: {
      const pw = password();
      const cfg = a.data[3];
      if (cfg === undefined) throw new ZvtDecodeError('E_ZVT_APDU', label, 3, 'config-byte missing');
      // The currency code follows without a BMP number when the next byte is not a BMP (03 or 06).
      let at = 4;
      let currency: string | undefined;
      if (a.data.length >= 6 && a.data[4] !== 0x03 && a.data[4] !== 0x06) {
        currency = fromBcd(a.data.subarray(4, 6));
        at = 6;
      }
      const bmps = decodeBmps(a.data, at, label);
      return { kind: 'registration', password: pw, configByte: cfg, ...(currency ? { currency } : {}), bmps };
    }
    case C.AUTHORIZATION: {
      const bmps = decodeBmps(a.data, 0, label);
      const amount = amountOf(bmps);
      const cc = findBmp(bmps, 0x49)?.value;
      return {
        kind: 'authorization',
        ...(amount !== undefined ? { amount } : {}),
        ...(cc ? { currency: fromBcd(cc) } : {}),
        bmps,
      };
    }
    case C.PRE_AUTHORISATION: {
      const bmps = decodeBmps(a.data, 0, label);
      const amount = amountOf(bmps);
      return { kind: 'preAuthorisation', ...(amount !== undefined ? { amount } : {}), bmps };
    }
    case C.REVERSAL: {
      const pw = password();
      const bmps = decodeBmps(a.data, 3, label);
      const r = receipt(bmps);
      return { kind: 'reversal', password: pw, ...(r ? { receiptNumber: r } : {}), bmps };
    }
    case C.REFUND: {
      const pw = password();
      const bmps = decodeBmps(a.data, 3, label);
      const amount = amountOf(bmps);
      const r = receipt(bmps);
      return {
        kind: 'refund',
        password: pw,
        ...(amount !== undefined ? { amount } : {}),
        ...(r ? { receiptNumber: r } : {}),
        bmps,
      };
    }
    case C.END_OF_DAY:
      return { kind: 'endOfDay', password: password() };
    case C.INITIALISATION:
      return { kind: 'initialisation', password: password() };
    case C.DIAGNOSIS:
      return { kind: 'diagnosis', bmps: decodeBmps(a.data, 0, label) };
    case C.ABORT_ECR:
      return { kind: 'abort' };
    case C.LOG_OFF:
      return { kind: 'logOff' };
    default:
      return undefined;
  }
}

/** True for 80 00 00. */
export function isAck(a: Apdu): boolean {
  return a.cls === 0x80 && a.ins === 0x00;
}

/** True for 84 xx (negative acknowledgement). */
export function isNak(a: Apdu): boolean {
  return a.cls === NAK_CLASS;
}

function latin1(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}
