/**
 * The issuer's card checks (PAN, status, expiry, region, PIN, ARQC, risk rules) and the authorisations
 * that run them: purchase, ATM withdrawal, pre-authorisation, balance inquiry.
 */
import { decryptTrack, fromHex, toHex } from '../crypto/index.js';
import { encodeTlv, flattenTlv, parseTlv } from '../emv/index.js';
import { matchFields } from '../common/matcher.js';
import type { IsoMessage } from '../iso8583/index.js';
import { NO_PAN, RC, pinBlockWithoutPan, pinFieldHolds, tracksEncrypted } from '../pos-protocol/index.js';
import type { AccountSpec } from './account-store.js';
import type { RiskRuleConfig } from './host-config.js';
import { issuerAuthData, verifyArqc, type ArqcCheck } from './issuer-crypto.js';
import { ProcessorCore, isYymm } from './processor-core.js';
import type { KnownTerminal } from './terminal-registry.js';
import type { Effect } from './transaction-ledger.js';

/** Options of AccountStore.debit for an authorisation (shared, never changed). */
const HOLD = { hold: true } as const;
const DEBIT = { hold: false } as const;

/** What cardChecks found: the response code, and the account and ARQC check when it got that far. */
interface CardCheck {
  code: string;
  acc: AccountSpec | undefined;
  arqc: ArqcCheck | undefined;
}

/** Card checks and authorisations (0200 purchase, withdrawal, balance; 0100 pre-authorisation). */
export abstract class AuthorisationProcessor extends ProcessorCore {
  /** The PIN block of the request being handled, as bytes (encrypted, then decrypted in place). */
  private readonly pinScratch = Buffer.alloc(8);

  protected panOf(req: IsoMessage, t: KnownTerminal): string | undefined {
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

  protected iccTags(req: IsoMessage): Map<string, Buffer> | undefined {
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
  protected cardChecks(req: IsoMessage, resp: IsoMessage, t: KnownTerminal, pinRequired: boolean): CardCheck {
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

  protected authorise(
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
}
