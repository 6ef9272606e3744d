/**
 * The terminal's EMV/PBOC kernel against a card (EMV 4.3 Book 3/4, PBOC 3.0 JR/T 0025): application
 * selection (PSE/PPSE, list of AIDs, priority), GET PROCESSING OPTIONS with the PDOL, reading records,
 * processing restrictions, cardholder verification, terminal risk management, terminal action analysis,
 * the first GENERATE AC, and after the host's answer the second GENERATE AC with issuer authentication.
 * The contactless path is qPBOC: the card decides at GPO. Offline data authentication is recorded as not
 * performed in the TVR.
 */
import { randomBytesOf, secureRandom } from '../../common/run-seed.js';
import { commandApdu, responseData, statusWord, SW, LE_ANY } from '../../cards/index.js';
import { fromHex, toHex } from '../../crypto/index.js';
import {
  AIP,
  TSI,
  TTQ,
  TVR,
  buildDolData,
  cvmConditionSatisfied,
  encodeTlv,
  flattenTlv,
  parseCvmList,
  type CvRule,
  type TvrBit,
} from '../../emv/index.js';
import type { TextKey } from '../display-texts.js';
import {
  aacOnCardFault,
  KernelStop,
  type ApduSender,
  type CardApplicationData,
  type KernelHost,
  type KernelOutcome,
  type KernelTransaction,
} from './kernel-contract.js';
import { buildCandidates, type Candidate } from './application-candidates.js';
import { bcd, bcdNumber, FIELD55_TAGS, hhmmss, parseSafe, yymmdd } from './kernel-data.js';

const SW_OK = SW.OK;

/** One kernel run for one card presentation. */
export class EmvKernel {
  /** Terminal data objects. */
  readonly term = new Map<string, Buffer>();
  /** Card data objects (FCI, GPO, records, GENERATE AC). */
  readonly icc = new Map<string, Buffer>();
  private readonly tvr = Buffer.alloc(5);
  private readonly tsi = Buffer.alloc(2);
  private selected: Candidate | undefined;
  private onlinePin: string | undefined;
  private signature = false;

  constructor(
    private readonly host: KernelHost,
    private readonly send: ApduSender,
    private readonly tx: KernelTransaction,
    private readonly contactless: boolean,
    /** The terminal's date and time of day (9A, 9F21; expiry checks compare with 9A). */
    now: { yymmdd(): string; hhmmss(): string } = {
      yymmdd: () => yymmdd(new Date()),
      hhmmss: () => hhmmss(new Date()),
    },
  ) {
    const p = host.profile;
    const k = p.kernel;
    const t = this.term;
    t.set('9F02', bcd(tx.amount, 6));
    t.set('9F03', Buffer.alloc(6));
    t.set('9F1A', fromHex(k.countryCode));
    t.set('5F2A', fromHex(k.currencyCode));
    t.set('9A', fromHex(now.yymmdd()));
    t.set('9F21', fromHex(now.hhmmss()));
    t.set('9C', fromHex(tx.type));
    t.set('9F37', randomBytesOf(host.random ?? secureRandom, 4));
    t.set('95', this.tvr);
    t.set('9B', this.tsi);
    t.set('9F35', fromHex(k.terminalType));
    t.set('9F33', fromHex(k.terminalCapabilities));
    t.set('9F40', fromHex(k.additionalCapabilities));
    t.set('9F09', fromHex(k.applicationVersion));
    t.set('9F1E', Buffer.from(p.terminalId.padEnd(8, ' ').slice(0, 8), 'ascii'));
    t.set('9F1C', Buffer.from(p.terminalId.padEnd(8, ' ').slice(0, 8), 'ascii'));
    t.set('9F16', Buffer.from(p.merchantId.padEnd(15, ' ').slice(0, 15), 'ascii'));
    t.set('9F4E', Buffer.from(p.merchantName.padEnd(20, ' ').slice(0, 20), 'ascii'));
    // Electronic cash (PBOC EC) terminal support indicator: a contact purchase under the terminal's EC limit.
    const ecLimit = host.defects.has('ignores-offline-limit') ? Number.MAX_SAFE_INTEGER : k.ecTerminalLimit;
    const ecEligible =
      !contactless && p.capabilities.ec && tx.offlineAllowed && tx.amount > 0 && tx.amount < ecLimit;
    t.set('9F7A', Buffer.from([ecEligible ? 1 : 0]));
    t.set('9F7B', bcd(k.ecTerminalLimit, 6));
    t.set('9F66', this.ttq());
  }

  // ---- selection --------------------------------------------------------------------------------

  /** Candidate list: PSE/PPSE directory, else the terminal's AID list; sorted by priority. */
  buildCandidates(): Promise<Candidate[]> {
    return buildCandidates(this.send, this.host.profile, this.contactless);
  }

  /** Selects the first usable candidate; throws KernelStop `cardNotSupported` / `appBlocked`. */
  async select(): Promise<Candidate> {
    const list = await this.buildCandidates();
    if (list.length === 0)
      throw new KernelStop('cardNotSupported', 'notSupported', 'no application the terminal supports');
    let blocked = false;
    for (const c of list) {
      const r = await this.send(commandApdu(0x00, 0xa4, 0x04, 0x00, fromHex(c.aid), LE_ANY));
      if (statusWord(r) === 0x6283) {
        blocked = true;
        continue;
      }
      if (statusWord(r) !== SW_OK) continue;
      for (const [k, v] of flattenTlv(parseSafe(responseData(r)))) this.icc.set(k, v);
      this.selected = c;
      this.term.set('9F06', fromHex(c.aid));
      return c;
    }
    throw new KernelStop(blocked ? 'appBlocked' : 'cardNotSupported', 'notSupported');
  }

  // ---- contact flow -----------------------------------------------------------------------------

  private lookup = (tag: string): Buffer | undefined => this.term.get(tag) ?? this.icc.get(tag);

  /** GET PROCESSING OPTIONS and READ RECORD (contact). */
  async initiate(): Promise<void> {
    const pdol = this.icc.get('9F38');
    const pdolData = pdol ? buildDolData(pdol, this.lookup) : Buffer.alloc(0);
    const r = await this.send(
      commandApdu(0x80, 0xa8, 0x00, 0x00, encodeTlv([{ tag: '83', value: pdolData }]), LE_ANY),
    );
    if (statusWord(r) === 0x6985)
      throw new KernelStop('cardNotSupported', 'notSupported', 'GPO conditions not satisfied');
    if (statusWord(r) !== SW_OK)
      throw new KernelStop('cardReadError', 'readError', `GPO answered ${statusWord(r).toString(16)}`);
    const nodes = parseSafe(responseData(r));
    const top = nodes[0];
    if (top?.tag === '80') {
      this.icc.set('82', top.value.subarray(0, 2));
      this.icc.set('94', top.value.subarray(2));
    } else for (const [k, v] of flattenTlv(nodes)) this.icc.set(k, v);
    await this.readRecords();
  }

  private async readRecords(): Promise<void> {
    const afl = this.icc.get('94') ?? Buffer.alloc(0);
    for (let i = 0; i + 4 <= afl.length; i += 4) {
      const sfi = (afl[i] as number) >> 3;
      for (let rec = afl[i + 1] as number; rec <= (afl[i + 2] as number); rec++) {
        const r = await this.send(commandApdu(0x00, 0xb2, rec, (sfi << 3) | 4, undefined, LE_ANY));
        if (statusWord(r) !== SW_OK)
          throw new KernelStop(
            'cardReadError',
            'readError',
            `READ RECORD ${sfi}/${rec} answered ${statusWord(r).toString(16)}`,
          );
        for (const [k, v] of flattenTlv(parseSafe(responseData(r)))) if (!this.icc.has(k)) this.icc.set(k, v);
      }
    }
    if (!this.icc.get('5A') && this.icc.get('57'))
      this.icc.set('5A', fromHex(toHex(this.icc.get('57') as Buffer).split('D')[0] as string));
    if (!this.icc.get('5A')) throw new KernelStop('cardReadError', 'readError', 'no PAN on the card');
  }

  /** Processing restrictions (EMV Book 3 §10.4): versions, effective and expiry dates. */
  processingRestrictions(): void {
    const today = toHex(this.term.get('9A') as Buffer);
    const v = this.icc.get('9F08');
    if (v && !v.equals(this.term.get('9F09') as Buffer)) this.setTvr('differentApplicationVersions');
    const eff = this.icc.get('5F25');
    if (eff && toHex(eff) > today) this.setTvr('applicationNotYetEffective');
    const exp = this.icc.get('5F24');
    if (exp && !this.host.defects.has('accepts-expired-card') && toHex(exp) < today)
      this.setTvr('expiredApplication');
  }

  /** Cardholder verification (EMV Book 3 §10.5) with the CVM list; online PIN kept for field 52. */
  async cardholderVerification(): Promise<void> {
    const aip = this.icc.get('82') ?? Buffer.alloc(2);
    const list8e = this.icc.get('8E');
    if (!AIP.has(aip, 'cardholderVerificationSupported') || !list8e) {
      this.term.set('9F34', fromHex('3F0000'));
      return;
    }
    TSI.set(this.tsi, 'cardholderVerificationPerformed');
    let list;
    try {
      list = parseCvmList(list8e);
    } catch {
      this.setTvr('iccDataMissing');
      this.term.set('9F34', fromHex('3F0001'));
      return;
    }
    const caps = this.host.profile.capabilities;
    const supports = (code: number): boolean =>
      code === 0x1f || (code === 0x1e && caps.printer) || ((code === 0x01 || code === 0x02) && caps.pinpad);
    const ctx = {
      amount: this.tx.amount,
      inApplicationCurrency:
        !this.icc.get('9F42') || this.icc.get('9F42')?.equals(this.term.get('5F2A') as Buffer) === true,
      transaction:
        this.tx.type === '01'
          ? ('cash' as const)
          : this.tx.type === '00'
            ? ('purchase' as const)
            : ('other' as const),
      unattended: this.host.profile.kind === 'atm',
      supports,
    };
    for (const rule of list.rules) {
      if (!cvmConditionSatisfied(rule, list, ctx)) continue;
      const result = await this.performCvm(rule, supports(rule.code));
      if (result !== 'failed') {
        this.term.set(
          '9F34',
          Buffer.from([
            rule.code | (rule.applyNextIfUnsuccessful ? 0x40 : 0),
            rule.conditionCode,
            result === 'successful' ? 2 : 0,
          ]),
        );
        return;
      }
      if (!rule.applyNextIfUnsuccessful) break;
    }
    this.setTvr('cardholderVerificationFailed');
    this.term.set('9F34', fromHex('3F0001'));
  }

  private async performCvm(rule: CvRule, supported: boolean): Promise<'successful' | 'unknown' | 'failed'> {
    if (!supported) {
      if (rule.method === 'rfu' || rule.method === 'issuer' || rule.method === 'paymentSystem')
        this.setTvr('unrecognisedCvm');
      return 'failed';
    }
    switch (rule.code) {
      case 0x1f:
        return 'successful';
      case 0x1e:
        this.signature = true;
        return 'unknown';
      case 0x02: {
        const pin = await this.host.requestPin('online');
        if (pin === undefined) {
          this.setTvr('pinNotEntered');
          return 'failed';
        }
        this.onlinePin = pin;
        this.setTvr('onlinePinEntered');
        return 'unknown';
      }
      case 0x01:
        return this.offlinePlaintextPin();
      default:
        return 'failed';
    }
  }

  private async offlinePlaintextPin(): Promise<'successful' | 'failed'> {
    const r = await this.send(commandApdu(0x80, 0xca, 0x9f, 0x17, undefined, LE_ANY));
    let tries = statusWord(r) === SW_OK ? (flattenTlv(parseSafe(responseData(r))).get('9F17')?.[0] ?? 3) : 3;
    if (tries === 0) {
      this.setTvr('pinTryLimitExceeded');
      return 'failed';
    }
    for (let round = 0; round < 16; round++) {
      const pin = await this.host.requestPin('offline', round === 0 ? undefined : tries);
      if (pin === undefined) {
        this.setTvr('pinNotEntered');
        return 'failed';
      }
      const block = Buffer.from(('2' + pin.length.toString(16) + pin).padEnd(16, 'F'), 'hex');
      const v = await this.send(commandApdu(0x00, 0x20, 0x00, 0x80, block));
      const s = statusWord(v);
      if (s === SW_OK) return 'successful';
      if ((s & 0xfff0) === 0x63c0 && (s & 0x0f) > 0) {
        tries = s & 0x0f;
        this.host.show('wrongPinRetry', String(tries));
        continue;
      }
      this.setTvr('pinTryLimitExceeded');
      this.host.show('pinBlocked');
      return 'failed';
    }
    return 'failed';
  }

  /**
   * True when this contact purchase runs as an EC purchase: the terminal sent 9F7A = 01 in a PDOL that asked
   * for it, and the purse (GET DATA 9F79) covers the amount.
   */
  private async electronicCash(): Promise<boolean> {
    if (this.term.get('9F7A')?.[0] !== 1) return false;
    const pdol = this.icc.get('9F38');
    if (!pdol || !toHex(pdol).includes('9F7A')) return false;
    const balance = await this.getData('9F79');
    return balance !== undefined && bcdNumber(balance) >= this.tx.amount;
  }

  /** Terminal risk management (EMV Book 3 §10.6): floor limit and velocity checking. */
  async terminalRiskManagement(): Promise<void> {
    TSI.set(this.tsi, 'terminalRiskManagementPerformed');
    if (this.tx.amount >= this.host.profile.kernel.floorLimit || !this.tx.offlineAllowed)
      this.setTvr('floorLimitExceeded');
    const lower = this.icc.get('9F14');
    const upper = this.icc.get('9F23');
    if (lower && upper) {
      const atc = await this.getData('9F36');
      const last = await this.getData('9F13');
      if (atc && last) {
        const a = atc.readUInt16BE(0);
        const l = last.readUInt16BE(0);
        if (l === 0) this.setTvr('newCard');
        if (a - l > (lower[0] as number)) this.setTvr('lowerConsecutiveOfflineLimitExceeded');
        if (a - l > (upper[0] as number)) this.setTvr('upperConsecutiveOfflineLimitExceeded');
      }
    }
  }

  private async getData(tag: string): Promise<Buffer | undefined> {
    const t = fromHex(tag);
    const r = await this.send(commandApdu(0x80, 0xca, t[0] as number, t[1] as number, undefined, LE_ANY));
    if (statusWord(r) !== SW_OK) return undefined;
    const v = flattenTlv(parseSafe(responseData(r))).get(tag);
    return v && v.length >= 2 ? v : undefined;
  }

  /** Terminal action analysis (EMV Book 3 §10.7): TVR against IAC and TAC → AAC, ARQC or TC. */
  actionAnalysis(): 'AAC' | 'ARQC' | 'TC' {
    const k = this.host.profile.kernel;
    const hit = (tac: string, iac: Buffer | undefined): boolean => {
      const t = fromHex(tac);
      for (let i = 0; i < 5; i++)
        if (((this.tvr[i] as number) & ((t[i] as number) | (iac?.[i] ?? 0))) !== 0) return true;
      return false;
    };
    if (hit(k.tacDenial, this.icc.get('9F0E'))) return 'AAC';
    if (hit(k.tacOnline, this.icc.get('9F0F'))) return 'ARQC';
    return 'TC';
  }

  /** First GENERATE AC: returns the card's decision. */
  async firstGenerateAc(request: 'AAC' | 'ARQC' | 'TC'): Promise<'AAC' | 'ARQC' | 'TC'> {
    const p1 = request === 'ARQC' ? 0x80 : request === 'TC' ? 0x40 : 0x00;
    const cdol1 = this.icc.get('8C') ?? Buffer.alloc(0);
    // CDOL data is a snapshot: the TVR sent is the TVR the issuer will see in field 55.
    this.term.set('95', Buffer.from(this.tvr));
    const r = await this.send(commandApdu(0x80, 0xae, p1, 0x00, buildDolData(cdol1, this.lookup), LE_ANY));
    if (statusWord(r) !== SW_OK)
      throw new KernelStop(
        'cardReadError',
        'readError',
        `GENERATE AC answered ${statusWord(r).toString(16)}`,
      );
    this.storeAc(responseData(r));
    return this.cid();
  }

  private storeAc(d: Buffer): void {
    const nodes = parseSafe(d);
    const top = nodes[0];
    if (top?.tag === '80') {
      const v = top.value;
      this.icc.set('9F27', v.subarray(0, 1));
      this.icc.set('9F36', v.subarray(1, 3));
      this.icc.set('9F26', v.subarray(3, 11));
      if (v.length > 11) this.icc.set('9F10', v.subarray(11));
    } else for (const [k, v] of flattenTlv(nodes)) this.icc.set(k, v);
  }

  private cid(): 'AAC' | 'ARQC' | 'TC' {
    const c = (this.icc.get('9F27')?.[0] ?? 0) & 0xc0;
    return c === 0x80 ? 'ARQC' : c === 0x40 ? 'TC' : 'AAC';
  }

  /** Runs the whole contact flow up to the first GENERATE AC. */
  async runContact(): Promise<KernelOutcome> {
    const app = await this.select();
    await this.initiate();
    this.setTvr('offlineDataAuthNotPerformed');
    this.processingRestrictions();
    if (TVR.has(this.tvr, 'expiredApplication')) {
      await this.firstGenerateAc('AAC').catch(aacOnCardFault);
      return this.outcome(app, 'AAC', 'cardExpired');
    }
    if (TVR.has(this.tvr, 'applicationNotYetEffective')) {
      await this.firstGenerateAc('AAC').catch(aacOnCardFault);
      return this.outcome(app, 'AAC', 'cardNotEffective');
    }
    if (await this.electronicCash()) {
      // EC purchase: offline from the purse, no CVM, TC requested (the card decides).
      this.term.set('9F34', fromHex('1F0002'));
      const got = await this.firstGenerateAc('TC');
      return this.outcome(app, got, got === 'AAC' ? 'cardDeclined' : undefined);
    }
    await this.cardholderVerification();
    if (
      TVR.has(this.tvr, 'cardholderVerificationFailed') &&
      TVR.has(this.tvr, 'pinTryLimitExceeded') &&
      !this.onlinePin
    ) {
      await this.firstGenerateAc('AAC').catch(aacOnCardFault);
      return this.outcome(app, 'AAC', 'pinBlocked');
    }
    await this.terminalRiskManagement();
    let want = this.actionAnalysis();
    if (want === 'TC' && !this.tx.offlineAllowed) want = 'ARQC';
    const got = await this.firstGenerateAc(want);
    return this.outcome(app, got, got === 'AAC' ? 'cardDeclined' : undefined);
  }

  /**
   * After the host's answer (contact only, when the card asked for ARQC): second GENERATE AC with the
   * authorisation response code and the issuer authentication data. Returns the card's final decision.
   * `arc` undefined = the host could not be reached (Z3).
   */
  async complete(arc: string | undefined, issuerAuthData: Buffer | undefined): Promise<'TC' | 'AAC'> {
    const approved = arc === '00';
    this.term.set('8A', Buffer.from(arc ?? 'Z3', 'ascii'));
    const passArpc = issuerAuthData !== undefined && !this.host.defects.has('no-arpc-check');
    if (passArpc) {
      this.term.set('91', issuerAuthData);
      TSI.set(this.tsi, 'issuerAuthenticationPerformed');
    } else this.term.delete('91');
    this.term.set('95', Buffer.from(this.tvr));
    const cdol2 = this.icc.get('8D') ?? Buffer.alloc(0);
    const r = await this.send(
      commandApdu(
        0x80,
        0xae,
        approved ? 0x40 : 0x00,
        0x00,
        buildDolData(cdol2, (t) => (t === '91' && !passArpc ? undefined : this.lookup(t))),
        LE_ANY,
      ),
    );
    if (statusWord(r) !== SW_OK) return 'AAC';
    this.storeAc(responseData(r));
    const c = this.cid();
    if (approved && c !== 'TC') this.setTvr('issuerAuthenticationFailed');
    return c === 'TC' ? 'TC' : 'AAC';
  }

  // ---- contactless (qPBOC) ------------------------------------------------------------------------

  /** Terminal transaction qualifiers for this transaction (9F66). */
  private ttq(): Buffer {
    const k = this.host.profile.kernel;
    const ttq = fromHex(k.ttq);
    const offlineLimit = this.host.defects.has('ignores-offline-limit')
      ? Number.MAX_SAFE_INTEGER
      : Math.min(k.contactlessFloorLimit, k.ecTerminalLimit);
    const online =
      !this.tx.offlineAllowed || !this.host.profile.capabilities.ec || this.tx.amount >= offlineLimit;
    TTQ.set(ttq, 'onlineCryptogramRequired', online);
    TTQ.set(ttq, 'cvmRequired', this.tx.amount > k.contactlessCvmLimit);
    return ttq;
  }

  /** The qPBOC flow: PPSE, SELECT, GPO (the card decides), READ RECORD. */
  async runContactless(): Promise<KernelOutcome> {
    const k = this.host.profile.kernel;
    if (this.tx.amount > k.contactlessTransactionLimit)
      throw new KernelStop('useContact', 'useContact', 'over the contactless transaction limit');
    const app = await this.select();
    await this.contactlessGpo();
    this.setTvr('offlineDataAuthNotPerformed');
    this.processingRestrictions();
    const cid = this.cid();
    if (TVR.has(this.tvr, 'expiredApplication')) return this.outcome(app, 'AAC', 'cardExpired');
    if (
      cid === 'ARQC' &&
      TTQ.has(this.term.get('9F66') as Buffer, 'cvmRequired') &&
      this.host.profile.capabilities.pinpad
    ) {
      const pin = await this.host.requestPin('online');
      if (pin !== undefined) {
        this.onlinePin = pin;
        this.setTvr('onlinePinEntered');
        this.term.set('9F34', fromHex('420300'));
      }
    } else this.term.set('9F34', fromHex('1F0002'));
    return this.outcome(app, cid, cid === 'AAC' ? 'cardDeclined' : undefined);
  }

  /**
   * The simplified flow UnionPay terminals run for a card-present refund (简易流程): application
   * selection, GET PROCESSING OPTIONS and READ RECORD only — no cardholder verification, no risk
   * management, no GENERATE AC (no cryptogram, no field 55). Returns what identifies the card.
   */
  async readApplicationData(): Promise<CardApplicationData> {
    const app = await this.select();
    if (this.contactless) await this.contactlessGpo();
    else await this.initiate();
    const o = this.outcome(app, 'AAC');
    return {
      pan: o.pan,
      aid: o.aid,
      label: o.label,
      ...(o.expiry !== undefined ? { expiry: o.expiry } : {}),
      ...(o.psn !== undefined ? { psn: o.psn } : {}),
      ...(o.track2 !== undefined ? { track2: o.track2 } : {}),
    };
  }

  /** qPBOC GET PROCESSING OPTIONS with the PDOL, then READ RECORD per the AFL. */
  private async contactlessGpo(): Promise<void> {
    const pdol = this.icc.get('9F38') ?? Buffer.alloc(0);
    this.term.set('95', Buffer.from(this.tvr));
    const r = await this.send(
      commandApdu(
        0x80,
        0xa8,
        0x00,
        0x00,
        encodeTlv([{ tag: '83', value: buildDolData(pdol, this.lookup) }]),
        LE_ANY,
      ),
    );
    if (statusWord(r) !== SW_OK)
      throw new KernelStop(
        statusWord(r) === 0x6985 ? 'useContact' : 'cardReadError',
        statusWord(r) === 0x6985 ? 'useContact' : 'readError',
      );
    for (const [tag, v] of flattenTlv(parseSafe(responseData(r)))) this.icc.set(tag, v);
    await this.readRecords();
  }

  // ---- results ----------------------------------------------------------------------------------

  private setTvr(bit: TvrBit): void {
    TVR.set(this.tvr, bit);
  }

  /** Field 55 of the online request (or the offline upload). */
  iccData(): string {
    const nodes = [];
    // qPBOC adds the terminal transaction qualifiers (9F66) the card saw in its PDOL.
    const tags = this.contactless ? [...FIELD55_TAGS, '9F66'] : FIELD55_TAGS;
    for (const tag of tags) {
      const v = tag === '95' ? this.term.get('95') : (this.icc.get(tag) ?? this.term.get(tag));
      if (v !== undefined) nodes.push({ tag, value: v });
    }
    return toHex(encodeTlv(nodes));
  }

  private outcome(app: Candidate, decision: 'AAC' | 'ARQC' | 'TC', declineKey?: TextKey): KernelOutcome {
    const pan = toHex(this.icc.get('5A') as Buffer).replace(/F+$/, '');
    const exp = this.icc.get('5F24');
    const psn = this.icc.get('5F34');
    const t2 = this.icc.get('57');
    const ec = this.icc.get('9F5D');
    return {
      decision,
      pan,
      ...(exp ? { expiry: toHex(exp).slice(0, 4) } : {}),
      ...(psn ? { psn: String(bcdNumber(psn)).padStart(3, '0') } : {}),
      ...(t2 ? { track2: toHex(t2).replace(/F+$/, '').replace('D', '=') } : {}),
      iccData: this.iccData(),
      ...(this.onlinePin !== undefined ? { onlinePin: this.onlinePin } : {}),
      signature: this.signature,
      aid: app.aid,
      label: app.label,
      tvr: toHex(this.tvr),
      tsi: toHex(this.tsi),
      ...(declineKey ? { declineKey } : {}),
      ...(ec ? { ecBalance: bcdNumber(ec) } : {}),
    };
  }

  /** TSI now (hex). */
  get tsiHex(): string {
    return toHex(this.tsi);
  }

  /** TVR now (hex). */
  get tvrHex(): string {
    return toHex(this.tvr);
  }
}
