/**
 * The card fixture: what `fixtures/cards/*.yaml` holds (schema: harness/cards/card.schema.json). Field
 * names here are a contract: the host simulator reads `pan`, `psn`, `pin`, `expiry`, `serviceCode` and
 * `keys` from the same files to verify ARQCs and PINs (see docs/cards.md).
 */

/** A physical interface of the card. */
export type CardInterfaceKind = 'contact' | 'contactless' | 'magstripe';

/** Faults a fixture (or a scenario step) switches on. */
export interface CardFaultsSpec {
  /** No answer to reset: the chip is dead (the stripe still works). */
  mute?: boolean;
  /** Responses with data come back corrupted (bytes flipped, template truncated); SW stays 9000. */
  garbled?: boolean;
  /** The card leaves the reader / field this many milliseconds after power-on. */
  holdMs?: number;
  /** SELECT of the application answers 6283 (application blocked). */
  appBlocked?: boolean;
  /** SELECT answers 6A81 (card blocked). */
  cardBlocked?: boolean;
}

/** Issuer key material (test keys only, hex): the issuer master keys the card's keys derive from. */
export interface CardKeysSpec {
  /** Issuer master key for application cryptograms (ARQC/TC/AAC, ARPC), 16 bytes hex. */
  imkAc: string;
  /** Issuer master key for secure messaging integrity (scripts), optional. */
  imkSmi?: string;
  /** Issuer master key for secure messaging confidentiality (scripts), optional. */
  imkSmc?: string;
  /** Derivation key index written in the IAD (9F10 byte 2). */
  dki?: number;
}

/** A record the card holds: SFI, record number, and the tags (looked up in the application data). */
export interface CardRecordSpec {
  sfi: number;
  record: number;
  tags: string[];
}

/** One EMV/PBOC application on the chip. */
export interface CardApplicationSpec {
  /** Application identifier, hex (e.g. A000000333010101 UnionPay debit). */
  aid: string;
  /** Application label (tag 50), ASCII. */
  label: string;
  /** Application preferred name (9F12). */
  preferredName?: string;
  /** Application priority indicator (87), 1 highest. */
  priority?: number;
  /** Interfaces this application answers on (default: the chip interfaces of the card). */
  interfaces?: ('contact' | 'contactless')[];
  /** Cryptogram version: 10 (ICC master key, CVR in the MAC input) or 18 (session key per ATC, full IAD). */
  cvn?: 10 | 18;
  /** Application interchange profile (82) for the contact path, hex 2 bytes. */
  aip?: string;
  /** AIP returned by the qPBOC fast GPO, hex 2 bytes. */
  aipContactless?: string;
  /** Processing options data object list (9F38) on the contact interface, hex (default none). */
  pdol?: string;
  /** PDOL on the contactless interface (default: TTQ, amounts, country, TVR, currency, date, type, UN). */
  pdolContactless?: string;
  /** Card risk management DOL 1 (8C), hex. */
  cdol1?: string;
  /** CDOL 2 (8D), hex; put 91 (issuer authentication data) in it for issuer authentication. */
  cdol2?: string;
  /** CVM list (8E), hex. */
  cvmList?: string;
  /** Issuer action codes (9F0D default, 9F0E denial, 9F0F online), hex 5 bytes each. */
  iac?: { default?: string; denial?: string; online?: string };
  /** Application usage control (9F07), hex 2 bytes. */
  usageControl?: string;
  /** Application version number (9F08), hex 2 bytes. */
  appVersion?: string;
  /** The records (default: the standard layout in docs/cards.md). The AFL is derived from them. */
  records?: CardRecordSpec[];
  /** Extra or overriding data elements, tag → hex value. */
  data?: Record<string, string>;
}

/** Card risk management parameters. */
export interface CardRiskSpec {
  /** Lower consecutive offline limit (9F14): above it the card asks to go online. */
  lowerConsecutiveOfflineLimit?: number;
  /** Upper consecutive offline limit (9F23): above it the card declines offline. */
  upperConsecutiveOfflineLimit?: number;
}

/** PBOC electronic cash purse; amounts in minor units (fen). */
export interface CardEcSpec {
  /** EC balance (9F79) at the start of a run. */
  balance: number;
  /** EC balance limit (9F77). */
  balanceLimit?: number;
  /** EC single transaction limit (9F78). */
  singleTransactionLimit?: number;
  /** EC reset threshold (9F6D). */
  resetThreshold?: number;
}

/** Phone wallet (HCE) behaviour. */
export interface CardWalletSpec {
  /** Offline payments allowed before the wallet needs an online transaction (default 10). */
  offlinePayments?: number;
  /** `closed` (wallet app not open) and `nfc-off` give no answer at all. */
  state?: 'open' | 'closed' | 'nfc-off';
}

/** Magnetic stripe content; when absent the tracks derive from pan/expiry/serviceCode/cardholderName. */
export interface CardTracksSpec {
  track1?: string;
  track2?: string;
  /** Discretionary data used in derived tracks (digits). */
  discretionary?: string;
}

/** A card fixture after `extends` is resolved. */
export interface CardFixture {
  name: string;
  description?: string;
  /** Another fixture (name or relative path) whose fields this one overrides. */
  extends?: string;
  pan: string;
  /** PAN sequence number (5F34), two digits. */
  psn: string;
  /** Expiry YYMM. */
  expiry: string;
  /** Effective date YYMMDD (5F25). */
  effective?: string;
  /** Three-digit service code; 2xx marks a chip card. */
  serviceCode: string;
  cardholderName?: string;
  /** Offline (and online) PIN, 4–12 digits. */
  pin: string;
  /** PIN try limit. */
  pinTryLimit: number;
  /** PIN tries left at the start of a run (default pinTryLimit); 0 is a PIN-blocked card. */
  pinTriesLeft?: number;
  /** Issuer country (5F28) and application currency (9F42), numeric ISO codes (default 156 China). */
  country?: string;
  currency?: string;
  interfaces: CardInterfaceKind[];
  /** Transport of the contact chip: T0 answers case 4 commands with 61xx and GET RESPONSE. */
  protocol?: 'T0' | 'T1';
  /** ATR override, hex. */
  atr?: string;
  /** ATC at the start of a run. */
  atc?: number;
  keys: CardKeysSpec;
  applications: CardApplicationSpec[];
  risk?: CardRiskSpec;
  ec?: CardEcSpec;
  wallet?: CardWalletSpec;
  tracks?: CardTracksSpec;
  faults?: CardFaultsSpec;
}
