/**
 * Application selection's candidate list: which of the card's applications the terminal supports, read
 * from the card's directory or found by trying the terminal's AIDs, in priority order.
 */
import { commandApdu, LE_ANY, responseData, statusWord, SW } from '../../cards/index.js';
import { fromHex, toHex } from '../../crypto/index.js';
import { flattenTlv, type Tlv } from '../../emv/index.js';
import type { TerminalProfile } from '../terminal-profile.js';
import type { ApduSender } from './kernel-contract.js';
import { parseSafe } from './kernel-data.js';

/** An application both the card and the terminal support. */
export interface Candidate {
  aid: string;
  label: string;
  /** Application priority indicator (tag 87) low nibble; 1 = highest, 15 when absent. */
  priority: number;
}

const SW_OK = SW.OK;

/**
 * Candidate list (EMV Book 1 §12.3): the PSE (contact) or PPSE (contactless) directory, else — contact
 * only — the terminal's AID list tried one by one; sorted by priority (1 first, none = 15).
 */
export async function buildCandidates(
  send: ApduSender,
  profile: TerminalProfile,
  contactless: boolean,
): Promise<Candidate[]> {
  const supported = profile.kernel.aids.filter((a) => !contactless || a.contactless);
  const matches = (cardAid: string): { aid: string; label: string } | undefined => {
    const t = supported.find((a) => a.aid === cardAid || (a.partialSelection && cardAid.startsWith(a.aid)));
    return t ? { aid: cardAid, label: t.label } : undefined;
  };
  const out: Candidate[] = [];
  const name = Buffer.from(contactless ? '2PAY.SYS.DDF01' : '1PAY.SYS.DDF01', 'ascii');
  const r = await send(commandApdu(0x00, 0xa4, 0x04, 0x00, name, LE_ANY));
  const entries: Tlv[] = [];
  if (statusWord(r) === SW_OK) {
    const fci = flattenTlv(parseSafe(responseData(r)));
    if (contactless) {
      const bf0c = parseSafe(responseData(r));
      const collect = (nodes: Tlv[]): void => {
        for (const n of nodes) {
          if (n.tag === '61') entries.push(n);
          else if (n.children) collect(n.children);
        }
      };
      collect(bf0c);
    } else {
      const sfi = fci.get('88')?.[0] ?? 1;
      for (let rec = 1; rec <= 16; rec++) {
        const rr = await send(commandApdu(0x00, 0xb2, rec, (sfi << 3) | 4, undefined, LE_ANY));
        if (statusWord(rr) !== SW_OK) break;
        for (const n of parseSafe(responseData(rr)))
          for (const c of n.children ?? []) if (c.tag === '61') entries.push(c);
      }
    }
  }
  if (entries.length > 0) {
    for (const e of entries) {
      const f = flattenTlv(e.children ?? []);
      const aid = f.get('4F');
      if (!aid) continue;
      const m = matches(toHex(aid));
      if (m)
        out.push({
          aid: m.aid,
          label: f.get('50')?.toString('latin1') ?? m.label,
          priority: (f.get('87')?.[0] ?? 0x0f) & 0x0f || 0x0f,
        });
    }
  } else if (!contactless) {
    // List of AIDs method (EMV Book 1 §12.3.3).
    for (const a of supported) {
      const rr = await send(commandApdu(0x00, 0xa4, 0x04, 0x00, fromHex(a.aid), LE_ANY));
      if (statusWord(rr) !== SW_OK && statusWord(rr) !== 0x6283) continue;
      const f = flattenTlv(parseSafe(responseData(rr)));
      const df = f.get('84');
      const cardAid = df ? toHex(df) : a.aid;
      if (cardAid === a.aid || a.partialSelection)
        out.push({
          aid: cardAid,
          label: f.get('50')?.toString('latin1') ?? a.label,
          priority: (f.get('87')?.[0] ?? 0x0f) & 0x0f || 0x0f,
        });
    }
  }
  return out.sort((x, y) => x.priority - y.priority);
}
