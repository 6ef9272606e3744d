/**
 * Receipts as text (签购单): merchant and customer copies, masked PAN, in the profile's language.
 */
import { text, type TextKey } from '../display-texts.js';
import type { TerminalProfile } from '../terminal-profile.js';
import type { TerminalResult } from '../terminal-result.js';

export function formatReceipt(
  profile: TerminalProfile,
  r: TerminalResult,
  /** `when`: the terminal's local date and time, `YYYY-MM-DD hh:mm:ss`. */
  o: { copy: 'merchant' | 'customer'; batch: string; signature: boolean; when: string },
): string {
  const L = profile.language;
  const e = profile.kernel.currencyExponent;
  const line = (k: TextKey, v: string): string => `${text(k, L)}: ${v}`;
  const when = o.when;
  const typeKey = (r.transaction === 'signIn' ? 'signIn' : r.transaction) as TextKey;
  const out = [
    text('receiptTitle', L),
    text(o.copy === 'merchant' ? 'merchantCopy' : 'customerCopy', L),
    '--------------------------------',
    line('merchant', profile.merchantName),
    line('terminal', profile.terminalId),
    line('card', r.maskedPan ?? '-'),
    line('txType', text(typeKey, L)),
    line('batch', o.batch),
    line('trace', r.stan ?? '-'),
    line('ref', r.reference ?? '-'),
    line('auth', r.authCode ?? '-'),
    line('date', when),
    line('total', `RMB ${((r.amount ?? 0) / 10 ** e).toFixed(e)}`),
    '--------------------------------',
    text(r.outcome === 'approved' ? (r.details?.offline ? 'approvedOffline' : 'approved') : 'declined', L),
  ];
  if (o.copy === 'merchant')
    out.push(o.signature ? `${text('signature', L)}: ____________` : text('noSignature', L));
  return out.join('\n');
}
