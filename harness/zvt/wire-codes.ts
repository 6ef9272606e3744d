/**
 * ZVT wire codes (ZVT protocol specification "ZVT-Kassenschnittstelle", PA00P015, published by the
 * Deutsche Kreditwirtschaft / TA7): command classes and instructions, the serial transport's control
 * characters, BMP numbers with their formats, intermediate status codes and error codes.
 */

/** Default TCP port of a ZVT terminal (PA00P015 §2.2, "TCP/IP"; also Wireshark's ZVT registration). */
export const ZVT_TCP_PORT = 20007;

/** Serial transport control characters (PA00P015 §2.1). */
export const SERIAL = {
  /** Data link escape: opens DLE STX, closes DLE ETX; a 0x10 byte of the APDU is sent twice. */
  DLE: 0x10,
  STX: 0x02,
  ETX: 0x03,
  /** Positive transport acknowledgement of a whole frame (a single byte, unframed). */
  ACK: 0x06,
  /** Negative transport acknowledgement: the sender repeats the frame. */
  NAK: 0x15,
} as const;

/** Commands as `CLASS << 8 | INSTR` (PA00P015 chapter 2 ECR→PT, chapter 3 PT→ECR). */
export const ZVT_COMMANDS = {
  /** ECR→PT: Registration (password, config-byte, currency). */
  REGISTRATION: 0x0600,
  /** ECR→PT: Authorization (payment; BMP 04 amount). */
  AUTHORIZATION: 0x0601,
  /** ECR→PT: Log-Off. */
  LOG_OFF: 0x0602,
  /** ECR→PT: Pre-Authorisation / Reservation (BMP 04 amount). */
  PRE_AUTHORISATION: 0x0622,
  /** PT→ECR: Completion (end of the command, positive). */
  COMPLETION: 0x060f,
  /** PT→ECR: Abort (end of the command, negative; data = error code). */
  ABORT_PT: 0x061e,
  /** ECR→PT: Reversal (password, BMP 87 receipt number). */
  REVERSAL: 0x0630,
  /** ECR→PT: Refund (password, BMP 04 amount). */
  REFUND: 0x0631,
  /** ECR→PT: End-of-Day (password). */
  END_OF_DAY: 0x0650,
  /** ECR→PT: Diagnosis. */
  DIAGNOSIS: 0x0670,
  /** ECR→PT: Initialisation (password): the terminal's network initialisation with its host. */
  INITIALISATION: 0x0693,
  /** ECR→PT: Abort of the running command. */
  ABORT_ECR: 0x06b0,
  /** PT→ECR: Print Line (attribute, text). */
  PRINT_LINE: 0x06d1,
  /** PT→ECR: Print Text-Block (BMP 06 TLV with the lines). */
  PRINT_TEXT_BLOCK: 0x06d3,
  /** PT→ECR: Status Information (BMP 27 result code, 04 amount, 0B trace, 22 PAN…). */
  STATUS_INFORMATION: 0x040f,
  /** PT→ECR: Intermediate Status Information (status byte [timeout] [BMP 06]). */
  INTERMEDIATE_STATUS: 0x04ff,
} as const;

/** Command code → name (for messages and traces). */
export const COMMAND_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(ZVT_COMMANDS).map(([k, v]) => [v, k]),
);

/** Positive acknowledgement APDU `80 00 00` (PA00P015 §2 "acknowledgement"). */
export const ACK_APDU = Buffer.from([0x80, 0x00, 0x00]);
/** CLASS of a negative acknowledgement `84 xx 00` (xx = error code, 83 = command not possible). */
export const NAK_CLASS = 0x84;
/** CLASS of a positive acknowledgement. */
export const ACK_CLASS = 0x80;

/** Error codes (PA00P015 chapter 10 "Error-Messages"); 01–63 are the network operator's codes. */
export const ZVT_ERRORS = {
  NONE: 0x00,
  CARD_NOT_READABLE: 0x64,
  PROCESSING_ERROR: 0x66,
  /** Abort via timeout or abort key. */
  ABORTED: 0x6c,
  WRONG_CURRENCY: 0x6f,
  CREDIT_NOT_SUFFICIENT: 0x71,
  CHIP_ERROR: 0x72,
  CARD_EXPIRED: 0x78,
  CARD_UNKNOWN: 0x7a,
  COMMUNICATION_ERROR: 0x7d,
  /** Function not possible (also the NAK code of a command the terminal does not know). */
  FUNCTION_NOT_POSSIBLE: 0x83,
  PIN_PAD_DEFECTIVE: 0x89,
  PROTOCOL_ERROR: 0x9a,
  /** Please wait / repeat. */
  REPEAT: 0x9c,
  REMOTE_NOT_ANSWERING: 0xa1,
  NO_CONNECTION: 0xa3,
  ALREADY_REVERSED: 0xb4,
  REVERSAL_NOT_POSSIBLE: 0xb5,
  DIAGNOSIS_REQUIRED: 0xc2,
  PAYMENT_METHOD_NOT_SUPPORTED: 0xc5,
  CURRENCY_NOT_APPLICABLE: 0xc6,
  TERMINAL_ACTIVATION_REQUIRED: 0xe4,
  SYSTEM_ERROR: 0xff,
} as const;

/** Intermediate status codes of 04 FF (PA00P015 chapter 3 "Intermediate Status-Information"). */
export const INTERMEDIATE_STATUS = {
  WAITING_FOR_AMOUNT_CONFIRMATION: 0x00,
  WATCH_PIN_PAD: 0x01,
  NOT_ACCEPTED: 0x03,
  WAITING_FOR_FEP: 0x04,
  SENDING_AUTO_REVERSAL: 0x05,
  INSERT_CARD: 0x0a,
  REMOVE_CARD: 0x0b,
  CARD_NOT_READABLE: 0x0c,
  PROCESSING_ERROR: 0x0d,
  PLEASE_WAIT: 0x0e,
  INCORRECT_PIN: 0x15,
  PIN_TRY_LIMIT_EXCEEDED: 0x18,
  DECLINED: 0x1d,
  PAYMENT_APPROVED: 0x2a,
} as const;

/** Texts a cash register shows for an intermediate status that carries no text of its own. */
export const INTERMEDIATE_STATUS_TEXTS: Readonly<Record<number, string>> = {
  0x00: 'PT is waiting for amount-confirmation',
  0x01: 'Please watch PIN-Pad',
  0x03: 'Not accepted',
  0x04: 'PT is waiting for response from FEP',
  0x05: 'PT is sending auto-reversal',
  0x0a: 'Insert card',
  0x0b: 'Please remove card!',
  0x0c: 'Card not readable',
  0x0d: 'Processing error',
  0x0e: 'Please wait...',
  0x15: 'Incorrect PIN',
  0x18: 'PIN try limit exceeded',
  0x1d: 'Declined',
  0x2a: 'Payment approved',
};

/** TLV tags used in BMP 06 (PA00P015 chapter 9 "TLV-container"). */
export const TLV_TAGS = {
  /** Text line (ASCII). */
  TEXT_LINE: 0x07,
  /** Display texts (constructed: text lines). */
  DISPLAY_TEXTS: 0x24,
  /** Print texts (constructed: receipt type and text lines). */
  PRINT_TEXTS: 0x25,
  /** Receipt type: 1 merchant, 2 customer, 3 administration. */
  RECEIPT_TYPE: 0x1f07,
} as const;

/** How a BMP's value is laid out (PA00P015 chapter 9 "Bitmaps"). */
export type BmpFormat =
  | { kind: 'fixed'; length: number; bcd?: boolean }
  /** Length prefix F0 F0 … F9 F9 (two digits, each in the low nibble of an Fx byte). */
  | { kind: 'llvar'; bcd?: boolean }
  /** Length prefix Fx Fy Fz (three digits). */
  | { kind: 'lllvar' }
  /** BMP 06: a BER-TLV length then a TLV list. */
  | { kind: 'tlv' };

/** BMP number → name and format (the BMPs payhil reads and writes; PA00P015 chapter 9). */
export const BMPS: Readonly<Record<number, { name: string; format: BmpFormat }>> = {
  0x01: { name: 'timeout', format: { kind: 'fixed', length: 1 } },
  0x02: { name: 'max-status-infos', format: { kind: 'fixed', length: 1 } },
  0x03: { name: 'service-byte', format: { kind: 'fixed', length: 1 } },
  0x04: { name: 'amount', format: { kind: 'fixed', length: 6, bcd: true } },
  0x05: { name: 'pump-nr', format: { kind: 'fixed', length: 1 } },
  0x06: { name: 'tlv-container', format: { kind: 'tlv' } },
  0x0b: { name: 'trace-number', format: { kind: 'fixed', length: 3, bcd: true } },
  0x0c: { name: 'time', format: { kind: 'fixed', length: 3, bcd: true } },
  0x0d: { name: 'date', format: { kind: 'fixed', length: 2, bcd: true } },
  0x0e: { name: 'expiry-date', format: { kind: 'fixed', length: 2, bcd: true } },
  0x17: { name: 'card-sequence-number', format: { kind: 'fixed', length: 2, bcd: true } },
  0x19: { name: 'payment-type', format: { kind: 'fixed', length: 1 } },
  0x22: { name: 'pan', format: { kind: 'llvar', bcd: true } },
  0x23: { name: 'track-2', format: { kind: 'llvar' } },
  0x24: { name: 'track-3', format: { kind: 'lllvar' } },
  0x27: { name: 'result-code', format: { kind: 'fixed', length: 1 } },
  0x29: { name: 'terminal-id', format: { kind: 'fixed', length: 4, bcd: true } },
  0x2a: { name: 'vu-number', format: { kind: 'fixed', length: 15 } },
  0x2d: { name: 'track-1', format: { kind: 'llvar' } },
  0x37: { name: 'original-trace-number', format: { kind: 'fixed', length: 3, bcd: true } },
  0x3a: { name: 'cvv', format: { kind: 'fixed', length: 2, bcd: true } },
  0x3b: { name: 'aid', format: { kind: 'fixed', length: 8 } },
  0x3c: { name: 'additional-data', format: { kind: 'lllvar' } },
  0x3d: { name: 'password', format: { kind: 'fixed', length: 3, bcd: true } },
  0x49: { name: 'currency-code', format: { kind: 'fixed', length: 2, bcd: true } },
  0x60: { name: 'individual-totals', format: { kind: 'lllvar' } },
  0x87: { name: 'receipt-number', format: { kind: 'fixed', length: 2, bcd: true } },
  0x88: { name: 'turnover-number', format: { kind: 'fixed', length: 3, bcd: true } },
  0x8a: { name: 'card-type', format: { kind: 'fixed', length: 1 } },
  0x8b: { name: 'card-name', format: { kind: 'llvar' } },
  0x8c: { name: 'card-type-id', format: { kind: 'fixed', length: 1 } },
  0x92: { name: 'additional-data-ec-cash', format: { kind: 'lllvar' } },
  0x9a: { name: 'geldkarte-payment-record', format: { kind: 'lllvar' } },
  0xa0: { name: 'result-code-as', format: { kind: 'fixed', length: 1 } },
  0xa7: { name: 'chip-data', format: { kind: 'llvar' } },
  0xaf: { name: 'ef-id', format: { kind: 'lllvar' } },
  0xba: { name: 'aid-parameter', format: { kind: 'fixed', length: 5 } },
};

/** The password payhil sends by default (PA00P015 examples use 12 34 56; terminals ship with 000000). */
export const DEFAULT_PASSWORD = '123456';
/** ISO 4217 numeric code of the euro, the currency of the spec's examples. */
export const EURO = '0978';
