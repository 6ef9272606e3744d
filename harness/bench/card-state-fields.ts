/**
 * A virtual card's run state as the fields `expect card` and `capture card.X` read: EMV tag names
 * (9F36 ATC, 9F13 last online ATC, 9F17 PIN tries, 9F79 EC balance) and the plain field names.
 */
import type { CardRunState } from '../cards/index.js';

export function cardStateFields(s: CardRunState): Record<string, unknown> {
  return {
    atc: s.atc,
    '9F36': s.atc,
    lastOnlineAtc: s.lastOnlineAtc,
    '9F13': s.lastOnlineAtc,
    pinTriesLeft: s.pinTriesLeft,
    '9F17': s.pinTriesLeft,
    ecBalance: s.ecBalance,
    '9F79': s.ecBalance,
    consecutiveOffline: s.consecutiveOffline,
    walletOfflineUsed: s.walletOfflineUsed,
    walletState: s.walletState,
    expiry: s.expiry,
    logEntries: s.log.length,
    lastResult: s.log[0]?.result,
    // CID of the last transaction's final cryptogram: TC 40, ARQC 80, AAC 00.
    '9F27': s.log[0] ? { TC: '40', ARQC: '80', AAC: '00' }[s.log[0].result] : undefined,
  };
}
