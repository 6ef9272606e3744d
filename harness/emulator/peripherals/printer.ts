/**
 * The receipt printer: merchant and customer copies of a transaction slip (or the settlement slip),
 * kept for reprint and emitted as `receipt` events; a printer fault loses the slip, not the transaction.
 */
import type { Calendar } from '../../common/calendar.js';
import { formatReceipt } from './receipt.js';
import type { DeviceConditions } from '../terminal-devices.js';
import type { TerminalEvents } from '../terminal-events.js';
import type { TerminalProfile } from '../terminal-profile.js';
import type { TerminalResult } from '../terminal-result.js';

/** The terminal's local date and time as a receipt prints it: `YYYY-MM-DD hh:mm:ss`. */
function receiptTime(c: Calendar): string {
  const l = c.local();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hours)}:${p(l.minutes)}:${p(l.seconds)}`;
}

export class ReceiptPrinter {
  private receipts: { merchant: string | null; customer: string | null } = { merchant: null, customer: null };

  constructor(
    private readonly profile: TerminalProfile,
    private readonly events: TerminalEvents,
    private readonly devices: DeviceConditions,
    private readonly calendar: Calendar,
  ) {}

  /** Text of the last receipt (merchant copy by default), or null. */
  last(copy: 'merchant' | 'customer' = 'merchant'): string | null {
    return this.receipts[copy];
  }

  /**
   * Prints both copies of `r` for batch `batch` (with a signature line when `signature`). A printer
   * fault sets `details.receiptPrinted = false` on `r`.
   */
  print(r: TerminalResult, signature: boolean, batch: string): void {
    if (!this.profile.capabilities.printer) return;
    if (this.devices.printer === 'fault') {
      // The transaction stands; the slip is lost (the merchant reprints once the printer works).
      this.events.emit({ type: 'note', text: 'printer fault: receipt not printed' });
      r.details = { ...r.details, receiptPrinted: false };
      return;
    }
    for (const copy of ['merchant', 'customer'] as const) {
      const t = formatReceipt(this.profile, r, { copy, batch, signature, when: receiptTime(this.calendar) });
      this.receipts[copy] = t;
      this.events.emit({ type: 'receipt', text: t, copy });
    }
  }
}
