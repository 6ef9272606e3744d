/**
 * The transaction log record READ RECORD answers from the log SFI (format of 9F4F).
 */
import { bcd, u16 } from './card-data.js';
import type { CardLogEntry } from './card-state.js';

/** A log record in the 9F4F format (values only, no tags). */
export function logRecord(e: CardLogEntry): Buffer {
  return Buffer.concat([
    Buffer.from(e.date.padStart(6, '0'), 'hex'),
    Buffer.from(e.time.padStart(6, '0'), 'hex'),
    bcd(e.amount, 6),
    bcd(0, 6),
    Buffer.from(e.country.padStart(4, '0'), 'hex'),
    Buffer.from(e.currency.padStart(4, '0'), 'hex'),
    Buffer.from(e.type.padStart(2, '0'), 'hex'),
    u16(e.atc),
  ]);
}
