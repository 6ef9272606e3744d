/**
 * APDU traces as reports and logs may show them (ISO/IEC 7816-4 command and response APDUs, EMV Book 1
 * and 3 commands). What a card answers is BER-TLV, masked by the tag dictionary's list
 * ({@link maskTlvHex}): the AID, labels and cryptograms in clear, PAN 6/4, track data, cardholder name
 * and ID hidden. What a terminal sends: SELECT's data (an AID or file name) in clear, VERIFY's and CHANGE
 * REFERENCE DATA's data (PIN blocks) redacted, any other data (DOL data: amounts, dates, numbers, no
 * tags to go by) with PAN-like digit runs masked.
 *
 * The `…Text` forms are the second line for a trace written already (upper-case hex, possibly masked
 * at the source): they give the same text for a trace masked twice.
 */
import { maskPansInText, redact } from '../common/mask.js';
import { maskTlvHex } from './tlv-masking.js';

/** SELECT (ISO/IEC 7816-4): its data names a file or an application. */
const INS_SELECT = 0xa4;
/** VERIFY and CHANGE REFERENCE DATA: their data is a PIN block (plaintext or enciphered). */
const PIN_INS: ReadonlySet<number> = new Set([0x20, 0x24]);
/** CLA INS P1 P2. */
const HEADER_BYTES = 4;

/** A redaction marker written by {@link redact} (or the terminal's own `<PIN block redacted>`). */
const MARKER = /<[^<>]*redacted[^<>]*>/;

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex').toUpperCase();
}

/** A command APDU as a trace shows it (see the file comment). */
export function maskApduCommand(command: Uint8Array): string {
  return maskApduCommandText(hex(command));
}

/** A response APDU as a trace shows it: the body masked by the tag list (redacted when it is not BER-TLV), SW1 SW2 as is. */
export function maskApduResponse(response: Uint8Array): string {
  return maskApduResponseText(hex(response));
}

/** {@link maskApduCommand} for a command already written as hex (idempotent). */
export function maskApduCommandText(text: string): string {
  if (text.length <= HEADER_BYTES * 2 || !/^[0-9A-Fa-f]{8}/.test(text)) return maskPansInText(text);
  const ins = parseInt(text.slice(2, 4), 16);
  const header = text.slice(0, HEADER_BYTES * 2);
  const rest = text.slice(HEADER_BYTES * 2);
  if (PIN_INS.has(ins)) {
    // Lc stays, the PIN block goes (unless it went at the source already).
    if (MARKER.test(rest)) return header + maskPansInText(rest);
    return header + rest.slice(0, 2) + redact('PIN block', rest.slice(2));
  }
  if (ins === INS_SELECT && /^[0-9A-Fa-f]*$/.test(rest)) return text;
  return header + maskPansInText(rest);
}

/** {@link maskApduResponse} for a response already written as hex, body then SW1 SW2 (idempotent). */
export function maskApduResponseText(text: string): string {
  const sw = text.slice(-4);
  if (text.length < 4 || !/^[0-9A-Fa-f]{4}$/.test(sw)) return maskPansInText(text);
  const body = text.slice(0, -4);
  if (body === '') return text;
  if (MARKER.test(body)) return maskPansInText(text);
  return maskTlvHex(body, (h) => redact('unparsable ICC data', h)) + sw;
}
