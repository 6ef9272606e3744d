/**
 * A virtual card's run state as a terminal in test mode reports it (the ECR `cardState` request, the web
 * UI's card state): EMV tag names (9F36 ATC, 9F13 last online ATC, 9F17 PIN tries, 9F79 EC balance, 9F27
 * CID of the last cryptogram) and plain field names — the names `expect card` and `capture card.X` read
 * on every bench. Nothing secret: no PAN, track data, PIN or key.
 */
import type { CardRunState } from '../cards/index.js';

/** CID (9F27) of a final cryptogram type: TC 40, ARQC 80, AAC 00. */
const CID = { TC: '40', ARQC: '80', AAC: '00' } as const;

/** The reported fields of a card's run state (undefined members are absent once sent as JSON). */
export function cardStateReport(s: CardRunState): Record<string, unknown> {
  const last = s.log[0];
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
    lastResult: last?.result,
    '9F27': last ? CID[last.result] : undefined,
  };
}
