/**
 * Magnetic stripe data (ISO/IEC 7813): track 1 (format B, alphanumeric) and track 2 (numeric), and the
 * chip's track 2 equivalent data (tag 57) built from the same fields so stripe and chip agree.
 */
import type { CardFixture } from './card-fixture.js';

/** What a swipe reads: data between the sentinels, without start/end sentinels and LRC. */
export interface MagstripeTracks {
  /** Track 1, format B: `B<PAN>^<NAME>^<YYMM><service code><discretionary>`. */
  track1?: string;
  /** Track 2: `<PAN>=<YYMM><service code><discretionary>` (at most 37 characters). */
  track2: string;
  track3?: string;
}

const TRACK2_MAX = 37;

/** Track 2 of a card: from the fixture's `tracks.track2` or derived from PAN, expiry, service code. */
export function track2Of(card: CardFixture): string {
  if (card.tracks?.track2) return card.tracks.track2;
  const head = `${card.pan}=${card.expiry}${card.serviceCode}`;
  const disc = (card.tracks?.discretionary ?? '0000000000').slice(0, Math.max(0, TRACK2_MAX - head.length));
  return head + disc;
}

/** Track 1 (format B) of a card: from the fixture or derived. Name padded/cut to 2–26 characters. */
export function track1Of(card: CardFixture): string {
  if (card.tracks?.track1) return card.tracks.track1;
  const name = (card.cardholderName ?? 'CARDHOLDER/PAYHIL').toUpperCase().slice(0, 26).padEnd(2, ' ');
  const disc = card.tracks?.discretionary ?? '0000000000';
  return `B${card.pan}^${name}^${card.expiry}${card.serviceCode}${disc}`;
}

/** Both tracks as a swipe reads them. */
export function tracksOf(card: CardFixture): MagstripeTracks {
  return { track1: track1Of(card), track2: track2Of(card) };
}

/** Track 2 equivalent data (tag 57): the track 2 digits in BCD, `=` as `D`, padded with `F`. */
export function track2Equivalent(track2: string): Buffer {
  let nibbles = track2.replace('=', 'D');
  if (nibbles.length % 2) nibbles += 'F';
  return Buffer.from(nibbles, 'hex');
}

/** True when a service code says the card has a chip (first digit 2 or 6, ISO/IEC 7813). */
export function serviceCodeSaysChip(serviceCode: string): boolean {
  return serviceCode.startsWith('2') || serviceCode.startsWith('6');
}
