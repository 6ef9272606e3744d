/**
 * The host simulator's configuration as it appears in fixtures/hosts/*.yaml (validated by
 * host.schema.json). Amounts are minor units (fen for CNY 156); keys are hex test keys.
 */
import type { Matcher } from '../common/matcher.js';

export type AccountStatus = 'active' | 'frozen' | 'closed' | 'lost';

/** A terminal the acquirer knows, by field 41 (terminal id) and field 42 (merchant id). */
export interface TerminalConfig {
  terminalId: string;
  merchantId: string;
  /** Terminal master key (hex, 16 or 32 hex digits) — a TEST key. */
  tmk: string;
  /** Region the terminal stands in, compared with an account's `regions`. */
  region?: string;
  /** Batch number the host hands out at sign-in (field 60.2), 6 digits. Default 000001. */
  batch?: string;
  /** Merchant name, for logs only. */
  name?: string;
}

/** A risk rule of the issuer: a message matcher; a matching authorisation is declined with `59`. */
export interface RiskRuleConfig {
  name: string;
  match: Record<string, Matcher>;
}

/** An issuer account, keyed by a card fixture name and/or a PAN. */
export interface AccountConfig {
  /** Card fixture name (fixtures/cards/NAME.yaml): PAN, PSN, expiry, PIN and issuer keys come from it. */
  card?: string;
  /** PAN, when there is no card fixture (or to override it). */
  pan?: string;
  psn?: string;
  /** Card expiry YYMM. */
  expiry?: string;
  /** Clear PIN the issuer verifies field 52 against (TEST data). */
  pin?: string;
  /** Online PIN tries allowed before `75`. Default: the card's pinTryLimit, else 3. */
  pinTryLimit?: number;
  /** Tries left at start (0 = PIN blocked at the issuer). Default pinTryLimit. */
  pinTriesLeft?: number;
  /** Issuer master key for application cryptograms (hex, 32 digits) — a TEST key. */
  imkAc?: string;
  /** Cryptogram version the card uses (10: ICC master key, 18: session key). Default: the card's, else 18. */
  cvn?: 10 | 18;
  /** Opening balance in minor units. */
  balance: number;
  /** ISO 4217 numeric currency. Default 156 (CNY). */
  currency?: string;
  status?: AccountStatus;
  /** Minor units per transaction and per day (61 beyond), and transactions per day (65 beyond). */
  limits?: { single?: number; daily?: number; dailyCount?: number };
  /** Regions the card may be used in; absent = anywhere. */
  regions?: string[];
  risk?: RiskRuleConfig[];
}

export interface HostLimits {
  /** Largest frame accepted (bytes, length prefix excluded); a larger one closes the connection. */
  maxFrameBytes?: number;
  /**
   * Simultaneous connections. At the limit a newcomer is served and the connection that has gone longest
   * without completing a frame is closed (never-completed ones first); refused only when every
   * connection holds a delayed answer.
   */
  maxConnections?: number;
  /** A connection with no traffic for this long is closed (ms). */
  idleTimeoutMs?: number;
  /** A frame begun must be complete within this long (ms) or the connection is closed. Default 10000. */
  frameTimeoutMs?: number;
  /**
   * Bytes of answers a connection may have unsent (its peer not reading) before the host stops reading
   * its requests until they drain. Default 262144.
   */
  maxUnsentBytes?: number;
}

export interface HostConfig {
  name?: string;
  /** Acquiring institution id answered in field 32. */
  acquirerId?: string;
  /**
   * Key scheme handed out at sign-in (field 60.3): '001' single-length PIK/MAK, '003' double-length PIK,
   * '004' double-length PIK and MAK plus TDK. Default '004'.
   */
  keyScheme?: '001' | '003' | '004';
  /** Reject financial messages without field 64 (`A0`). Default false: only a present MAC is checked. */
  requireMac?: boolean;
  /** Answer to a reversal whose original is unknown. Default RC.ORIGINAL_NOT_FOUND ('25'). */
  reversalUnknownOriginal?: string;
  /** Transactions remembered for reversal/void/refund (oldest forgotten first). Default 100000. */
  ledgerSize?: number;
  /** In-memory journal size (entries). Default 10000. */
  journalSize?: number;
  limits?: HostLimits;
  terminals: TerminalConfig[];
  accounts: AccountConfig[];
  /** Risk rules that apply to every account. */
  risk?: RiskRuleConfig[];
}
