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
import type { IsoMessage } from '../iso8583/index.js';
import { setPath } from '../iso8583/index.js';
import {
  NETWORK_CODE,
  RC,
  field60,
  field60NetworkCode,
  isKeyScheme,
  MESSAGE_TYPE_CODE,
  type KeyScheme,
} from '../pos-protocol/index.js';
import type { RuleAction } from './host-rule.js';
import { MAC_FIELD, isRequestMti, transactionType } from './processor-core.js';
import { SettlementProcessor } from './settlement-processor.js';
import type { KnownTerminal } from './terminal-registry.js';

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
  /** Something the journal must say about this answer (a replay host's unmatched request). */
  note?: string;
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

/**
 * The host processor: one request message in, one answer out (or none), with the test's rules applied
 * (see the file comment). The handlers it dispatches to are its base classes, one concept each.
 */
export class HostProcessor extends SettlementProcessor {
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
    const hit =
      this.rules.size === 0
        ? undefined
        : this.rules.evaluate((p) => this.read(req, p), this.calendar.secondOfDay(this.now()));
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
}
