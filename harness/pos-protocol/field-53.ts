/**
 * Field 53 (security related control information, n16), UnionPay POS layout:
 *  - 53.1 PIN block format: 1 = ISO 9564 format 0 with the PAN, 2 = format 0 without the PAN, 0 = no PIN;
 *  - 53.2 encryption algorithm: 0 = single DES, 6 = double-length TDES;
 *  - 53.3 track data encryption: 0 = tracks in clear, 1 = tracks encrypted under the TDK;
 *  - 13 reserved zeros.
 */

/** What field 53 says. */
export interface SecurityControl {
  /** 53.1: '1' PIN block with the PAN, '2' without, '0' no PIN. */
  pinFormat: '0' | '1' | '2';
  /** 53.2: true = double-length TDES ('6'), false = single DES ('0'). */
  doubleLength: boolean;
  /** 53.3: track data encrypted under the TDK. */
  tracksEncrypted: boolean;
}

const RESERVED = '0000000000000';

/** Field 53 for these settings (16 digits). */
export function securityControlField(c: SecurityControl): string {
  return c.pinFormat + (c.doubleLength ? '6' : '0') + (c.tracksEncrypted ? '1' : '0') + RESERVED;
}

/** Field 53 of a request without a PIN and with clear tracks (the base a track-encrypting terminal marks). */
export const NO_PIN_SECURITY_CONTROL = securityControlField({
  pinFormat: '0',
  doubleLength: true,
  tracksEncrypted: false,
});

/** True when field 53 says the PIN block was built without the PAN (53.1 = 2). */
export function pinBlockWithoutPan(field53: string | undefined): boolean {
  return field53 !== undefined && field53.charCodeAt(0) === 50;
}

/** True when field 53 says the track data is encrypted under the TDK (53.3 = 1). */
export function tracksEncrypted(field53: string | undefined): boolean {
  return field53 !== undefined && field53.charCodeAt(2) === 49;
}

/** `field53` (or the no-PIN default) with 53.3 set: the tracks are encrypted under the TDK. */
export function withTracksEncrypted(field53: string | undefined): string {
  const f = field53 ?? NO_PIN_SECURITY_CONTROL;
  return f.slice(0, 2) + '1' + f.slice(3);
}
