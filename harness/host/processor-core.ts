/**
 * The state and plumbing every host message handler shares: accounts, ledger, terminals, rules, held
 * session keys, the answer skeleton (echo fields, host time), the clock of the request being handled,
 * RRNs and ledger records. The handlers build on it: authorisation-processor.ts (card checks and
 * authorisations), follow-up-processor.ts (void, completion, refund, reversal), settlement-processor.ts
 * (settlement and batch upload), host-processor.ts (the MTI dispatch and rules).
 */
import { Calendar } from '../common/calendar.js';
import type { Dialect, IsoMessage } from '../iso8583/index.js';
import { EMPTY_FIELDS_64, getPath } from '../iso8583/index.js';
import { MessageMac, RC, SessionKeyCache, field60Batch, field60NetworkCode } from '../pos-protocol/index.js';
import type { AccountSpec } from './account-store.js';
import { AccountStore } from './account-store.js';
import type { HostConfig } from './host-config.js';
import { RuleEngine } from './rule-engine.js';
import { TerminalRegistry, type KnownTerminal } from './terminal-registry.js';
import { TransactionLedger, txKey, type Effect, type TxKind, type TxRecord } from './transaction-ledger.js';

/** Fields copied from a request into its answer when the dialect has them. */
const ECHO_FIELDS = [2, 3, 4, 11, 14, 22, 23, 25, 41, 42, 49, 60];
export const MAC_FIELD = 64;

export interface ProcessorOptions {
  dialect: Dialect;
  config: HostConfig;
  accounts: AccountSpec[];
  /** Clock, for tests (default: the system clock). Ignored when `calendar` is given. */
  now?: () => Date;
  /**
   * The host's calendar (date, time of day and zone): field 12/13 of its answers, the issuer's day
   * change for daily limits, time-of-day rules. Default: `now` (or the system clock) in the process zone.
   */
  calendar?: Calendar;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** True for 0[1-9][0-9][0-9] with an even third digit (a request or advice, not an answer). */
export function isRequestMti(mti: string): boolean {
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
export function isYymm(s: string): boolean {
  if (s.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The first two characters of a processing code as a number 0–99 (transaction type), or -1. */
export function transactionType(proc: string): number {
  if (proc.length < 2) return -1;
  const a = proc.charCodeAt(0) - 48;
  const b = proc.charCodeAt(1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The answer MTI of a request MTI: third digit + 1 (0200 → 0210, 0420 → 0430). */
export function responseMti(mti: string): string {
  return mti.slice(0, 2) + String(Number(mti[2]) + 1) + mti[3];
}

/** The shared state and helpers of the host processor (see the file comment). */
export abstract class ProcessorCore {
  readonly dialect: Dialect;
  readonly accounts: AccountStore;
  readonly ledger: TransactionLedger;
  readonly terminals: TerminalRegistry;
  readonly rules = new RuleEngine();
  protected readonly config: HostConfig;
  protected readonly clock: () => Date;
  /** The host's calendar (see ProcessorOptions.calendar). */
  readonly calendar: Calendar;
  /** The time of the request being handled (one clock read per request). */
  protected current: Date | undefined;
  private rrn = 0;
  protected readonly has: boolean[];
  /** The session keys held with their key schedules (MAC and PIN block, request after request). */
  protected readonly keys = new SessionKeyCache();
  /** The dialect's MAC (pos-protocol), on the same held keys. */
  readonly macs: MessageMac;
  /** The last request MTI seen and its answer MTI (a busy host sees the same few over and over). */
  private lastMti = '';
  private lastResponseMti = '';
  /** Terminal id, batch and txKey prefix of the ledger record made last (see newRecord). */
  private recordTerminalId = '';
  private recordBatch = '';
  private recordKeyPrefix = '';

  constructor(options: ProcessorOptions) {
    this.dialect = options.dialect;
    this.config = options.config;
    const now = options.now;
    this.calendar = options.calendar ?? new Calendar(now ? () => now().getTime() : Date.now);
    const calendar = this.calendar;
    this.clock = () => calendar.now();
    this.accounts = new AccountStore(options.accounts, (d) => calendar.dayOf(d));
    this.ledger = new TransactionLedger(options.config.ledgerSize ?? 100000);
    this.terminals = new TerminalRegistry(options.config.terminals);
    this.has = Array.from({ length: 129 }, (_, i) => this.dialect.fields[i] !== undefined);
    this.macs = new MessageMac(this.dialect, this.keys);
  }

  protected now(): Date {
    return this.current ?? this.clock();
  }

  /**
   * Draws from `random` from now on: the next RRN starts at a drawn value and working keys are drawn from
   * it (the embedded bench reseeds the host per scenario, so a scenario's RRNs and keys depend on its seed
   * only). Without a reseed RRNs count from 1 and keys come from node:crypto.
   */
  reseed(random: () => number): void {
    this.rrn = Math.floor(random() * 9e11);
    this.terminals.random = random;
  }

  /** Back to the opening state: balances, PIN tries, sign-ins, transactions, rules. */
  reset(): void {
    this.accounts.reset();
    this.ledger.clear();
    this.terminals.reset();
    this.rules.clear();
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

  protected withCode(resp: IsoMessage, code: string): IsoMessage {
    resp.fields[39] = code;
    return resp;
  }

  /** The answer skeleton: echo fields, host time and date. */
  protected base(req: IsoMessage): IsoMessage {
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
  protected timeFields(): [string, string, string] {
    const now = this.now();
    const second = Math.floor(now.getTime() / 1000);
    if (second !== this.clockSecond) {
      this.clockSecond = second;
      const l = this.calendar.local(now);
      this.clockFields = [
        pad2(l.hours) + pad2(l.minutes) + pad2(l.seconds),
        pad2(l.month) + pad2(l.day),
        pad2(l.year % 100) + pad2(l.month),
      ];
    }
    return this.clockFields;
  }

  protected netCode(req: IsoMessage): string | undefined {
    return field60NetworkCode(req.fields[60]);
  }

  protected batchOf(req: IsoMessage, t: KnownTerminal): string {
    return field60Batch(req.fields[60]) ?? t.batch;
  }

  protected nextRrn(): string {
    this.rrn = (this.rrn + 1) % 1e12;
    return String(this.rrn).padStart(12, '0');
  }

  protected amountOf(req: IsoMessage): number | undefined {
    const f4 = req.fields[4];
    return f4 === undefined ? undefined : digitsValue(f4);
  }

  protected newRecord(
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

  protected finish(rec: TxRecord, resp: IsoMessage): string {
    if (rec.state === 'approved') {
      rec.rrn = this.nextRrn();
      rec.authCode = rec.rrn.slice(-6);
      if (this.has[37]) resp.fields[37] = rec.rrn;
      if (this.has[38] && rec.kind !== 'balance') resp.fields[38] = rec.authCode;
    }
    this.ledger.add(rec);
    return rec.responseCode;
  }
}
