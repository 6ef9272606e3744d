/**
 * Answers to reset of the virtual cards (ISO/IEC 7816-3 §8.2). Historical bytes spell "PAYHIL" plus a
 * card tag so a person reading `pcsc_scan` output recognises the virtual card.
 */
import type { CardFixture } from './card-fixture.js';

function historical(card: CardFixture): Buffer {
  return Buffer.from(`PAYHIL${card.name.slice(0, 2).toUpperCase()}`.padEnd(8, ' ').slice(0, 8), 'ascii');
}

/** TCK: XOR of every byte from T0 to the last, needed when a protocol other than T=0 is indicated. */
function withTck(atr: number[]): Buffer {
  let x = 0;
  for (const b of atr.slice(1)) x ^= b;
  return Buffer.from([...atr, x]);
}

/**
 * The ATR of a card on an interface. A fixture `atr` overrides it.
 *
 * - contact T=0: `3B 68 00 00` + 8 historical bytes (TB1 = 00 no programming voltage, TC1 = 00 no extra
 *   guard time);
 * - contact T=1: `3B E8 00 00 81 31 FE 45` + historical bytes + TCK (TD1 = 81: T=1 follows; TD2 = 31: TA3
 *   IFSC 254, TB3 = 45 block/character waiting times);
 * - contactless: what a PC/SC reader builds for an ISO 14443-4 card (PC/SC part 3 §3.1.3.2.3):
 *   `3B 8n 80 01` + historical bytes + TCK.
 */
export function atrOf(card: CardFixture, contactless: boolean): Buffer {
  if (card.atr) return Buffer.from(card.atr, 'hex');
  const hist = [...historical(card)];
  if (contactless) return withTck([0x3b, 0x80 | hist.length, 0x80, 0x01, ...hist]);
  if ((card.protocol ?? 'T1') === 'T0') return Buffer.from([0x3b, 0x60 | hist.length, 0x00, 0x00, ...hist]);
  return withTck([0x3b, 0xe0 | hist.length, 0x00, 0x00, 0x81, 0x31, 0xfe, 0x45, ...hist]);
}

/** True for the ATR a PC/SC reader synthesises for a contactless (ISO 14443-4) card: `3B 8n 80 01 …`. */
export function isContactlessAtr(atr: Uint8Array | undefined): boolean {
  return (
    !!atr &&
    atr.length >= 4 &&
    atr[0] === 0x3b &&
    ((atr[1] as number) & 0xf0) === 0x80 &&
    atr[2] === 0x80 &&
    atr[3] === 0x01
  );
}
