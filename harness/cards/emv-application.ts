/**
 * The chip of a virtual PBOC 3.0 / EMV card: PSE and PPSE directories, SELECT, GET PROCESSING OPTIONS
 * (contact, and the qPBOC fast path on the contactless interface), READ RECORD, GET DATA, VERIFY
 * (plaintext offline PIN), GENERATE AC with card risk management and issuer authentication, and
 * EXTERNAL AUTHENTICATE. Works on decoded command APDUs; transport (T=0 GET RESPONSE, garbling) is the
 * engine's job.
 */
import { randomBytesOf, secureRandom } from '../common/run-seed.js';
import { encodeTlv, parseDol, splitDolData, type TlvInput } from '../emv/index.js';
import { SW, type CommandApdu } from './apdu.js';
import type { CardApplicationSpec, CardFixture } from './card-fixture.js';
import {
  aflOf,
  applicationData,
  bcd,
  bcdToNumber,
  DEFAULT_CDOL1,
  DEFAULT_CDOL2,
  DEFAULT_CONTACTLESS_PDOL,
  LOG_SFI,
  recordsOf,
  u16,
} from './card-data.js';
import { acInput, computeAc, encodeIad, verifyArpc, type Cvn } from './card-cryptogram.js';
import { CARD_LOG_SIZE, type CardLogEntry, type CardRunState } from './card-state.js';
import { CID, newSession, requestedAc, type AcType, type Session } from './chip-session.js';
import { logRecord } from './card-log-record.js';
import { plaintextPin } from './plaintext-pin.js';

/** What an application handler answers: response data (may be empty) and a status word. */
export interface AppResponse {
  data?: Buffer;
  sw: number;
}

/** ASCII names of the payment system environments. */
export const PSE_NAME = '1PAY.SYS.DDF01';
export const PPSE_NAME = '2PAY.SYS.DDF01';

const ok = (data?: Buffer): AppResponse => ({ data, sw: SW.OK });
const fail = (sw: number): AppResponse => ({ sw });

/** The FCI of a SELECT answer: template 6F with the DF name (84) and the FCI proprietary template (A5). */
function fciTemplate(dfName: Buffer, proprietary: TlvInput[]): Buffer {
  return encodeTlv([
    {
      tag: '6F',
      children: [
        { tag: '84', value: dfName },
        { tag: 'A5', children: proprietary },
      ],
    },
  ]);
}

/** Options of the chip for one presentation. */
export interface EmvChipOptions {
  /** The interface the card is presented on now. */
  contactless: boolean;
  /** True for a phone wallet (HCE): offline payments counted against `wallet.offlinePayments`. */
  wallet: boolean;
}

/**
 * The applications of one card, answering commands against the run state. `powerOn()` starts a new
 * session (selection and flow state cleared, run state kept).
 */
export class EmvChip {
  private session: Session = newSession();

  constructor(
    private readonly card: CardFixture,
    private readonly state: CardRunState,
    private options: EmvChipOptions,
    /** The card's draws (GET CHALLENGE): node:crypto, or the embedded bench's seeded stream. */
    private readonly random: () => number = secureRandom,
  ) {}

  /** A new power-on session, on the given interface. */
  powerOn(options: EmvChipOptions): void {
    this.options = options;
    this.session = newSession();
  }

  private apps(): { app: CardApplicationSpec; index: number }[] {
    const want = this.options.contactless ? 'contactless' : 'contact';
    const chipIfaces = this.card.interfaces.filter((i) => i !== 'magstripe');
    return this.card.applications
      .map((app, index) => ({ app, index }))
      .filter(({ app }) => (app.interfaces ?? chipIfaces).includes(want));
  }

  private current(): CardApplicationSpec | undefined {
    const s = this.session.selected;
    return typeof s === 'number' ? this.card.applications[s] : undefined;
  }

  private cvn(app: CardApplicationSpec): Cvn {
    return app.cvn ?? 18;
  }

  private data(app: CardApplicationSpec): Map<string, Buffer> {
    return applicationData(this.card, app, this.state, this.options.contactless);
  }

  /** The commands answered, by CLA (logical-channel bits cleared) and INS. */
  private readonly commands: Record<number, Record<number, (c: CommandApdu) => AppResponse>> = {
    // ISO 7816-4 inter-industry commands
    0x00: {
      0xa4: (c) => this.select(c), // SELECT
      0xb2: (c) => this.readRecord(c), // READ RECORD
      0x20: (c) => this.verify(c), // VERIFY
      0x84: (c) => this.getChallenge(c), // GET CHALLENGE
      0x82: (c) => this.externalAuthenticate(c), // EXTERNAL AUTHENTICATE
    },
    // EMV proprietary class
    0x80: {
      0xa8: (c) => this.gpo(c), // GET PROCESSING OPTIONS
      0xca: (c) => this.getData(c), // GET DATA
      0xae: (c) => this.generateAc(c), // GENERATE AC
    },
  };

  /** Answers one command. */
  process(c: CommandApdu): AppResponse {
    const byIns = this.commands[c.cla & 0xfc]; // logical channel bits ignored
    if (byIns === undefined) return fail(SW.CLA_NOT_SUPPORTED);
    const handler = byIns[c.ins];
    return handler === undefined ? fail(SW.INS_NOT_SUPPORTED) : handler(c);
  }

  // --- SELECT -------------------------------------------------------------------------------------

  private select(c: CommandApdu): AppResponse {
    if (c.p1 !== 0x04) return fail(SW.WRONG_P1P2);
    if ((c.p2 & 0xfd) !== 0x00) return fail(SW.WRONG_P1P2);
    if (this.state.faults.cardBlocked) return fail(SW.FUNCTION_NOT_SUPPORTED);
    const name = c.data;
    const text = name.toString('latin1');
    this.session = { ...newSession(), terminal: new Map() };
    if (text === PSE_NAME) {
      if (this.options.contactless) return fail(SW.FILE_NOT_FOUND);
      this.session.selected = 'pse';
      return ok(
        fciTemplate(name, [
          { tag: '88', value: Buffer.from([0x01]) },
          { tag: '5F2D', value: Buffer.from('zhen', 'ascii') },
        ]),
      );
    }
    if (text === PPSE_NAME) {
      if (!this.options.contactless) return fail(SW.FILE_NOT_FOUND);
      this.session.selected = 'ppse';
      return ok(
        fciTemplate(name, [{ tag: 'BF0C', children: this.apps().map(({ app }) => this.dirEntry(app)) }]),
      );
    }
    // By AID, with partial selection (EMV Book 1 §12.3.3): the name may be a prefix; P2 02 = next occurrence.
    const matches = this.apps().filter(({ app }) =>
      Buffer.from(app.aid, 'hex').subarray(0, name.length).equals(name),
    );
    if (name.length < 5 || matches.length === 0) return fail(SW.FILE_NOT_FOUND);
    return this.selectApp(matches, c.p2 === 0x02);
  }

  private lastSelectedIndex = -1;

  private selectApp(matches: { app: CardApplicationSpec; index: number }[], next: boolean): AppResponse {
    let pick = matches[0];
    if (next) {
      const pos = matches.findIndex((m) => m.index === this.lastSelectedIndex);
      pick = pos >= 0 ? matches[pos + 1] : matches[0];
      if (!pick) return fail(SW.FILE_NOT_FOUND);
    }
    if (!pick) return fail(SW.FILE_NOT_FOUND);
    this.lastSelectedIndex = pick.index;
    this.session.selected = pick.index;
    const d = this.data(pick.app);
    const prop: TlvInput[] = [];
    for (const tag of ['50', '87', '9F38', '5F2D', '9F11', '9F12']) {
      const v = d.get(tag);
      if (v) prop.push({ tag, value: v });
    }
    prop.push({ tag: 'BF0C', children: [{ tag: '9F4D', value: d.get('9F4D') as Buffer }] });
    const fci = fciTemplate(d.get('84') as Buffer, prop);
    if (this.state.faults.appBlocked) {
      this.session.appBlockedSelected = true;
      return { data: fci, sw: SW.SELECTED_FILE_INVALIDATED };
    }
    return ok(fci);
  }

  private dirEntry(app: CardApplicationSpec): TlvInput {
    const children: TlvInput[] = [
      { tag: '4F', value: Buffer.from(app.aid, 'hex') },
      { tag: '50', value: Buffer.from(app.label, 'ascii') },
    ];
    if (app.priority !== undefined) children.push({ tag: '87', value: Buffer.from([app.priority]) });
    return { tag: '61', children };
  }

  // --- READ RECORD --------------------------------------------------------------------------------

  private readRecord(c: CommandApdu): AppResponse {
    if ((c.p2 & 0x07) !== 0x04) return fail(SW.WRONG_P1P2);
    const sfi = c.p2 >> 3;
    const rec = c.p1;
    if (rec === 0) return fail(SW.WRONG_P1P2);
    if (this.session.selected === 'pse') {
      const apps = this.apps();
      const entry = sfi === 1 ? apps[rec - 1] : undefined;
      if (!entry) return fail(SW.RECORD_NOT_FOUND);
      return ok(encodeTlv([{ tag: '70', children: [this.dirEntry(entry.app)] }]));
    }
    const app = this.current();
    if (!app) return fail(SW.CONDITIONS_NOT_SATISFIED);
    if (sfi === LOG_SFI) {
      const e = this.state.log[rec - 1];
      return e ? ok(logRecord(e)) : fail(SW.RECORD_NOT_FOUND);
    }
    const spec = recordsOf(this.card, app).find((r) => r.sfi === sfi && r.record === rec);
    if (!spec) return fail(SW.RECORD_NOT_FOUND);
    const d = this.data(app);
    const children: TlvInput[] = [];
    for (const t of spec.tags) {
      const v = d.get(t.toUpperCase());
      if (v) children.push({ tag: t.toUpperCase(), value: v });
    }
    return ok(encodeTlv([{ tag: '70', children }]));
  }

  // --- GET PROCESSING OPTIONS ---------------------------------------------------------------------

  private gpo(c: CommandApdu): AppResponse {
    const app = this.current();
    if (!app || this.session.gpoDone || this.session.appBlockedSelected)
      return fail(SW.CONDITIONS_NOT_SATISFIED);
    if (c.p1 !== 0 || c.p2 !== 0) return fail(SW.WRONG_P1P2);
    const d = c.data;
    if (d.length < 2 || d[0] !== 0x83 || d[1] !== d.length - 2) return fail(SW.WRONG_LENGTH);
    const pdolHex = this.options.contactless ? (app.pdolContactless ?? DEFAULT_CONTACTLESS_PDOL) : app.pdol;
    const pdol = pdolHex ? Buffer.from(pdolHex, 'hex') : Buffer.alloc(0);
    let values: { tag: string; value: Buffer }[];
    try {
      values = splitDolData(pdol, d.subarray(2));
    } catch {
      return fail(SW.WRONG_LENGTH);
    }
    for (const v of values) this.session.terminal.set(v.tag, Buffer.from(v.value));
    if (this.state.atc >= 0xffff) return fail(SW.CONDITIONS_NOT_SATISFIED);
    this.state.atc += 1;
    this.session.gpoDone = true;
    const appData = this.data(app);
    const aip = appData.get('82') as Buffer;
    const afl = aflOf(recordsOf(this.card, app));
    if (this.options.contactless) return this.qpbocGpo(app, aip, afl, appData);
    this.session.ecPath = this.ecQualifies(this.session.terminal.get('9F7A')?.[0] === 0x01);
    return ok(encodeTlv([{ tag: '80', value: Buffer.concat([aip, afl]) }]));
  }

  /** Amount authorised sent by the terminal, minor units. */
  private amount(): number {
    return bcdToNumber(this.session.terminal.get('9F02'));
  }

  /** EC purse can pay this transaction offline (terminal supports EC, currency, limits, balance). */
  private ecQualifies(terminalSupportsEc: boolean): boolean {
    const ec = this.card.ec;
    if (!ec || !terminalSupportsEc) return false;
    const amount = this.amount();
    const currency = this.session.terminal.get('5F2A');
    if (currency && bcdToNumber(currency) !== Number(this.card.currency ?? '156')) return false;
    if (!(amount > 0) || amount > this.state.ecBalance) return false;
    if (ec.singleTransactionLimit !== undefined && amount > ec.singleTransactionLimit) return false;
    return true;
  }

  /** qPBOC: the card decides at GPO and returns the cryptogram (JR/T 0025.12 fast path). */
  private qpbocGpo(
    app: CardApplicationSpec,
    aip: Buffer,
    afl: Buffer,
    appData: Map<string, Buffer>,
  ): AppResponse {
    const ttq = this.session.terminal.get('9F66') ?? Buffer.alloc(4);
    const onlineRequired = ((ttq[1] ?? 0) & 0x80) !== 0;
    const offlineOnlyReader = ((ttq[0] ?? 0) & 0x08) !== 0;
    const wallet = this.options.wallet;
    const walletLimit = this.card.wallet?.offlinePayments ?? 10;
    // Offline EC payments in a row are bounded by the upper consecutive offline limit (9F23).
    const upper = this.card.risk?.upperConsecutiveOfflineLimit;
    let velocityOk = upper === undefined || this.state.consecutiveOffline < upper;
    if (wallet && this.state.walletOfflineUsed >= walletLimit) velocityOk = false;
    const cvr = this.session.cvr;
    let ac: AcType;
    if (!onlineRequired && velocityOk && this.ecQualifies(true)) ac = 'TC';
    else if (offlineOnlyReader) ac = 'AAC';
    else ac = 'ARQC';
    if (!velocityOk) cvr.velocityExceeded = true;
    cvr.firstAc = ac;
    const cvn = this.cvn(app);
    const atc = u16(this.state.atc);
    const iad = encodeIad(this.card.keys.dki ?? 1, cvn, cvr);
    const t = this.session.terminal;
    const cryptogram = computeAc(
      this.card,
      cvn,
      atc,
      acInput((tag) => t.get(tag), aip, atc, iad, cvn),
    );
    if (ac === 'TC') {
      this.state.ecBalance -= this.amount();
      this.state.consecutiveOffline += 1;
      if (wallet) this.state.walletOfflineUsed += 1;
    } else if (ac === 'ARQC') {
      // The online transaction refills the wallet and resets the velocity counters (docs/cards.md).
      this.state.consecutiveOffline = 0;
      this.state.walletOfflineUsed = 0;
    }
    this.appendLog(ac);
    const items: TlvInput[] = [
      { tag: '82', value: aip },
      { tag: '94', value: afl },
      { tag: '9F36', value: atc },
      { tag: '9F26', value: cryptogram },
      { tag: '9F27', value: Buffer.from([CID[ac]]) },
      { tag: '9F10', value: iad },
      { tag: '57', value: appData.get('57') as Buffer },
      { tag: '5F34', value: appData.get('5F34') as Buffer },
    ];
    if (this.card.ec) items.push({ tag: '9F5D', value: bcd(this.state.ecBalance, 6) });
    return ok(encodeTlv([{ tag: '77', children: items }]));
  }

  // --- GET DATA -----------------------------------------------------------------------------------

  private getData(c: CommandApdu): AppResponse {
    const tag = ((c.p1 << 8) | c.p2).toString(16).toUpperCase().padStart(4, '0').replace(/^00/, '');
    const v = this.dataObject(tag);
    return v ? ok(encodeTlv([{ tag, value: v }])) : fail(SW.DATA_NOT_FOUND);
  }

  /** The data objects GET DATA answers (run state first: this is on the hot path). */
  private dataObject(tag: string): Buffer | undefined {
    switch (tag) {
      case '9F36':
        return u16(this.state.atc);
      case '9F13':
        return u16(this.state.lastOnlineAtc);
      case '9F17':
        return Buffer.from([this.state.pinTriesLeft]);
      case '9F79':
        return this.card.ec ? bcd(this.state.ecBalance, 6) : undefined;
      case '9F4F':
      case '9F77':
      case '9F78':
      case '9F6D':
      case '9F14':
      case '9F23': {
        const app = this.current() ?? this.card.applications[0];
        return app ? this.data(app).get(tag) : undefined;
      }
      default:
        return undefined;
    }
  }

  // --- VERIFY (plaintext offline PIN) -------------------------------------------------------------

  private verify(c: CommandApdu): AppResponse {
    if (c.p1 !== 0x00) return fail(SW.WRONG_P1P2);
    if (c.p2 !== 0x80) return fail(SW.WRONG_P1P2); // only plaintext PIN (P2 80) is supported
    if (this.state.pinTriesLeft === 0) {
      this.session.cvr.pinTryLimitExceeded = true;
      return fail(SW.AUTH_METHOD_BLOCKED);
    }
    const pin = plaintextPin(c.data);
    if (pin === undefined) return fail(SW.WRONG_LENGTH);
    this.session.cvr.offlinePinPerformed = true;
    if (pin === this.card.pin) {
      this.state.pinTriesLeft = this.card.pinTryLimit;
      this.session.cvr.offlinePinFailed = false;
      return ok();
    }
    this.state.pinTriesLeft -= 1;
    this.session.cvr.offlinePinFailed = true;
    if (this.state.pinTriesLeft === 0) this.session.cvr.pinTryLimitExceeded = true;
    return fail(SW.VERIFY_FAILED | Math.min(15, this.state.pinTriesLeft));
  }

  private getChallenge(c: CommandApdu): AppResponse {
    if (c.p1 !== 0 || c.p2 !== 0) return fail(SW.WRONG_P1P2);
    return ok(randomBytesOf(this.random, 8));
  }

  // --- GENERATE AC --------------------------------------------------------------------------------

  private generateAc(c: CommandApdu): AppResponse {
    const app = this.current();
    const s = this.session;
    if (!app || !s.gpoDone || s.genAcCount >= 2) return fail(SW.CONDITIONS_NOT_SATISFIED);
    if (s.genAcCount === 1 && s.firstAc !== 'ARQC') return fail(SW.CONDITIONS_NOT_SATISFIED);
    if (c.p2 !== 0x00) return fail(SW.WRONG_P1P2);
    const requested = requestedAc(c.p1);
    if (!requested) return fail(SW.WRONG_P1P2);
    const dolHex = s.genAcCount === 0 ? (app.cdol1 ?? DEFAULT_CDOL1) : (app.cdol2 ?? DEFAULT_CDOL2);
    let values: { tag: string; value: Buffer }[];
    try {
      values = splitDolData(parseDol(Buffer.from(dolHex, 'hex')), c.data);
    } catch {
      return fail(SW.WRONG_LENGTH);
    }
    for (const v of values) s.terminal.set(v.tag, Buffer.from(v.value));
    const first = s.genAcCount === 0;
    s.genAcCount += 1;
    const ac = first ? this.firstAcDecision(requested) : this.secondAcDecision(requested, app, values);
    if (first) s.cvr.firstAc = ac;
    else s.cvr.secondAc = ac === 'ARQC' ? 'none' : ac;
    const cvn = this.cvn(app);
    const atc = u16(this.state.atc);
    const aip = this.data(app).get('82') as Buffer;
    const iad = encodeIad(this.card.keys.dki ?? 1, cvn, s.cvr);
    const cryptogram = computeAc(
      this.card,
      cvn,
      atc,
      acInput((tag) => s.terminal.get(tag), aip, atc, iad, cvn),
    );
    if (first) {
      s.firstAc = ac;
      s.firstAcValue = cryptogram;
    }
    if (ac === 'TC' || ac === 'AAC' || !first) this.appendLog(ac);
    return ok(
      encodeTlv([
        {
          tag: '77',
          children: [
            { tag: '9F27', value: Buffer.from([CID[ac]]) },
            { tag: '9F36', value: atc },
            { tag: '9F26', value: cryptogram },
            { tag: '9F10', value: iad },
          ],
        },
      ]),
    );
  }

  /** Card risk management for the first GENERATE AC. */
  private firstAcDecision(requested: AcType): AcType {
    const s = this.session;
    if (requested === 'AAC') return 'AAC';
    if (requested === 'ARQC') return 'ARQC';
    // Terminal asks for an offline approval (TC).
    if (s.ecPath && this.ecQualifies(true)) {
      this.state.ecBalance -= this.amount();
      this.state.consecutiveOffline += 1;
      return 'TC';
    }
    const lower = this.card.risk?.lowerConsecutiveOfflineLimit ?? 0;
    if (this.state.consecutiveOffline >= lower) {
      s.cvr.velocityExceeded = true;
      return 'ARQC';
    }
    this.state.consecutiveOffline += 1;
    return 'TC';
  }

  /** Second GENERATE AC: issuer authentication with 91 from CDOL2, then the terminal's decision. */
  private secondAcDecision(
    requested: AcType,
    app: CardApplicationSpec,
    values: { tag: string; value: Buffer }[],
  ): AcType {
    const s = this.session;
    const iad91 = values.find((v) => v.tag === '91')?.value;
    if (iad91 && iad91.length >= 10 && iad91.some((b) => b !== 0) && !s.issuerAuthDone) {
      this.issuerAuthenticate(app, iad91);
    } else if (!s.issuerAuthDone) {
      s.cvr.issuerAuthNotPerformed = true;
    }
    if (requested !== 'TC') return 'AAC';
    if (s.cvr.issuerAuthFailed) return 'AAC';
    if (s.cvr.issuerAuthNotPerformed) {
      // Unable to go online: accepted offline only within the upper velocity limit.
      const upper = this.card.risk?.upperConsecutiveOfflineLimit ?? 0;
      if (this.state.consecutiveOffline >= upper) return 'AAC';
      this.state.consecutiveOffline += 1;
      return 'TC';
    }
    return 'TC';
  }

  /** Checks 91 = ARPC ‖ ARC against the ARQC; success resets the offline counters. */
  private issuerAuthenticate(app: CardApplicationSpec, data: Buffer): boolean {
    const s = this.session;
    s.issuerAuthDone = true;
    if (!s.firstAcValue) return false;
    const okAuth = verifyArpc(
      this.card,
      this.cvn(app),
      u16(this.state.atc),
      s.firstAcValue,
      data.subarray(0, 8),
      data.subarray(8, 10),
    );
    s.cvr.issuerAuthFailed = !okAuth;
    s.cvr.issuerAuthNotPerformed = false;
    if (okAuth) {
      this.state.lastOnlineAtc = this.state.atc;
      this.state.consecutiveOffline = 0;
    }
    return okAuth;
  }

  private externalAuthenticate(c: CommandApdu): AppResponse {
    const app = this.current();
    const s = this.session;
    if (!app || s.firstAc !== 'ARQC' || s.genAcCount !== 1 || s.issuerAuthDone)
      return fail(SW.CONDITIONS_NOT_SATISFIED);
    if (c.data.length < 10 || c.data.length > 16) return fail(SW.WRONG_LENGTH);
    return this.issuerAuthenticate(app, c.data) ? ok() : fail(0x6300);
  }

  private appendLog(ac: AcType): void {
    const t = this.session.terminal;
    const hex = (tag: string, bytes: number): string => (t.get(tag) ?? Buffer.alloc(bytes)).toString('hex');
    const entry: CardLogEntry = {
      date: hex('9A', 3),
      time: hex('9F21', 3),
      amount: bcdToNumber(t.get('9F02')) || 0,
      country: hex('9F1A', 2),
      currency: hex('5F2A', 2),
      type: hex('9C', 1),
      atc: this.state.atc,
      result: ac,
    };
    this.state.log.unshift(entry);
    this.state.log.length = Math.min(this.state.log.length, CARD_LOG_SIZE);
  }
}
