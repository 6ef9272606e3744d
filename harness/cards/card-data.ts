/**
 * The data elements of one application on a virtual card, as the card answers them in FCI, records and
 * GET DATA, built from the fixture and the run state. Also the record layout and the AFL derived from it.
 */
import { CardDataError } from './errors.js';
import type { CardApplicationSpec, CardFixture, CardRecordSpec } from './card-fixture.js';
import type { CardRunState } from './card-state.js';
import { track2Equivalent, track2Of } from './magstripe.js';

/** Default contactless PDOL: TTQ, amount, other amount, country, TVR, currency, date, type, UN. */
export const DEFAULT_CONTACTLESS_PDOL = '9F66049F02069F03069F1A0295055F2A029A039C019F3704';
/** Default CDOL1 and CDOL2 (PBOC-style). */
export const DEFAULT_CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F37049F21039F4E14';
export const DEFAULT_CDOL2 = '8A02910A95059F3704';
/** Transaction log format (9F4F) and log entry (9F4D: SFI 11, 10 records). */
const LOG_FORMAT = '9A039F21039F02069F03069F1A025F2A029C019F3602';
export const LOG_SFI = 11;

/** Numeric (`n`) value of `digits` right-aligned in `bytes` bytes of BCD. */
export function bcd(digits: string | number, bytes: number): Buffer {
  const s = String(digits).padStart(bytes * 2, '0');
  if (s.length > bytes * 2 || !/^\d*$/.test(s)) throw new CardDataError(String(digits), `n${bytes * 2}`);
  return Buffer.from(s, 'hex');
}

/** A BCD numeric value as a number (non-digit nibbles make it NaN). */
export function bcdToNumber(b: Uint8Array | undefined): number {
  if (!b || b.length === 0) return 0;
  const s = Buffer.from(b).toString('hex');
  return /^\d+$/.test(s) ? Number(s) : NaN;
}

/** Compressed numeric (`cn`): digits left-aligned, padded with F. */
function cn(digits: string): Buffer {
  return Buffer.from(digits.length % 2 ? digits + 'F' : digits, 'hex');
}

/** 5F24 from YYMM: the last day of that month (YYMMDD). */
function expiryDate(yymm: string): string {
  const yy = Number(yymm.slice(0, 2));
  const mm = Number(yymm.slice(2, 4));
  const last = new Date(Date.UTC(2000 + yy, mm, 0)).getUTCDate();
  return `${yymm}${String(last).padStart(2, '0')}`;
}

/** The default record layout (docs/cards.md): SFI 1 track data, SFI 2 card and risk data. */
function defaultRecords(card: CardFixture): CardRecordSpec[] {
  const ecTags = card.ec ? ['9F77', '9F78', '9F6D'] : [];
  return [
    { sfi: 1, record: 1, tags: ['57', '5F20', '9F1F'] },
    {
      sfi: 2,
      record: 1,
      tags: ['5A', '5F24', '5F25', '5F34', '5F28', '9F07', '9F08', '9F0D', '9F0E', '9F0F', '8E', '5F30'],
    },
    { sfi: 2, record: 2, tags: ['8C', '8D', '9F14', '9F23', '9F42', '9F44', '9F4F', ...ecTags] },
  ];
}

/** Records of an application (fixture layout or default). */
export function recordsOf(card: CardFixture, app: CardApplicationSpec): CardRecordSpec[] {
  return app.records ?? defaultRecords(card);
}

/** AFL (94): for each SFI, runs of consecutive records, 4 bytes each; no records for offline authentication. */
export function aflOf(records: readonly CardRecordSpec[]): Buffer {
  const bySfi = new Map<number, number[]>();
  for (const r of records) bySfi.set(r.sfi, [...(bySfi.get(r.sfi) ?? []), r.record]);
  const out: number[] = [];
  for (const sfi of [...bySfi.keys()].sort((a, b) => a - b)) {
    const nums = [...new Set(bySfi.get(sfi))].sort((a, b) => a - b);
    let start = nums[0] as number;
    let prev = start;
    for (const n of [...nums.slice(1), -1]) {
      if (n === prev + 1) {
        prev = n;
        continue;
      }
      out.push(sfi << 3, start, prev, 0);
      start = n;
      prev = n;
    }
  }
  return Buffer.from(out);
}

/**
 * Every data element of `app` as the card holds it now, tag → value. `data` entries of the fixture
 * override the derived ones.
 */
export function applicationData(
  card: CardFixture,
  app: CardApplicationSpec,
  state: CardRunState,
  contactless: boolean,
): Map<string, Buffer> {
  const d = new Map<string, Buffer>();
  const country = card.country ?? '156';
  const currency = card.currency ?? '156';
  const track2 = track2Of({ ...card, expiry: state.expiry });
  const pdol = contactless ? (app.pdolContactless ?? DEFAULT_CONTACTLESS_PDOL) : app.pdol;
  d.set('4F', Buffer.from(app.aid, 'hex'));
  d.set('84', Buffer.from(app.aid, 'hex'));
  d.set('50', Buffer.from(app.label, 'ascii'));
  if (app.priority !== undefined) d.set('87', Buffer.from([app.priority]));
  if (app.preferredName) d.set('9F12', Buffer.from(app.preferredName, 'ascii'));
  d.set('9F11', Buffer.from([0x01]));
  d.set('5F2D', Buffer.from('zhen', 'ascii'));
  if (pdol) d.set('9F38', Buffer.from(pdol, 'hex'));
  d.set('82', Buffer.from((contactless ? (app.aipContactless ?? app.aip) : app.aip) ?? '1C00', 'hex'));
  d.set('5A', cn(card.pan));
  d.set('5F24', bcd(expiryDate(state.expiry), 3));
  if (card.effective) d.set('5F25', bcd(card.effective, 3));
  d.set('5F34', bcd(card.psn, 1));
  d.set('57', track2Equivalent(track2));
  if (card.cardholderName) d.set('5F20', Buffer.from(card.cardholderName, 'ascii'));
  if (card.tracks?.discretionary) d.set('9F1F', Buffer.from(card.tracks.discretionary, 'ascii'));
  d.set('5F28', bcd(country, 2));
  d.set('9F42', bcd(currency, 2));
  d.set('9F44', Buffer.from([0x02]));
  d.set('5F30', bcd(card.serviceCode, 2));
  d.set('9F07', Buffer.from(app.usageControl ?? 'FF00', 'hex'));
  d.set('9F08', Buffer.from(app.appVersion ?? '0030', 'hex'));
  d.set('8C', Buffer.from(app.cdol1 ?? DEFAULT_CDOL1, 'hex'));
  d.set('8D', Buffer.from(app.cdol2 ?? DEFAULT_CDOL2, 'hex'));
  if (app.cvmList) d.set('8E', Buffer.from(app.cvmList, 'hex'));
  if (app.iac?.default) d.set('9F0D', Buffer.from(app.iac.default, 'hex'));
  if (app.iac?.denial) d.set('9F0E', Buffer.from(app.iac.denial, 'hex'));
  if (app.iac?.online) d.set('9F0F', Buffer.from(app.iac.online, 'hex'));
  if (card.risk?.lowerConsecutiveOfflineLimit !== undefined)
    d.set('9F14', Buffer.from([card.risk.lowerConsecutiveOfflineLimit]));
  if (card.risk?.upperConsecutiveOfflineLimit !== undefined)
    d.set('9F23', Buffer.from([card.risk.upperConsecutiveOfflineLimit]));
  d.set('9F4F', Buffer.from(LOG_FORMAT, 'hex'));
  d.set('9F4D', Buffer.from([LOG_SFI, 10]));
  d.set('9F36', u16(state.atc));
  d.set('9F13', u16(state.lastOnlineAtc));
  d.set('9F17', Buffer.from([state.pinTriesLeft]));
  if (card.ec) {
    d.set('9F79', bcd(state.ecBalance, 6));
    if (card.ec.balanceLimit !== undefined) d.set('9F77', bcd(card.ec.balanceLimit, 6));
    if (card.ec.singleTransactionLimit !== undefined) d.set('9F78', bcd(card.ec.singleTransactionLimit, 6));
    if (card.ec.resetThreshold !== undefined) d.set('9F6D', bcd(card.ec.resetThreshold, 6));
  }
  for (const [tag, hex] of Object.entries(app.data ?? {})) d.set(tag.toUpperCase(), Buffer.from(hex, 'hex'));
  return d;
}

/** Two-byte big-endian counter. */
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
