import { PayhilError, type Verdict } from '../common/payhil-error.js';

/** A card fixture that cannot be found, parsed, or resolved (`extends` cycle, bad hex). Bad input: `usage`. */
export class CardFixtureError extends PayhilError {
  readonly fixture: string;

  constructor(fixture: string, detail: string, options: { cause?: unknown } = {}) {
    super('E_CARD_FIXTURE', `card fixture ${fixture}: ${detail}`, { verdict: 'usage', ...options });
    this.fixture = fixture;
  }
}

/**
 * The card gives no answer: a mute chip (no ATR), a wallet that is closed or has NFC off. This is how
 * the card under the scenario behaves, so a terminal seeing it is not a lab fault (`failed` if unexpected).
 */
export class CardNoAnswerError extends PayhilError {
  readonly card: string;
  readonly reason: 'mute-chip' | 'wallet-closed' | 'nfc-off' | 'interface-absent';

  constructor(card: string, reason: CardNoAnswerError['reason']) {
    super('E_CARD_NO_ANSWER', `card ${card}: no answer (${reason})`, { verdict: 'failed' });
    this.card = card;
    this.reason = reason;
  }
}

/** The card left the reader or the field (`holdMs` elapsed, removed by a step) during an exchange. */
export class CardRemovedError extends PayhilError {
  readonly card: string;

  constructor(card: string, detail = 'card removed') {
    super('E_CARD_REMOVED', `card ${card}: ${detail}`, { verdict: 'failed' });
    this.card = card;
  }
}

/** An APDU sent to a card that is not powered, or a swipe of a card without a stripe: caller error. */
export class CardStateError extends PayhilError {
  readonly card: string;

  constructor(card: string, detail: string, verdict: Verdict = 'usage') {
    super('E_CARD_STATE', `card ${card}: ${detail}`, { verdict });
    this.card = card;
  }
}

/** The vpcd bridge could not reach vpcd (pcscd not running, vpcd driver not installed): a lab fault. */
export class VpcdError extends PayhilError {
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number, detail: string, options: { cause?: unknown } = {}) {
    super('E_VPCD', `vpcd ${host}:${port}: ${detail}`, { verdict: 'broken', ...options });
    this.host = host;
    this.port = port;
  }
}

/** A malformed command APDU (ISO/IEC 7816-4): too short, Lc or Le that does not match its length. The card answers 6700. */
export class ApduFormatError extends PayhilError {
  constructor(detail: string) {
    super('E_APDU_FORMAT', `APDU: ${detail}`, { verdict: 'failed' });
  }
}

/** A value that does not fit its EMV data element (`n` digits in too few BCD bytes, a non-digit). */
export class CardDataError extends PayhilError {
  readonly value: string;
  readonly format: string;

  constructor(value: string, format: string) {
    super('E_CARD_DATA', `${value} does not fit ${format}`, { verdict: 'usage' });
    this.value = value;
    this.format = format;
  }
}
