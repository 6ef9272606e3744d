/**
 * The terminals the acquirer knows (field 41 terminal id + field 42 merchant id, with their TMK) and
 * their sign-in sessions: fresh working keys (PIK, MAK, TDK) per sign-in, and the batch number. Field 62
 * of the sign-in answer is written by pos-protocol (field-62.ts) from a session's keys.
 */
import { randomBytes } from 'node:crypto';
import { randomBytesOf } from '../common/run-seed.js';
import { adjustOddParity, fromHex } from '../crypto/index.js';
import {
  workingKeyFieldValue,
  workingKeyLengths,
  type KeyScheme,
  type SessionKeys,
} from '../pos-protocol/index.js';
import type { TerminalConfig } from './host-config.js';

/** Working keys of one sign-in, in clear (host side). */
export interface TerminalSession extends SessionKeys {
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

/**
 * Fresh random working keys (odd parity) of the lengths a key scheme carries: from node:crypto, or from
 * `random` (the embedded bench's seeded stream: TEST keys under a TEST TMK, see common/run-seed.ts).
 */
export function newSession(scheme: KeyScheme, now = Date.now(), random?: () => number): TerminalSession {
  const lengths = workingKeyLengths(scheme);
  const bytes = (n: number): Buffer => (random ? randomBytesOf(random, n) : randomBytes(n));
  return {
    pik: adjustOddParity(bytes(lengths.pik)),
    mak: adjustOddParity(bytes(lengths.mak)),
    tdk: lengths.tdk === undefined ? undefined : adjustOddParity(bytes(lengths.tdk)),
    scheme,
    signedInAt: now,
  };
}

export class TerminalRegistry {
  private readonly terminals = new Map<string, KnownTerminal>();
  private lastTerminalId: string | undefined;
  private lastMerchantId: string | undefined;
  private lastFound: KnownTerminal | undefined;
  /** Source of working keys; undefined: node:crypto. */
  random: (() => number) | undefined;

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
    t.session = newSession(scheme, now, this.random);
    return t.session;
  }

  /**
   * Field 62 of the sign-in answer for the terminal's session: its keys under the terminal's TMK, in
   * the key scheme's layout, as hex (pos-protocol field-62.ts). Undefined when it is not signed in.
   */
  keyField(t: KnownTerminal): string | undefined {
    const s = t.session;
    return s ? workingKeyFieldValue(t.tmk, s, s.scheme) : undefined;
  }

  /** Drops a terminal's session (sign-out): it must sign in again. */
  signOut(t: KnownTerminal): void {
    t.session = undefined;
  }
}
