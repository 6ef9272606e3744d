/**
 * The contract between the terminal's EMV kernel and the reader around it: how it sends APDUs, what it
 * asks of the terminal (PIN, display), the transaction it runs, what it gives back, and why it stops.
 */
import { isPayhilError } from '../../common/payhil-error.js';
import type { DefectSet } from '../defects.js';
import type { TextKey } from '../display-texts.js';
import type { TerminalProfile } from '../terminal-profile.js';

/** Sends one command APDU (GET RESPONSE handled) and returns data ‖ SW1 SW2. */
export type ApduSender = (command: Buffer) => Promise<Buffer>;

/** What the kernel needs from the terminal around it. */
export interface KernelHost {
  profile: TerminalProfile;
  defects: DefectSet;
  /** The terminal's draws (unpredictable number); default node:crypto. */
  random?: () => number;
  /** Asks the cardholder for a PIN; undefined = bypassed. `triesLeft` for an offline PIN retry. */
  requestPin(kind: 'online' | 'offline', triesLeft?: number): Promise<string | undefined>;
  /** Shows a message (e.g. wrong PIN). */
  show(key: TextKey, extra?: string): void;
}

/** The transaction the kernel runs. */
export interface KernelTransaction {
  /** Minor units (0 for balance inquiry). */
  amount: number;
  /** 9C: 00 goods, 01 cash, 03 pre-authorisation, 20 refund, 31 balance inquiry. */
  type: '00' | '01' | '03' | '20' | '31';
  /** True when the transaction may be approved offline (purchases only). */
  offlineAllowed: boolean;
}

/** Why a card could not be used (the terminal shows `key`). */
export class KernelStop extends Error {
  constructor(
    readonly key: TextKey,
    readonly kind: 'notSupported' | 'readError' | 'declined' | 'tapAgain' | 'useContact' | 'cardLeft',
    message?: string,
  ) {
    super(message ?? key);
  }
}

/** The card as read, and the first decision. */
export interface KernelOutcome {
  /** TC = approved offline, AAC = declined offline, ARQC = go online. */
  decision: 'TC' | 'AAC' | 'ARQC';
  pan: string;
  /** YYMM. */
  expiry?: string;
  /** 3 digits. */
  psn?: string;
  track2?: string;
  /** Field 55 (hex) for the online request or the offline upload. */
  iccData: string;
  /** Online PIN entered by the cardholder (goes to field 52, never to events). */
  onlinePin?: string;
  /** True when a signature line is needed on the receipt. */
  signature: boolean;
  aid: string;
  label: string;
  tvr: string;
  tsi: string;
  /** Why the kernel declined offline (the display key), with decision AAC. */
  declineKey?: TextKey;
  /** EC balance after an offline purchase (qPBOC 9F5D), minor units. */
  ecBalance?: number;
}

/** What the simplified flow (card-present refund) reads from the chip. */
export interface CardApplicationData {
  pan: string;
  /** YYMM. */
  expiry?: string;
  /** 3 digits. */
  psn?: string;
  track2?: string;
  aid: string;
  label: string;
}

/**
 * True for what a card or its transport can do wrong: a kernel stop, or a typed payhil error (card
 * removed, no answer, a reader fault). Anything else thrown while talking to a card is a payhil bug.
 */
export function isCardFault(e: unknown): boolean {
  return e instanceof KernelStop || isPayhilError(e);
}

/** At a GENERATE AC the terminal cannot complete, a card fault means AAC; a bug is thrown on. */
export function aacOnCardFault(e: unknown): 'AAC' {
  if (isCardFault(e)) return 'AAC';
  throw e;
}
