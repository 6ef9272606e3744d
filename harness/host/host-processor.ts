/**
 * The acquirer + issuer logic: one request message in, one answer out (or none). Synchronous from the
 * first check to the last state change, so concurrent connections never interleave inside one
 * transaction (no lost update on a shared account). The server (host-server.ts) does I/O and timing.
 *
 * Message conventions (UnionPay POS, JR/T 0001 style):
 *  - 0800/0810 sign-in (60.3 = key scheme), 0820/0830 echo (60.3 = 301) or sign-out (60.3 = 002);
 *  - 0200 `00xxxx` purchase (with 25 = 06: pre-authorisation completion), `01xxxx` ATM withdrawal,
 *    `20xxxx` void (original by field 37, else field 61 = batch ‖ STAN), `31xxxx` balance inquiry;
 *  - 0100 `03xxxx` pre-authorisation, `20xxxx` pre-authorisation void;
 *  - 0220 `20xxxx` refund (original by 37/61 when given, same card), `00xxxx` offline purchase notification;
 *  - 0400/0420 reversal: the original is the same terminal + batch (60.2) + STAN (field 11);
 *  - 0500 settlement: field 48 = debit amount(12) ‖ debit count(3) ‖ credit amount(12) ‖ credit count(3)
 *    ‖ result(1) [‖ the same for foreign cards]; the answer sets result 1 (balanced) or 2 (not);
 *  - 0320 batch upload: a known transaction (terminal + batch + STAN) is confirmed; an unknown one is an
 *    offline transaction (EC when field 55 carries 9F74) and is booked. The 0320 with 60.3 = 202 ends the
 *    batch upload that follows a settlement: its field 48 (n4) must be the number of 0320s of that batch
 *    received since the 0500 (whatever answered it: a rule may have said unbalanced), else 95.
 */
import { decryptTrack, fromHex, toHex } from '../crypto/index.js';
import { encodeTlv, flattenTlv, parseTlv } from '../emv/index.js';
import { matchFields } from '../common/matcher.js';
import type { Dialect, IsoMessage } from '../iso8583/index.js';
import { EMPTY_FIELDS_64, getPath, setPath } from '../iso8583/index.js';
import {
  MessageMac,
  NETWORK_CODE,
  NO_PAN,
  RC,
  SessionKeyCache,
  field60,
  field60Batch,
  field60NetworkCode,
  isKeyScheme,
  MESSAGE_TYPE_CODE,
  pinBlockWithoutPan,
  pinFieldHolds,
  readField61,
  readBatchUploadEndCount,
  readSettlementTotals,
  settlementAnswerField,
  tracksEncrypted,
  type KeyScheme,
} from '../pos-protocol/index.js';
import type { AccountSpec } from './account-store.js';
import { AccountStore } from './account-store.js';
import type { HostConfig, RiskRuleConfig } from './host-config.js';
import type { RuleAction } from './host-rule.js';
import { issuerAuthData, verifyArqc, type ArqcCheck } from './issuer-crypto.js';
import { RuleEngine } from './rule-engine.js';
import { TerminalRegistry, type KnownTerminal } from './terminal-registry.js';
import { TransactionLedger, txKey, type Effect, type TxKind, type TxRecord } from './transaction-ledger.js';

/** What the server should do with a request. */
export interface Outcome {
  /** The answer; undefined = send nothing. */
  response?: IsoMessage;
  /** Close the connection (after the delay, without answering). */
  close?: boolean;
  delayMs?: number;
  /** Id of the rule that shaped this outcome. */
  rule?: string;
  /** With `deferMac`: the MAK the caller must MAC the encoded answer with (absent = no MAC). */
  mak?: Buffer;
  /** With `deferMac`: corrupt the MAC (a rule asked for a bad MAC). */
  badMac?: boolean;
}

/** Options of one `handle` call (the TCP server uses them to work on the raw bytes). */
export interface HandleOptions {
  /**
   * The request's frame as received, when its MAC can be checked on the frame's bytes
   * (`macs.onFrame(req)`): saves re-encoding the message.
   */
  macFrame?: Uint8Array | undefined;
  /** Do not MAC the answer: return the MAK in the outcome and let the caller MAC the encoded frame. */
  deferMac?: boolean;
}

/** Fields copied from a request into its answer when the dialect has them. */
const ECHO_FIELDS = [2, 3, 4, 11, 14, 22, 23, 25, 41, 42, 49, 60];
/** Options of AccountStore.debit for an authorisation (shared, never changed). */
const HOLD = { hold: true } as const;
const DEBIT = { hold: false } as const;
const MAC_FIELD = 64;

export interface ProcessorOptions {
  dialect: Dialect;
  config: HostConfig;
  accounts: AccountSpec[];
  /** Clock, for tests (default: the system clock). */
  now?: () => Date;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** True for 0[1-9][0-9][0-9] with an even third digit (a request or advice, not an answer). */
function isRequestMti(mti: string): boolean {
  if (mti.length !== 4 || mti.charCodeAt(0) !== 48) return false;
  const a = mti.charCodeAt(1);
  const b = mti.charCodeAt(2);
  const c = mti.charCodeAt(3);
  return a >= 49 && a <= 57 && b >= 48 && b <= 57 && (b & 1) === 0 && c >= 48 && c <= 57;
}

/** The value of 1 to 12 decimal digits, or undefined for anything else (field 4 and the like). */
function digitsValue(s: string): number | undefined {
  const n = s.length;
  if (n < 1 || n > 12) return undefined;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return v;
}

/** True for exactly four decimal digits (YYMM). */
function isYymm(s: string): boolean {
  if (s.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The first two characters of a processing code as a number 0–99 (transaction type), or -1. */
function transactionType(proc: string): number {
  if (proc.length < 2) return -1;
  const a = proc.charCodeAt(0) - 48;
  const b = proc.charCodeAt(1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** What cardChecks found: the response code, and the account and ARQC check when it got that far. */
interface CardCheck {
  code: string;
  acc: AccountSpec | undefined;
  arqc: ArqcCheck | undefined;
}

/** The answer MTI of a request MTI: third digit + 1 (0200 → 0210, 0420 → 0430). */
export function responseMti(mti: string): string {
  return mti.slice(0, 2) + String(Number(mti[2]) + 1) + mti[3];
}

export class HostProcessor {
  readonly dialect: Dialect;
  readonly accounts: AccountStore;
  readonly ledger: TransactionLedger;
  readonly terminals: TerminalRegistry;
  readonly rules = new RuleEngine();
  private readonly config: HostConfig;
  private readonly clock: () => Date;
  /** The time of the request being handled (one clock read per request). */
  private current: Date | undefined;
  private rrn = 0;
  private readonly has: boolean[];
  /** The session keys held with their key schedules (MAC and PIN block, request after request). */
  private readonly keys = new SessionKeyCache();
  /** The dialect's MAC (pos-protocol), on the same held keys. */
  readonly macs: MessageMac;
  /** The last request MTI seen and its answer MTI (a busy host sees the same few over and over). */
  private lastMti = '';
  private lastResponseMti = '';
  /** Terminal id, batch and txKey prefix of the ledger record made last (see newRecord). */
  private recordTerminalId = '';
  private recordBatch = '';
  private recordKeyPrefix = '';
  /** The PIN block of the request being handled, as bytes (encrypted, then decrypted in place). */
  private readonly pinScratch = Buffer.alloc(8);
  /** Per terminal id: the batch of its last 0500 and the 0320s of that batch received since. */
  private readonly batchUploads = new Map<string, { batch: string; count: number }>();

  constructor(options: ProcessorOptions) {
    this.dialect = options.dialect;
    this.config = options.config;
    this.clock = options.now ?? (() => new Date());
    this.accounts = new AccountStore(options.accounts);
    this.ledger = new TransactionLedger(options.config.ledgerSize ?? 100000);
    this.terminals = new TerminalRegistry(options.config.terminals);
    this.has = Array.from({ length: 129 }, (_, i) => this.dialect.fields[i] !== undefined);
    this.macs = new MessageMac(this.dialect, this.keys);
  }

  private now(): Date {
    return this.current ?? this.clock();
  }

  /** Back to the opening state: balances, PIN tries, sign-ins, transactions, rules. */
  reset(): void {
    this.accounts.reset();
    this.ledger.clear();
    this.terminals.reset();
    this.rules.clear();
    this.batchUploads.clear();
  }

  /** Reads a field path of a message for rules ("mti" included); undefined when absent or unknown. */
  read(msg: IsoMessage, path: string): unknown {
    if (path === 'mti') return msg.mti;
    if (/^\d+$/.test(path)) return msg.fields[Number(path)];
    try {
      return getPath(this.dialect, msg, path);
    } catch {
      return undefined;
    }
  }

  /** Handles one decoded request. Never throws for bad input: answers `30` or nothing instead. */
  handle(req: IsoMessage, opts: HandleOptions = {}): Outcome {
    this.current = this.clock();
    try {
      return this.handleNow(req, opts);
    } finally {
      this.current = undefined;
    }
  }

  private handleNow(req: IsoMessage, opts: HandleOptions): Outcome {
    const hit = this.rules.size === 0 ? undefined : this.rules.evaluate((p) => this.read(req, p));
    const action: RuleAction | undefined = hit?.action;
    const out: Outcome = {};
    if (hit) out.rule = hit.id;
    if (action?.delayMs) out.delayMs = action.delayMs;
    const skip =
      action?.process === false || (action?.fields?.['39'] !== undefined && action.process !== true);
    if (action?.close) {
      out.close = true;
      if (!skip) this.process(req, opts);
      return out;
    }
    let response: IsoMessage | undefined;
    let terminal: KnownTerminal | undefined;
    if (skip) {
      terminal = this.terminals.find(req.fields[41], req.fields[42]);
      response = isRequestMti(req.mti) ? this.base(req) : undefined;
    } else {
      const r = this.process(req, opts);
      response = r.response;
      terminal = r.terminal;
    }
    if (action?.noAnswer || !response) return out;
    if (action?.fields) {
      for (const [path, value] of Object.entries(action.fields)) {
        if (value === null) {
          if (/^\d+$/.test(path)) delete response.fields[Number(path)];
          continue;
        }
        if (/^\d+$/.test(path)) response.fields[Number(path)] = String(value);
        else setPath(this.dialect, response, path, String(value));
      }
    }
    if (action?.mti) response.mti = action.mti;
    if (action?.stan) response.fields[11] = action.stan;
    const mak = terminal?.session?.mak;
    if (opts.deferMac) {
      if (mak && this.has[MAC_FIELD]) out.mak = mak;
      if (action?.badMac) out.badMac = true;
    } else if (mak && this.has[MAC_FIELD]) {
      this.mac(response, mak);
      if (action?.badMac) {
        const f = response.fields[MAC_FIELD] as string;
        response.fields[MAC_FIELD] = (f[0] === '0' ? '1' : '0') + f.slice(1);
      }
    } else if (action?.badMac && this.has[MAC_FIELD]) response.fields[MAC_FIELD] = '0000000000000000';
    out.response = response;
    return out;
  }

  /** Sets the MAC field of the message to its MAC under `mak` (pos-protocol's MAC application). */
  mac(msg: IsoMessage, mak: Buffer): void {
    this.macs.apply(msg, mak);
  }

  /**
   * True when the MAC field of `msg` is its MAC under `mak`: on the bytes of `frame` (the request as
   * received, for which `macs.onFrame(msg)` holds) when given, else on the message re-encoded.
   */
  verifyMac(msg: IsoMessage, mak: Buffer, frame?: Uint8Array): boolean {
    if (frame === undefined) return this.macs.verify(msg, mak);
    const got = msg.fields[MAC_FIELD];
    return got !== undefined && this.macs.verifyFrame(mak, frame, got);
  }

  // ---------------------------------------------------------------------------------------------

  private process(req: IsoMessage, opts: HandleOptions): { response?: IsoMessage; terminal?: KnownTerminal } {
    if (!isRequestMti(req.mti)) return {};
    const terminal = this.terminals.find(req.fields[41], req.fields[42]);
    const resp = this.base(req);
    if (req.mti === '0820' && this.netCode(req) !== '002') return this.reply(resp, terminal, RC.APPROVED);
    if (!terminal) return { response: this.withCode(resp, RC.TERMINAL_UNKNOWN) };
    if (req.mti === '0800') return { response: this.signIn(req, resp, terminal), terminal };
    const session = terminal.session;
    if (!session) return { response: this.withCode(resp, RC.SIGN_IN_REQUIRED) };
    if (req.fields[MAC_FIELD] !== undefined) {
      if (!this.verifyMac(req, session.mak, opts.macFrame)) return this.reply(resp, terminal, RC.BAD_MAC);
    } else if (this.config.requireMac && req.mti !== '0820') return this.reply(resp, terminal, RC.BAD_MAC);
    const tt = transactionType(req.fields[3] ?? '');
    return this.reply(resp, terminal, this.transaction(req, resp, terminal, tt));
  }

  /** Sets the response code; the shape `process` returns. */
  private reply(
    resp: IsoMessage,
    terminal: KnownTerminal | undefined,
    code: string,
  ): { response: IsoMessage; terminal?: KnownTerminal } {
    resp.fields[39] = code;
    return terminal ? { response: resp, terminal } : { response: resp };
  }

  /** Runs a MAC-checked request of a signed-in terminal; `tt` is the transaction type (3.1–2) or -1. */
  private transaction(req: IsoMessage, resp: IsoMessage, terminal: KnownTerminal, tt: number): string {
    switch (req.mti) {
      case '0820':
        this.terminals.signOut(terminal);
        return RC.APPROVED;
      case '0200':
        if (tt === 0)
          return req.fields[25] === '06'
            ? this.completion(req, resp, terminal)
            : this.authorise(req, resp, terminal, 'purchase');
        if (tt === 1) return this.authorise(req, resp, terminal, 'withdrawal');
        if (tt === 20) return this.voidTx(req, resp, terminal);
        if (tt === 31) return this.authorise(req, resp, terminal, 'balance');
        return RC.INVALID_TRANSACTION;
      case '0100':
        if (tt === 3) return this.authorise(req, resp, terminal, 'preauth');
        if (tt === 20) return this.voidTx(req, resp, terminal);
        return RC.INVALID_TRANSACTION;
      case '0220':
        if (tt === 20) return this.refund(req, resp, terminal);
        if (tt === 0) return this.upload(req, terminal);
        return RC.INVALID_TRANSACTION;
      case '0400':
      case '0420':
        return this.reversal(req, terminal);
      case '0500':
        return this.settlement(req, resp, terminal);
      case '0320':
        if (field60NetworkCode(req.fields[60]) === NETWORK_CODE.BATCH_UPLOAD_END)
          return this.uploadEnd(req, terminal);
        return this.upload(req, terminal);
      default:
        return RC.INVALID_TRANSACTION;
    }
  }

  private withCode(resp: IsoMessage, code: string): IsoMessage {
    resp.fields[39] = code;
    return resp;
  }

  /** The answer skeleton: echo fields, host time and date. */
  private base(req: IsoMessage): IsoMessage {
    // Room for fields up to 64 from the start (the element store is not grown field by field).
    const fields: Record<number, string> = { ...EMPTY_FIELDS_64 };
    for (let i = ECHO_FIELDS.length - 1; i >= 0; i--) {
      const n = ECHO_FIELDS[i]!;
      const v = req.fields[n];
      if (v !== undefined && this.has[n]) fields[n] = v;
    }
    const [time, date] = this.timeFields();
    if (this.has[12]) fields[12] = time;
    if (this.has[13]) fields[13] = date;
    if (this.has[32] && this.config.acquirerId) fields[32] = this.config.acquirerId;
    if (req.mti !== this.lastMti) {
      this.lastResponseMti = responseMti(req.mti);
      this.lastMti = req.mti;
    }
    return { mti: this.lastResponseMti, fields };
  }

  private clockSecond = -1;
  private clockFields: [string, string, string] = ['000000', '0101', '0001'];

  /** Field 12 (hhmmss), field 13 (MMDD) and the YYMM of the current time, formatted once per second. */
  private timeFields(): [string, string, string] {
    const now = this.now();
    const second = Math.floor(now.getTime() / 1000);
    if (second !== this.clockSecond) {
      this.clockSecond = second;
      this.clockFields = [
        pad2(now.getHours()) + pad2(now.getMinutes()) + pad2(now.getSeconds()),
        pad2(now.getMonth() + 1) + pad2(now.getDate()),
        pad2(now.getFullYear() % 100) + pad2(now.getMonth() + 1),
      ];
    }
    return this.clockFields;
  }

  private netCode(req: IsoMessage): string | undefined {
    return field60NetworkCode(req.fields[60]);
  }

  private batchOf(req: IsoMessage, t: KnownTerminal): string {
    return field60Batch(req.fields[60]) ?? t.batch;
  }

  private nextRrn(): string {
    this.rrn = (this.rrn + 1) % 1e12;
    return String(this.rrn).padStart(12, '0');
  }

  // ---- sign-in --------------------------------------------------------------------------------

  private signIn(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): IsoMessage {
    const asked = this.netCode(req);
    const scheme: KeyScheme = isKeyScheme(asked)
      ? asked
      : (this.config.keyScheme ?? NETWORK_CODE.SIGN_IN_DOUBLE_TDK);
    this.terminals.signIn(t, scheme, this.now().getTime());
    if (this.has[62]) resp.fields[62] = this.terminals.keyField(t) as string;
    if (this.has[60])
      resp.fields[60] = field60({
        messageType: MESSAGE_TYPE_CODE.NETWORK,
        batch: t.batch,
        networkCode: scheme,
      });
    if (this.has[37]) resp.fields[37] = this.nextRrn();
    resp.fields[39] = RC.APPROVED;
    return resp;
  }

  // ---- card checks ----------------------------------------------------------------------------

  private panOf(req: IsoMessage, t: KnownTerminal): string | undefined {
    if (req.fields[2]) return req.fields[2];
    let track2 = req.fields[35];
    if (track2 !== undefined) {
      if (tracksEncrypted(req.fields[53]) && t.session?.tdk) {
        try {
          track2 = decryptTrack(t.session.tdk, track2);
        } catch {
          return undefined;
        }
      }
      const m = /^(\d{12,19})[=D]/i.exec(track2);
      if (m) return m[1];
    }
    const icc = this.iccTags(req);
    const pan5a = icc?.get('5A');
    if (pan5a) return toHex(pan5a).replace(/F+$/, '');
    return undefined;
  }

  private iccTags(req: IsoMessage): Map<string, Buffer> | undefined {
    const f55 = req.fields[55];
    if (f55 === undefined) return undefined;
    try {
      return flattenTlv(parseTlv(fromHex(f55)));
    } catch {
      return undefined;
    }
  }

  private expired(acc: AccountSpec, req: IsoMessage): boolean {
    const yymm = this.timeFields()[2];
    const exp = acc.expiry ?? req.fields[14];
    return exp !== undefined && isYymm(exp) && exp < yymm;
  }

  private risky(rules: readonly RiskRuleConfig[], req: IsoMessage): boolean {
    for (const r of rules) if (matchFields(r.match, (p) => this.read(req, p)).ok) return true;
    return false;
  }

  /**
   * The issuer's checks common to every card transaction, in the order a real issuer runs them. Returns
   * a response code to decline with, or the account and the ARQC check to continue.
   */
  private cardChecks(req: IsoMessage, resp: IsoMessage, t: KnownTerminal, pinRequired: boolean): CardCheck {
    const pan = this.panOf(req, t);
    if (!pan) return { code: RC.FORMAT_ERROR, acc: undefined, arqc: undefined };
    const acc = this.accounts.spec(pan);
    if (!acc) return { code: RC.NO_SUCH_CARD, acc: undefined, arqc: undefined };
    if (resp.fields[2] === undefined && this.has[2]) resp.fields[2] = pan;
    // ARQC first (it needs no state); the ARPC is attached whatever the final code is.
    let arqc: ArqcCheck | undefined;
    const tags = this.iccTags(req);
    if (tags?.has('9F26') && acc.imkAc) {
      const psn =
        req.fields[23] ?? (tags.get('5F34') ? toHex(tags.get('5F34') as Buffer) : (acc.psn ?? '00'));
      arqc = verifyArqc(tags, { imkAc: fromHex(acc.imkAc), pan, psn: psn.slice(-2), cvn: acc.cvn ?? 18 });
    } else if (req.fields[55] !== undefined && !tags) return { code: RC.FORMAT_ERROR, acc, arqc: undefined };
    const state = this.accounts.peek(pan);
    const status = state?.status ?? acc.status;
    if (status === 'lost') return { code: RC.LOST_CARD, acc, arqc };
    if (status === 'closed') return { code: RC.DO_NOT_HONOUR, acc, arqc };
    if (status === 'frozen') return { code: RC.RESTRICTED, acc, arqc };
    if (this.expired(acc, req)) return { code: RC.EXPIRED_CARD, acc, arqc };
    if (acc.regions && acc.regions.length > 0 && !acc.regions.includes(t.config.region ?? ''))
      return { code: RC.RESTRICTED, acc, arqc };
    const pinBlock = req.fields[52];
    if (pinBlock !== undefined) {
      if ((state?.pinTriesLeft ?? 1) <= 0) return { code: RC.PIN_TRIES_EXCEEDED, acc, arqc };
      const r = this.accounts.checkPin(pan, this.pinMatches(pinBlock, t, req, pan, acc));
      if (r === 'wrong') return { code: RC.WRONG_PIN, acc, arqc };
      if (r === 'exceeded') return { code: RC.PIN_TRIES_EXCEEDED, acc, arqc };
    } else if (pinRequired) return { code: RC.WRONG_PIN, acc, arqc };
    if (arqc && !arqc.ok) return { code: RC.DO_NOT_HONOUR, acc, arqc };
    if ((this.config.risk !== undefined && this.risky(this.config.risk, req)) || this.risky(acc.risk, req))
      return { code: RC.RISK_DECLINE, acc, arqc };
    return { code: RC.APPROVED, acc, arqc };
  }

  /** Decrypts field 52 under the PIK and compares the PIN (format 0; 53 starting with 2 = no PAN). */
  private pinMatches(
    pinBlock: string,
    t: KnownTerminal,
    req: IsoMessage,
    pan: string,
    acc: AccountSpec,
  ): boolean {
    const pik = t.session?.pik;
    if (acc.pin === undefined || pik === undefined) return false;
    try {
      const account = pinBlockWithoutPan(req.fields[53]) ? NO_PAN : pan;
      return pinFieldHolds(this.keys.get(pik), pinBlock, account, acc.pin, this.pinScratch);
    } catch {
      return false;
    }
  }

  private attachArpc(resp: IsoMessage, arqc: ArqcCheck | undefined, code: string): void {
    if (!arqc || !this.has[55]) return;
    const data = issuerAuthData(arqc, code);
    if (data) resp.fields[55] = toHex(encodeTlv([{ tag: '91', value: data }]));
  }

  private amountOf(req: IsoMessage): number | undefined {
    const f4 = req.fields[4];
    return f4 === undefined ? undefined : digitsValue(f4);
  }

  private newRecord(
    req: IsoMessage,
    t: KnownTerminal,
    kind: TxKind,
    pan: string,
    amount: number,
    code: string,
    effects: Effect[] = [],
  ): TxRecord {
    const terminalId = t.config.terminalId;
    const batchNow = this.batchOf(req, t);
    // Consecutive records share their terminal and batch: one batch string and one key prefix
    // (`txKey` up to the STAN) serve them all, so a record that lives in the ledger holds less.
    if (batchNow !== this.recordBatch || terminalId !== this.recordTerminalId) {
      this.recordBatch = batchNow;
      this.recordTerminalId = terminalId;
      this.recordKeyPrefix = txKey(terminalId, batchNow, '');
    }
    const batch = this.recordBatch;
    const stan = req.fields[11] ?? '000000';
    const approved = code === RC.APPROVED;
    return {
      key: this.recordKeyPrefix + stan,
      terminalId: t.config.terminalId,
      merchantId: t.config.merchantId,
      batch,
      stan,
      rrn: '',
      authCode: '',
      kind,
      pan,
      amount,
      responseCode: code,
      state: approved ? 'approved' : 'declined',
      effects,
      refunded: 0,
      uploaded: false,
      settles:
        approved &&
        (kind === 'purchase' || kind === 'withdrawal' || kind === 'completion' || kind === 'offline')
          ? 1
          : approved && kind === 'refund'
            ? -1
            : 0,
      time: this.now().getTime(),
    };
  }

  private finish(rec: TxRecord, resp: IsoMessage): string {
    if (rec.state === 'approved') {
      rec.rrn = this.nextRrn();
      rec.authCode = rec.rrn.slice(-6);
      if (this.has[37]) resp.fields[37] = rec.rrn;
      if (this.has[38] && rec.kind !== 'balance') resp.fields[38] = rec.authCode;
    }
    this.ledger.add(rec);
    return rec.responseCode;
  }

  // ---- authorisations -------------------------------------------------------------------------

  private authorise(
    req: IsoMessage,
    resp: IsoMessage,
    t: KnownTerminal,
    kind: 'purchase' | 'withdrawal' | 'preauth' | 'balance',
  ): string {
    if (req.fields[11] === undefined) return RC.FORMAT_ERROR;
    const amount = kind === 'balance' ? 0 : this.amountOf(req);
    if (amount === undefined) return RC.FORMAT_ERROR;
    if (kind !== 'balance' && amount <= 0) return RC.INVALID_AMOUNT;
    const check = this.cardChecks(req, resp, t, kind === 'withdrawal' || kind === 'balance');
    if (!check.acc) return check.code;
    const acc = check.acc;
    let code = check.code;
    let effects: Effect[] | undefined;
    if (code === RC.APPROVED && kind !== 'balance') {
      const stop = this.accounts.debit(acc.pan, amount, this.now(), kind === 'preauth' ? HOLD : DEBIT);
      if (stop) code = stop;
      // The record's only effect: an array of exactly one (it lives as long as the record).
      else effects = [{ op: kind === 'preauth' ? 'hold' : 'debit', pan: acc.pan, amount }];
    }
    const rec = this.newRecord(req, t, kind, acc.pan, amount, code, effects);
    if (code === RC.APPROVED && kind === 'balance' && this.has[54]) {
      const s = this.accounts.get(acc.pan);
      if (s)
        resp.fields[54] =
          '10' +
          '02' +
          s.currency +
          (s.available < 0 ? 'D' : 'C') +
          String(Math.abs(s.available)).padStart(12, '0');
    }
    this.attachArpc(resp, check.arqc, code);
    return this.finish(rec, resp);
  }

  /** The original a void/refund/completion refers to: field 37 (RRN), else field 61 (batch ‖ STAN). */
  private original(req: IsoMessage, t: KnownTerminal): TxRecord | undefined {
    const rrn = req.fields[37];
    if (rrn) {
      const r = this.ledger.byReference(rrn);
      if (r) return r;
    }
    const f61 = readField61(req.fields[61]);
    return f61 ? this.ledger.get(txKey(t.config.terminalId, f61.batch, f61.stan)) : undefined;
  }

  private voidTx(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    if (req.fields[11] === undefined) return RC.FORMAT_ERROR;
    const orig = this.original(req, t);
    if (!orig || orig.terminalId !== t.config.terminalId || orig.state === 'declined')
      return RC.ORIGINAL_NOT_FOUND;
    if (orig.state !== 'approved') return RC.ALREADY_REVERSED;
    if (!['purchase', 'completion', 'preauth'].includes(orig.kind)) return RC.INVALID_TRANSACTION;
    const amount = this.amountOf(req);
    if (amount !== undefined && amount !== orig.amount) return RC.INVALID_AMOUNT;
    if (req.fields[52] !== undefined || req.fields[55] !== undefined) {
      const check = this.cardChecks(req, resp, t, false);
      if (check.code !== RC.APPROVED) return check.code;
    }
    const now = this.now();
    const rec = this.newRecord(req, t, 'void', orig.pan, orig.amount, RC.APPROVED);
    rec.original = orig;
    rec.originalStateBefore = orig.state;
    for (const e of [...orig.effects].reverse()) {
      const inv = this.inverse(e);
      this.apply(inv, now);
      rec.effects.push(inv);
    }
    this.uncount(orig, now);
    this.ledger.setState(orig, 'voided');
    if (this.has[2] && resp.fields[2] === undefined) resp.fields[2] = orig.pan;
    return this.finish(rec, resp);
  }

  private completion(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    if (req.fields[11] === undefined) return RC.FORMAT_ERROR;
    const amount = this.amountOf(req);
    if (amount === undefined) return RC.FORMAT_ERROR;
    const orig = this.original(req, t);
    if (!orig || orig.kind !== 'preauth' || orig.state === 'declined') return RC.ORIGINAL_NOT_FOUND;
    if (orig.state !== 'approved') return RC.ALREADY_REVERSED;
    // A completion may exceed the authorised amount by at most 15 % (common acquirer tolerance).
    if (amount <= 0 || amount > Math.floor(orig.amount * 1.15)) return RC.INVALID_AMOUNT;
    const now = this.now();
    const rec = this.newRecord(req, t, 'completion', orig.pan, amount, RC.APPROVED);
    rec.original = orig;
    rec.originalStateBefore = orig.state;
    const release: Effect = { op: 'release', pan: orig.pan, amount: orig.amount };
    this.apply(release, now);
    const stop = this.accounts.debit(orig.pan, amount, now, { skipLimits: true });
    if (stop) {
      this.accounts.forceHold(orig.pan, orig.amount, now);
      return stop;
    }
    rec.effects.push(release, { op: 'debit', pan: orig.pan, amount });
    this.ledger.setState(orig, 'completed');
    if (this.has[2] && resp.fields[2] === undefined) resp.fields[2] = orig.pan;
    return this.finish(rec, resp);
  }

  private refund(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    if (req.fields[11] === undefined) return RC.FORMAT_ERROR;
    const amount = this.amountOf(req);
    if (amount === undefined) return RC.FORMAT_ERROR;
    if (amount <= 0) return RC.INVALID_AMOUNT;
    const wantsOriginal = req.fields[37] !== undefined || req.fields[61] !== undefined;
    const orig = wantsOriginal ? this.original(req, t) : undefined;
    if (wantsOriginal && (!orig || orig.state === 'declined')) return RC.ORIGINAL_NOT_FOUND;
    if (orig && amount > orig.amount - orig.refunded) return RC.INVALID_AMOUNT;
    const cardPan = this.panOf(req, t);
    // A refund goes back to the card that paid: another card's refund of this original has none.
    if (orig && cardPan !== undefined && cardPan !== orig.pan) return RC.ORIGINAL_NOT_FOUND;
    const pan = cardPan ?? orig?.pan;
    if (!pan) return RC.FORMAT_ERROR;
    if (!this.accounts.has(pan)) return RC.NO_SUCH_CARD;
    const now = this.now();
    const rec = this.newRecord(req, t, 'refund', pan, amount, RC.APPROVED);
    if (orig) {
      rec.original = orig;
      orig.refunded += amount;
    }
    const eff: Effect = { op: 'credit', pan, amount };
    this.apply(eff, now);
    rec.effects.push(eff);
    return this.finish(rec, resp);
  }

  // ---- reversal, settlement, upload ------------------------------------------------------------

  private reversal(req: IsoMessage, t: KnownTerminal): string {
    const stan = req.fields[11];
    if (stan === undefined) return RC.FORMAT_ERROR;
    const rec = this.ledger.get(txKey(t.config.terminalId, this.batchOf(req, t), stan));
    if (!rec) return this.config.reversalUnknownOriginal ?? RC.ORIGINAL_NOT_FOUND;
    // Idempotent: a reversal of a declined or already reversed transaction changes nothing.
    if (rec.state !== 'approved' && rec.state !== 'voided' && rec.state !== 'completed') return RC.APPROVED;
    if (rec.state !== 'approved') return RC.ALREADY_REVERSED;
    const now = this.now();
    for (const e of [...rec.effects].reverse()) this.apply(this.inverse(e), now);
    this.uncount(rec, now);
    if (rec.original && rec.originalStateBefore) this.ledger.setState(rec.original, rec.originalStateBefore);
    if (rec.original && rec.kind === 'refund') rec.original.refunded -= rec.amount;
    this.ledger.setState(rec, 'reversed');
    return RC.APPROVED;
  }

  private settlement(req: IsoMessage, resp: IsoMessage, t: KnownTerminal): string {
    const f48 = req.fields[48];
    const sent = readSettlementTotals(f48);
    if (f48 === undefined || sent === undefined) return RC.FORMAT_ERROR;
    const batch = this.batchOf(req, t);
    const totals = this.ledger.batchTotals(t.config.terminalId, batch);
    const balanced =
      sent.debitAmount === totals.debitAmount &&
      sent.debitCount === totals.debitCount &&
      sent.creditAmount === totals.creditAmount &&
      sent.creditCount === totals.creditCount;
    resp.fields[48] = settlementAnswerField(f48, balanced);
    if (this.has[15]) resp.fields[15] = (resp.fields[13] ?? '0101').slice(0, 4);
    if (balanced && batch === t.batch) t.batch = String((Number(batch) + 1) % 1000000).padStart(6, '0');
    this.batchUploads.set(t.config.terminalId, { batch, count: 0 });
    return RC.APPROVED;
  }

  private uploadEnd(req: IsoMessage, t: KnownTerminal): string {
    const count = readBatchUploadEndCount(req.fields[48]);
    if (req.fields[11] === undefined || count === undefined) return RC.FORMAT_ERROR;
    const upload = this.batchUploads.get(t.config.terminalId);
    const received = upload?.batch === this.batchOf(req, t) ? upload.count : 0;
    this.batchUploads.delete(t.config.terminalId);
    return count === received ? RC.APPROVED : RC.RECONCILE_ERROR;
  }

  private upload(req: IsoMessage, t: KnownTerminal): string {
    const stan = req.fields[11];
    if (stan === undefined) return RC.FORMAT_ERROR;
    const upload = this.batchUploads.get(t.config.terminalId);
    if (upload?.batch === this.batchOf(req, t)) upload.count++;
    const known = this.ledger.get(txKey(t.config.terminalId, this.batchOf(req, t), stan));
    if (known) {
      known.uploaded = true;
      return RC.APPROVED;
    }
    const amount = this.amountOf(req);
    const pan = this.panOf(req, t);
    if (amount === undefined || !pan) return RC.FORMAT_ERROR;
    const rec = this.newRecord(req, t, 'offline', pan, amount, RC.APPROVED);
    rec.uploaded = true;
    // An EC (electronic cash) purchase was paid from the chip purse: the account is not debited again.
    const ec = this.iccTags(req)?.has('9F74') ?? false;
    if (!ec && this.accounts.has(pan)) {
      const eff: Effect = { op: 'debit', pan, amount };
      this.accounts.forceDebit(pan, amount, this.now());
      rec.effects.push(eff);
    }
    this.ledger.add(rec);
    return RC.APPROVED;
  }

  /** A purchase, withdrawal or pre-authorisation undone no longer counts against the daily count limit. */
  private uncount(rec: TxRecord, now: Date): void {
    if (
      (rec.kind === 'purchase' || rec.kind === 'withdrawal' || rec.kind === 'preauth') &&
      this.accounts.has(rec.pan)
    )
      this.accounts.uncount(rec.pan, now);
  }

  private inverse(e: Effect): Effect {
    const op =
      e.op === 'debit' ? 'credit' : e.op === 'credit' ? 'debit' : e.op === 'hold' ? 'release' : 'hold';
    return { op, pan: e.pan, amount: e.amount };
  }

  private apply(e: Effect, now: Date): void {
    if (!this.accounts.has(e.pan)) return;
    if (e.op === 'credit') this.accounts.credit(e.pan, e.amount, now, { undoSpend: true });
    else if (e.op === 'debit') this.accounts.forceDebit(e.pan, e.amount, now);
    else if (e.op === 'hold') this.accounts.forceHold(e.pan, e.amount, now);
    else this.accounts.release(e.pan, e.amount, now, { undoSpend: true });
  }
}
