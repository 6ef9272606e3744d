/**
 * The terminals the acquirer knows (field 41 terminal id + field 42 merchant id, with their TMK) and
 * their sign-in sessions: fresh working keys (PIK, MAK, TDK) per sign-in, and the batch number.
 *
 * Field 62 of the sign-in answer, UnionPay POS layout, chosen by field 60.3:
 *  - `001` single-length keys:   PIK(8)  ‖ CV(4) ‖ MAK(8)           ‖ CV(4)                    = 24 bytes
 *  - `003` double-length PIK:    PIK(16) ‖ CV(4) ‖ MAK(8) ‖ 00×8    ‖ CV(4)                    = 40 bytes
 *  - `004` as 003 plus the TDK:  PIK(16) ‖ CV(4) ‖ MAK(8) ‖ 00×8    ‖ CV(4) ‖ TDK(16) ‖ CV(4)  = 60 bytes
 * Each key is encrypted under the TMK (TDES-ECB); each check value (CV) is the first 4 bytes of the
 * CLEAR key encrypting eight zero bytes. The MAK is single length (the CUP ECB MAC uses DES).
 */
import { randomBytes } from 'node:crypto';
import { adjustOddParity, encryptWorkingKey, fromHex } from '../crypto/index.js';
import type { TerminalConfig } from './host-config.js';

export type KeyScheme = '001' | '003' | '004';

/** Working keys of one sign-in, in clear (host side). */
export interface TerminalSession {
  pik: Buffer;
  mak: Buffer;
  tdk: Buffer | undefined;
  scheme: KeyScheme;
  signedInAt: number;
}

export interface KnownTerminal {
  readonly config: TerminalConfig;
  readonly tmk: Buffer;
  session: TerminalSession | undefined;
  batch: string;
}

/** Builds field 62 (as bytes) for a set of clear working keys under `tmk`. */
export function buildKeyField(tmk: Buffer, session: TerminalSession): Buffer {
  const parts: Buffer[] = [];
  const pik = encryptWorkingKey(tmk, session.pik);
  parts.push(pik.key, pik.kcv);
  const mak = encryptWorkingKey(tmk, session.mak);
  parts.push(mak.key);
  if (session.scheme !== '001') parts.push(Buffer.alloc(8));
  parts.push(mak.kcv);
  if (session.scheme === '004' && session.tdk) {
    const tdk = encryptWorkingKey(tmk, session.tdk);
    parts.push(tdk.key, tdk.kcv);
  }
  return Buffer.concat(parts);
}

/** Fresh random working keys (odd parity) for a key scheme. */
export function newSession(scheme: KeyScheme, now = Date.now()): TerminalSession {
  const double = scheme !== '001';
  return {
    pik: adjustOddParity(randomBytes(double ? 16 : 8)),
    mak: adjustOddParity(randomBytes(8)),
    tdk: scheme === '004' ? adjustOddParity(randomBytes(16)) : undefined,
    scheme,
    signedInAt: now,
  };
}

export class TerminalRegistry {
  private readonly terminals = new Map<string, KnownTerminal>();
  private lastTerminalId: string | undefined;
  private lastMerchantId: string | undefined;
  private lastFound: KnownTerminal | undefined;

  constructor(private readonly configs: readonly TerminalConfig[]) {
    this.reset();
  }

  /** Forgets every sign-in and puts the batch numbers back to their configured values. */
  reset(): void {
    this.terminals.clear();
    this.lastTerminalId = this.lastMerchantId = this.lastFound = undefined;
    for (const c of this.configs) {
      this.terminals.set(`${c.terminalId}|${c.merchantId}`, {
        config: c,
        tmk: fromHex(c.tmk),
        session: undefined,
        batch: c.batch ?? '000001',
      });
    }
  }

  /** The terminal with this terminal id and merchant id, or undefined. */
  find(terminalId: string | undefined, merchantId: string | undefined): KnownTerminal | undefined {
    if (terminalId === undefined || merchantId === undefined) return undefined;
    // A terminal sends the same ids on every message: the last answer spares building the key.
    if (terminalId === this.lastTerminalId && merchantId === this.lastMerchantId) return this.lastFound;
    const found = this.terminals.get(`${terminalId}|${merchantId}`);
    this.lastTerminalId = terminalId;
    this.lastMerchantId = merchantId;
    this.lastFound = found;
    return found;
  }

  list(): KnownTerminal[] {
    return [...this.terminals.values()];
  }

  /** Starts a new session for a terminal: fresh keys replace the old ones. */
  signIn(t: KnownTerminal, scheme: KeyScheme, now = Date.now()): TerminalSession {
    t.session = newSession(scheme, now);
    return t.session;
  }

  /** Drops a terminal's session (sign-out): it must sign in again. */
  signOut(t: KnownTerminal): void {
    t.session = undefined;
  }
}
