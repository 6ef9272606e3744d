import { EcrMessageError } from './errors.js';
import {
  CARD_ACTIONS,
  ECR_DEVICES,
  ECR_DEVICE_CONDITIONS,
  ECR_KEYS,
  ECR_MODES,
  ECR_OPS,
  MMDD_PATTERN,
  type EcrEvent,
  type EcrMessage,
  type EcrRequest,
  type EcrResponse,
} from './ecr-messages.js';
import { ECR_PROTOCOL_VERSION } from './wire-codes.js';

/** Compact UTF-8 JSON of a message: what goes between SEQ and ETX. */
export function encodeMessage(message: EcrMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

type Json = Record<string, unknown>;

/**
 * Parses and checks a payload. Throws `EcrMessageError` with the JSON path at fault and, for requests,
 * the wire code to refuse with (UNSUPPORTED_VERSION, UNKNOWN_OP, BAD_REQUEST) and the request id.
 */
export function decodeMessage(payload: Buffer): EcrMessage {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw new EcrMessageError('', `not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EcrMessageError('', 'not a JSON object');
  }
  const m = value as Json;
  const id = typeof m.id === 'number' ? m.id : undefined;
  const op = typeof m.op === 'string' ? m.op : undefined;
  const ctx = { id, op };
  if (m.v !== ECR_PROTOCOL_VERSION) {
    throw new EcrMessageError('v', `protocol version ${JSON.stringify(m.v)}, expected 1`, {
      ...ctx,
      wireCode: 'UNSUPPORTED_VERSION',
    });
  }
  switch (m.kind) {
    case 'request':
      checkRequest(m);
      return m as unknown as EcrRequest;
    case 'response':
      checkResponse(m);
      return m as unknown as EcrResponse;
    case 'event':
      checkEvent(m);
      return m as unknown as EcrEvent;
    default:
      throw new EcrMessageError('kind', `expected "request", "response" or "event"`, ctx);
  }
}

function isId(x: unknown): x is number {
  return Number.isInteger(x) && (x as number) >= 1 && (x as number) <= 0x7fffffff;
}

function checkRequest(m: Json): void {
  const id = isId(m.id) ? m.id : undefined;
  const op = typeof m.op === 'string' ? m.op : undefined;
  const bad = (path: string, msg: string): never => {
    throw new EcrMessageError(path, msg, { id, op });
  };
  if (id === undefined) bad('id', 'expected an integer 1..2147483647');
  if (op === undefined) bad('op', 'expected a string');
  if (!(ECR_OPS as readonly string[]).includes(op as string)) {
    throw new EcrMessageError('op', `unknown op "${op}"`, { id, op, wireCode: 'UNKNOWN_OP' });
  }
  const amount = (required: boolean): void => {
    if (m.amount === undefined && !required) return;
    if (!Number.isSafeInteger(m.amount) || (m.amount as number) <= 0) {
      bad('amount', 'expected a positive integer in minor units');
    }
  };
  const optString = (key: string, re: RegExp, what: string): void => {
    if (m[key] === undefined) return;
    if (typeof m[key] !== 'string' || !re.test(m[key] as string)) bad(key, `expected ${what}`);
  };
  const reqString = (key: string, re: RegExp, what: string): void => {
    if (m[key] === undefined) bad(key, `missing (${what})`);
    optString(key, re, what);
  };
  const currency = () => optString('currency', /^\d{3}$/, 'an ISO 4217 numeric code, 3 digits');
  const ecrRef = () => optString('ecrReference', /^.{1,32}$/u, '1 to 32 characters');
  const reference = /^[0-9A-Za-z]{1,12}$/;
  switch (op) {
    case 'purchase':
    case 'preAuth':
      amount(true);
      currency();
      ecrRef();
      return;
    case 'withdraw':
      amount(true);
      currency();
      return;
    case 'void':
      reqString('originalReference', reference, 'a retrieval reference, 1-12 letters or digits');
      amount(false);
      ecrRef();
      return;
    case 'refund':
      amount(true);
      currency();
      reqString('originalReference', reference, 'a retrieval reference, 1-12 letters or digits');
      optString('originalDate', MMDD_PATTERN, 'MMDD');
      ecrRef();
      return;
    case 'readReceipt':
      if (m.copy !== undefined && m.copy !== 'merchant' && m.copy !== 'customer') {
        bad('copy', 'expected "merchant" or "customer"');
      }
      return;
    case 'key': {
      const keys = m.keys;
      if (!Array.isArray(keys) || keys.length < 1 || keys.length > 64) bad('keys', 'expected 1 to 64 keys');
      (keys as unknown[]).forEach((k, i) => {
        if (typeof k !== 'string' || !(ECR_KEYS as readonly string[]).includes(k)) {
          bad(`keys[${i}]`, `unknown key ${JSON.stringify(k)}`);
        }
      });
      return;
    }
    case 'card': {
      if (!(CARD_ACTIONS as readonly unknown[]).includes(m.action)) {
        bad('action', `expected one of ${CARD_ACTIONS.join(', ')}`);
      }
      if (m.action !== 'remove') reqString('card', /^.{1,256}$/u, 'a card fixture name or path');
      if (m.holdMs !== undefined && (!Number.isSafeInteger(m.holdMs) || (m.holdMs as number) < 0)) {
        bad('holdMs', 'expected a non-negative integer (ms)');
      }
      checkCardRef(m, bad);
      return;
    }
    case 'cardState':
      optString('card', /^.{1,256}$/u, 'a card fixture name or path');
      if (m.fixture !== undefined && m.card === undefined)
        bad('card', 'missing (the name of the inline card)');
      checkCardRef(m, bad);
      return;
    case 'trace':
      if (typeof m.apdu !== 'boolean') bad('apdu', 'expected true or false');
      return;
    case 'device':
      if (!(ECR_DEVICES as readonly unknown[]).includes(m.device))
        bad('device', `expected one of ${ECR_DEVICES.join(', ')}`);
      if (!(ECR_DEVICE_CONDITIONS as readonly unknown[]).includes(m.condition))
        bad('condition', `expected one of ${ECR_DEVICE_CONDITIONS.join(', ')}`);
      if (m.condition === 'weak' && m.device !== 'contactless')
        bad('condition', "'weak' is for the contactless field only");
      return;
    case 'clock': {
      const given = ['set', 'advance', 'reset'].filter((k) => m[k] !== undefined);
      if (given.length !== 1) bad('set', 'exactly one of set, advance, reset');
      if (m.set !== undefined && (typeof m.set !== 'string' || m.set.length > 40))
        bad('set', 'an ISO 8601 date and time');
      if (
        m.advance !== undefined &&
        (typeof m.advance !== 'number' || !Number.isFinite(m.advance) || m.advance < 0)
      )
        bad('advance', 'milliseconds forward (a number >= 0)');
      if (m.reset !== undefined && m.reset !== true) bad('reset', 'true');
      return;
    }
    case 'mode':
      if (!(ECR_MODES as readonly unknown[]).includes(m.mode))
        bad('mode', `expected one of ${ECR_MODES.join(', ')}`);
      return;
    default:
      return;
  }
}

/** `fixture` (an inline card: an object with `extends`) and `options` (an object) of card requests. */
function checkCardRef(m: Json, bad: (path: string, msg: string) => never): void {
  if (m.fixture !== undefined) {
    if (typeof m.fixture !== 'object' || m.fixture === null || Array.isArray(m.fixture))
      bad('fixture', 'expected an object (an inline card)');
    const base = (m.fixture as Json).extends;
    if (typeof base !== 'string' || !/^.{1,256}$/u.test(base))
      bad('fixture.extends', 'expected the card fixture it extends (name or path)');
  }
  if (
    m.options !== undefined &&
    (typeof m.options !== 'object' || m.options === null || Array.isArray(m.options))
  ) {
    bad('options', 'expected an object');
  }
}

function checkResponse(m: Json): void {
  const id = isId(m.id) ? m.id : undefined;
  if (id === undefined) throw new EcrMessageError('id', 'expected an integer 1..2147483647');
  if (typeof m.op !== 'string') throw new EcrMessageError('op', 'expected a string', { id });
  if (m.ok === true) {
    if (typeof m.result !== 'object' || m.result === null) {
      throw new EcrMessageError('result', 'expected an object', { id });
    }
    checkMaskedPan((m.result as Json).maskedPan, 'result.maskedPan');
  } else if (m.ok === false) {
    checkErrorBody(m.error, 'error');
  } else throw new EcrMessageError('ok', 'expected true or false', { id });
}

function checkEvent(m: Json): void {
  const lines = (key: string) => {
    const l = m[key];
    if (!Array.isArray(l) || !l.every((x) => typeof x === 'string')) {
      throw new EcrMessageError(key, 'expected an array of strings');
    }
  };
  switch (m.event) {
    case 'display':
      lines('lines');
      return;
    case 'state':
      if (typeof m.state !== 'string') throw new EcrMessageError('state', 'expected a string');
      return;
    case 'receipt':
      if (typeof m.text !== 'string') throw new EcrMessageError('text', 'expected a string');
      return;
    case 'result':
      if (typeof m.result !== 'object' || m.result === null) {
        throw new EcrMessageError('result', 'expected an object');
      }
      checkMaskedPan((m.result as Json).maskedPan, 'result.maskedPan');
      return;
    case 'indicator':
      return;
    case 'apdu':
      if (m.via !== 'contact' && m.via !== 'contactless')
        throw new EcrMessageError('via', 'expected "contact" or "contactless"');
      for (const k of ['command', 'response'])
        if (typeof m[k] !== 'string' || (m[k] as string).length > 2 * 65_544)
          throw new EcrMessageError(k, 'expected a string (hex)');
      if (typeof m.ms !== 'number' || !(m.ms >= 0)) throw new EcrMessageError('ms', 'expected a number ≥ 0');
      checkApduMasked(m.command as string);
      return;
    case 'error':
      checkErrorBody(m.error, 'error');
      return;
    default:
      throw new EcrMessageError('event', `unknown event ${JSON.stringify(m.event)}`);
  }
}

function checkErrorBody(e: unknown, path: string): void {
  if (typeof e !== 'object' || e === null) throw new EcrMessageError(path, 'expected {code, message}');
  const { code, message } = e as Json;
  if (typeof code !== 'string' || typeof message !== 'string') {
    throw new EcrMessageError(path, 'expected {code: string, message: string}');
  }
}

/**
 * An APDU trace with a PIN block in clear is a product fault: a VERIFY command (INS 20) must carry
 * `<PIN block redacted>` after its header, never its data.
 */
function checkApduMasked(command: string): void {
  if (/^[0-9A-F]{2}20/i.test(command) && command.length > 10 && !/redacted/.test(command))
    throw new EcrMessageError('command', 'a VERIFY command with its PIN block in clear');
}

/** A PAN in clear on the ECR link is a product fault: only first 6 / last 4 may be digits. */
function checkMaskedPan(p: unknown, path: string): void {
  if (p === undefined) return;
  if (typeof p !== 'string' || !/^\d{6}\*{3,9}\d{4}$/.test(p)) {
    throw new EcrMessageError(path, 'expected a masked PAN (first 6 and last 4 digits, "*" between)');
  }
}
