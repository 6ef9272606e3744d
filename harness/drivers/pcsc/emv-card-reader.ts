/**
 * A minimal EMV/PBOC terminal flow over any APDU transport (a PC/SC connection or an in-process virtual
 * card): application selection (PSE/PPSE, then a list of known AIDs), GET PROCESSING OPTIONS, READ RECORD
 * along the AFL, GET DATA, and GENERATE AC. Used by `payhil card read` (identity pre-flight), the e2e
 * tests and the benchmark.
 */
import { commandApdu, LE_ANY, responseData, statusWord, swHex } from '../../cards/index.js';
import { maskPan } from '../../common/mask.js';
import { buildDolData, findTag, parseTlv, type Tlv } from '../../emv/index.js';
import { CardStatusError } from './errors.js';

/** Sends one command APDU and returns the response (61xx/6Cxx already followed). */
export type ApduTransport = (apdu: Buffer) => Promise<Buffer>;

/** AIDs tried when the card has no PSE/PPSE (UnionPay first). */
export const KNOWN_AIDS = [
  'A000000333010101',
  'A000000333010102',
  'A000000333010103',
  'A000000333010106',
  'A0000000031010',
  'A0000000041010',
];

const PSE = Buffer.from('1PAY.SYS.DDF01', 'ascii');
const PPSE = Buffer.from('2PAY.SYS.DDF01', 'ascii');

function safeParse(data: Buffer): Tlv[] {
  try {
    return parseTlv(data);
  } catch {
    return [];
  }
}

/** An application listed by the card. */
export interface CardApplicationInfo {
  aid: string;
  label?: string;
  priority?: number;
}

/** What `payhil card read` reports. Never holds the PAN in clear. */
export interface CardIdentity {
  atr?: string;
  interface: 'contact' | 'contactless';
  applications: CardApplicationInfo[];
  selectedAid?: string;
  maskedPan?: string;
  psn?: string;
  /** Expiry YYMM. */
  expiry?: string;
  expired?: boolean;
  serviceCode?: string;
  pinTriesLeft?: number;
  atc?: number;
  lastOnlineAtc?: number;
  /** EC balance in minor units (9F79), when the card has a purse. */
  ecBalance?: number;
  /** False when the card cannot pay: expired, PIN blocked, blocked application or card. */
  usable: boolean;
  problems: string[];
}

/** Terminal data for the GPO and GENERATE AC the reader sends. */
export interface TerminalData {
  /** Amount authorised, minor units (default 0). */
  amount?: number;
  /** Terminal country and transaction currency, numeric (default 156). */
  country?: string;
  currency?: string;
  /** Transaction date YYMMDD (default today, UTC). */
  date?: string;
  /** Unpredictable number, 4 bytes hex (default random). */
  unpredictableNumber?: string;
  /** TTQ for contactless GPO, hex (default 28000000: qPBOC, offline-only reader: the card declines offline). */
  ttq?: string;
  /** Transaction type (9C), two digits (default 00 purchase). */
  type?: string;
}

function bcd(n: number | string, bytes: number): Buffer {
  return Buffer.from(
    String(n)
      .padStart(bytes * 2, '0')
      .slice(-bytes * 2),
    'hex',
  );
}

/** The terminal's data elements as a DOL lookup. */
export function terminalLookup(
  t: TerminalData,
  extra: Record<string, Buffer> = {},
): (tag: string) => Buffer | undefined {
  const today = new Date();
  const date =
    t.date ??
    `${String(today.getUTCFullYear() % 100).padStart(2, '0')}${String(today.getUTCMonth() + 1).padStart(2, '0')}${String(today.getUTCDate()).padStart(2, '0')}`;
  const un = t.unpredictableNumber
    ? Buffer.from(t.unpredictableNumber, 'hex')
    : Buffer.from([1, 2, 3, 4].map(() => (Math.random() * 256) | 0));
  const values: Record<string, Buffer> = {
    '9F66': Buffer.from(t.ttq ?? '28000000', 'hex'),
    '9F02': bcd(t.amount ?? 0, 6),
    '9F03': bcd(0, 6),
    '9F1A': bcd(t.country ?? '156', 2),
    '95': Buffer.alloc(5),
    '5F2A': bcd(t.currency ?? '156', 2),
    '9A': Buffer.from(date, 'hex'),
    '9C': Buffer.from(t.type ?? '00', 'hex'),
    '9F37': un,
    '9F21': Buffer.from('120000', 'hex'),
    '9F4E': Buffer.from('PAYHIL TEST MERCHANT', 'ascii'),
    '9F7A': Buffer.from([0x00]),
    ...extra,
  };
  return (tag) => values[tag];
}

/** Selects the payment application: directory first, then the known AIDs. */
async function selectApplication(
  tx: ApduTransport,
  contactless: boolean,
  problems: string[],
): Promise<{ apps: CardApplicationInfo[]; selected?: { aid: string; fci: Tlv[]; sw: string } }> {
  const apps: CardApplicationInfo[] = [];
  const dirResp = await tx(commandApdu(0x00, 0xa4, 0x04, 0x00, contactless ? PPSE : PSE, LE_ANY));
  const dirSw = swHex(statusWord(dirResp));
  if (dirSw === '6A81') {
    problems.push('card blocked (SELECT answered 6A81)');
    return { apps };
  }
  const entryOf = (e: Tlv): CardApplicationInfo | undefined => {
    const aid = e.children ? findTag(e.children, '4F') : undefined;
    if (!aid) return undefined;
    const label = e.children ? findTag(e.children, '50') : undefined;
    const prio = e.children ? findTag(e.children, '87') : undefined;
    return {
      aid: aid.value.toString('hex').toUpperCase(),
      label: label?.value.toString('latin1'),
      priority: prio ? (prio.value[0] as number) & 0x0f : undefined,
    };
  };
  if (dirSw === '9000') {
    const fci = safeParse(responseData(dirResp));
    if (contactless) {
      const bf0c = findTag(fci, 'BF0C');
      for (const e of bf0c?.children ?? [])
        if (e.tag === '61') apps.push(...[entryOf(e)].filter((x) => x !== undefined));
    } else {
      const sfi = findTag(fci, '88')?.value[0] ?? 1;
      for (let rec = 1; rec <= 16; rec++) {
        const r = await tx(commandApdu(0x00, 0xb2, rec, (sfi << 3) | 4, undefined, LE_ANY));
        if (swHex(statusWord(r)) !== '9000') break;
        for (const e of safeParse(responseData(r))) {
          for (const c of e.children ?? [])
            if (c.tag === '61') apps.push(...[entryOf(c)].filter((x) => x !== undefined));
        }
      }
    }
  }
  const candidates = apps.length
    ? [...apps].sort((a, b) => (a.priority ?? 15) - (b.priority ?? 15)).map((a) => a.aid)
    : KNOWN_AIDS;
  for (const aid of candidates) {
    const r = await tx(commandApdu(0x00, 0xa4, 0x04, 0x00, Buffer.from(aid, 'hex'), LE_ANY));
    const s = swHex(statusWord(r));
    if (s === '9000' || s === '6283') {
      const fci = safeParse(responseData(r));
      if (!apps.length) {
        const label = findTag(fci, '50');
        apps.push({ aid, label: label?.value.toString('latin1') });
      }
      if (s === '6283') problems.push(`application ${aid} blocked (SELECT answered 6283)`);
      return { apps, selected: { aid, fci, sw: s } };
    }
    if (s === '6A81') {
      problems.push('card blocked (SELECT answered 6A81)');
      return { apps };
    }
  }
  problems.push(
    apps.length
      ? 'no listed application could be selected'
      : 'no known payment application (PSE/PPSE and known AIDs absent)',
  );
  return { apps };
}

/** Everything one EMV read collects. */
export interface EmvSession {
  identity: CardIdentity;
  /** Card data from the GPO response and the records, tag → value. */
  data: Map<string, Buffer>;
  /** Terminal data lookup used for the DOLs. */
  terminal: (tag: string) => Buffer | undefined;
}

function todayYymm(): string {
  const d = new Date();
  return `${String(d.getUTCFullYear() % 100).padStart(2, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Reads a card: selection, GPO (the ATC goes up by one), records along the AFL, GET DATA of PIN tries,
 * ATC, last online ATC and EC balance. Does not ask for a cryptogram on the contact interface; on the
 * contactless interface the qPBOC GPO returns one (the default TTQ makes it an offline decline, so no EC
 * money moves).
 */
export async function readEmvCard(
  tx: ApduTransport,
  options: { contactless?: boolean; atr?: Buffer; terminal?: TerminalData } = {},
): Promise<EmvSession> {
  const contactless = options.contactless ?? false;
  const problems: string[] = [];
  const identity: CardIdentity = {
    atr: options.atr?.toString('hex').toUpperCase(),
    interface: contactless ? 'contactless' : 'contact',
    applications: [],
    usable: false,
    problems,
  };
  const data = new Map<string, Buffer>();
  const terminal = terminalLookup(options.terminal ?? {});
  const { apps, selected } = await selectApplication(tx, contactless, problems);
  identity.applications = apps;
  if (!selected) return { identity, data, terminal };
  identity.selectedAid = selected.aid;
  const pdol = findTag(selected.fci, '9F38')?.value;
  const pdolData = pdol ? buildDolData(pdol, terminal) : Buffer.alloc(0);
  if (selected.sw === '9000') {
    const gpo = await tx(
      commandApdu(
        0x80,
        0xa8,
        0x00,
        0x00,
        Buffer.concat([Buffer.from([0x83, pdolData.length]), pdolData]),
        LE_ANY,
      ),
    );
    if (swHex(statusWord(gpo)) !== '9000') {
      problems.push(`GET PROCESSING OPTIONS answered ${swHex(statusWord(gpo))}`);
    } else {
      const tlv = safeParse(responseData(gpo));
      let afl: Buffer | undefined;
      const f1 = findTag(tlv, '80');
      if (f1) {
        data.set('82', f1.value.subarray(0, 2));
        afl = f1.value.subarray(2);
      } else {
        for (const t of tlv[0]?.children ?? []) data.set(t.tag, t.value);
        afl = data.get('94');
      }
      for (let i = 0; afl && i + 4 <= afl.length; i += 4) {
        const sfi = (afl[i] as number) >> 3;
        for (let rec = afl[i + 1] as number; rec <= (afl[i + 2] as number); rec++) {
          const r = await tx(commandApdu(0x00, 0xb2, rec, (sfi << 3) | 4, undefined, LE_ANY));
          if (swHex(statusWord(r)) !== '9000') {
            problems.push(`READ RECORD SFI ${sfi} record ${rec} answered ${swHex(statusWord(r))}`);
            continue;
          }
          for (const t of safeParse(responseData(r)))
            for (const c of t.children ?? []) data.set(c.tag, c.value);
        }
      }
    }
  }
  for (const tag of ['9F17', '9F36', '9F13', '9F79']) {
    const r = await tx(
      commandApdu(0x80, 0xca, parseInt(tag.slice(0, 2), 16), parseInt(tag.slice(2), 16), undefined, LE_ANY),
    );
    if (swHex(statusWord(r)) === '9000') {
      const v = findTag(safeParse(responseData(r)), tag)?.value;
      if (v) data.set(tag, v);
    }
  }
  fillIdentity(identity, data);
  return { identity, data, terminal };
}

function fillIdentity(identity: CardIdentity, data: Map<string, Buffer>): void {
  const problems = identity.problems;
  let pan = data.get('5A')?.toString('hex').toUpperCase().replace(/F+$/, '');
  const t2 = data.get('57')?.toString('hex').toUpperCase();
  if (!pan && t2) pan = t2.split('D')[0];
  if (pan) identity.maskedPan = maskPan(pan);
  const psn = data.get('5F34');
  if (psn) identity.psn = psn.toString('hex');
  const exp = data.get('5F24')?.toString('hex') ?? (t2 ? t2.split('D')[1]?.slice(0, 4) : undefined);
  if (exp) {
    identity.expiry = exp.slice(0, 4);
    identity.expired = identity.expiry < todayYymm();
    if (identity.expired) problems.push(`expired (expiry ${identity.expiry})`);
  }
  const sc = data.get('5F30')?.toString('hex') ?? (t2 ? t2.split('D')[1]?.slice(4, 7) : undefined);
  if (sc) identity.serviceCode = sc.slice(-3);
  const tries = data.get('9F17');
  if (tries) {
    identity.pinTriesLeft = tries[0] as number;
    if (identity.pinTriesLeft === 0) problems.push('PIN blocked (PIN try counter 0)');
  }
  const atc = data.get('9F36');
  if (atc && atc.length === 2) identity.atc = atc.readUInt16BE(0);
  const lo = data.get('9F13');
  if (lo && lo.length === 2) identity.lastOnlineAtc = lo.readUInt16BE(0);
  const ec = data.get('9F79');
  if (ec) identity.ecBalance = Number(ec.toString('hex'));
  identity.usable = problems.length === 0 && identity.maskedPan !== undefined;
}

/** The result of a GENERATE AC. */
export interface GenerateAcResult {
  cid: number;
  type: 'AAC' | 'TC' | 'ARQC' | 'AAR';
  atc: Buffer;
  cryptogram: Buffer;
  iad: Buffer;
  /** The exact data sent (CDOL data). */
  cdolData: Buffer;
}

function acType(cid: number): GenerateAcResult['type'] {
  const t = cid & 0xc0;
  return t === 0x40 ? 'TC' : t === 0x80 ? 'ARQC' : t === 0xc0 ? 'AAR' : 'AAC';
}

/**
 * GENERATE AC with the CDOL (8C for the first, 8D for the second) filled from `lookup`.
 * @throws CardStatusError when the card does not answer 9000.
 */
export async function generateAc(
  tx: ApduTransport,
  request: 'AAC' | 'TC' | 'ARQC',
  cdol: Buffer,
  lookup: (tag: string) => Buffer | undefined,
): Promise<GenerateAcResult> {
  const p1 = request === 'ARQC' ? 0x80 : request === 'TC' ? 0x40 : 0x00;
  const cdolData = buildDolData(cdol, lookup);
  const r = await tx(commandApdu(0x80, 0xae, p1, 0x00, cdolData, LE_ANY));
  if (swHex(statusWord(r)) !== '9000') throw new CardStatusError('GENERATE AC', swHex(statusWord(r)));
  const tlv = safeParse(responseData(r));
  const values = new Map<string, Buffer>();
  const f1 = findTag(tlv, '80');
  if (f1) {
    values.set('9F27', f1.value.subarray(0, 1));
    values.set('9F36', f1.value.subarray(1, 3));
    values.set('9F26', f1.value.subarray(3, 11));
    values.set('9F10', f1.value.subarray(11));
  } else {
    for (const t of tlv[0]?.children ?? []) values.set(t.tag, t.value);
  }
  const cid = values.get('9F27')?.[0] ?? 0;
  return {
    cid,
    type: acType(cid),
    atc: values.get('9F36') ?? Buffer.alloc(2),
    cryptogram: values.get('9F26') ?? Buffer.alloc(8),
    iad: values.get('9F10') ?? Buffer.alloc(0),
    cdolData,
  };
}
