/**
 * ISO 8583 field 39 response codes as used on UnionPay (CUP) POS links: what the host answers with and
 * what a terminal reads. Names follow the CUP response code table (交易应答码表); the host simulator, the
 * emulated terminal, tests and rules refer to these constants.
 */
export const RC = {
  /** Approved or completed successfully. */
  APPROVED: '00',
  /** Invalid merchant — also the answer to an unknown terminal/merchant id pair. */
  INVALID_MERCHANT: '03',
  /** Do not honour — account closed, wrong cryptogram. */
  DO_NOT_HONOUR: '05',
  /** Invalid transaction (processing code not supported for this MTI). */
  INVALID_TRANSACTION: '12',
  /** Invalid amount (zero, or completion/refund above the original). */
  INVALID_AMOUNT: '13',
  /** Invalid card number (no such account). */
  NO_SUCH_CARD: '14',
  /** Suspected malfunction: the original was already voided/reversed. */
  ALREADY_REVERSED: '22',
  /** Unable to locate original transaction (void, refund, completion, reversal). */
  ORIGINAL_NOT_FOUND: '25',
  /** Format error: a frame that could not be decoded or lacks a mandatory field. */
  FORMAT_ERROR: '30',
  /** Expired card, pick up (an ATM retains it). */
  EXPIRED_CARD_RETAIN: '33',
  /** Suspected fraud, pick up. */
  SUSPECTED_FRAUD_RETAIN: '34',
  /** Card acceptor contact acquirer, pick up. */
  CONTACT_ACQUIRER_RETAIN: '35',
  /** Restricted card, pick up. */
  RESTRICTED_CARD_RETAIN: '36',
  /** Lost card, pick up. */
  LOST_CARD: '41',
  /** Stolen card, pick up. */
  STOLEN_CARD: '43',
  /** Insufficient funds. */
  INSUFFICIENT_FUNDS: '51',
  /** Expired card. */
  EXPIRED_CARD: '54',
  /** Incorrect PIN. */
  WRONG_PIN: '55',
  /** Suspected fraud — the issuer's risk control rejected the transaction. */
  RISK_DECLINE: '59',
  /** Exceeds an amount limit: the single-transaction amount or the daily cumulative amount (超出金额限制). */
  AMOUNT_LIMIT: '61',
  /** Restricted card (account frozen, card not allowed in this region). */
  RESTRICTED: '62',
  /** Exceeds a frequency limit: the number of transactions per day (超出次数限制). */
  FREQUENCY_LIMIT: '65',
  /** Hard capture: the ATM retains the card. */
  RETAIN_AT_ATM: '67',
  /** PIN tries exceeded. */
  PIN_TRIES_EXCEEDED: '75',
  /** Terminal must sign in (again) before transacting (CUP: 重新签到). */
  SIGN_IN_REQUIRED: '77',
  /** Issuer or switch inoperative (host in maintenance). */
  ISSUER_UNAVAILABLE: '91',
  /** Terminal not registered at the acquirer. */
  TERMINAL_UNKNOWN: '97',
  /** Reconcile error: the count of a batch upload's end is not what the host received (对账不平). */
  RECONCILE_ERROR: '95',
  /** System malfunction. */
  SYSTEM_ERROR: '96',
  /** MAC verification failed (CUP: A0, 校验错). */
  BAD_MAC: 'A0',
} as const;

export type ResponseCode = (typeof RC)[keyof typeof RC];

/** Answers on which an ATM retains the card (the default of a terminal profile's `atm.retainCodes`). */
export const CARD_RETAIN_CODES: readonly ResponseCode[] = [
  RC.EXPIRED_CARD_RETAIN,
  RC.SUSPECTED_FRAUD_RETAIN,
  RC.CONTACT_ACQUIRER_RETAIN,
  RC.RESTRICTED_CARD_RETAIN,
  RC.LOST_CARD,
  RC.STOLEN_CARD,
  RC.RETAIN_AT_ATM,
  RC.PIN_TRIES_EXCEEDED,
];

/**
 * Field 39 of a terminal's 0400 reversal: why the terminal reverses (CUP 冲正原因码).
 */
export const REVERSAL_REASON = {
  /** No answer from the host in time (the usual reason: 超时无应答). */
  NO_ANSWER: '98',
  /** The answer arrived but its MAC did not verify. */
  BAD_MAC: 'A0',
  /** Anything else on the terminal side (card declined after the host approved, device fault). */
  TERMINAL_FAULT: '06',
} as const;

export type ReversalReason = (typeof REVERSAL_REASON)[keyof typeof REVERSAL_REASON];
