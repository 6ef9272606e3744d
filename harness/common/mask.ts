/**
 * Masking of sensitive data for every report and log line. A PAN keeps its first 6 and last 4 digits
 * (PCI DSS display rule); PIN blocks, keys and track data are never shown, only their length.
 */

/** A PAN with only its first 6 and last 4 digits kept, the others shown as `*`. */
export function maskPan(pan: string): string {
  return maskPanWith(pan, '*');
}

/**
 * {@link maskPan} with the hidden digits (all of them for 10 digits or fewer) replaced by `filler`:
 * `*` for text, a digit where the encoding holds nothing else (`0` in BCD).
 */
export function maskPanWith(pan: string, filler: string): string {
  const digits = pan.trim();
  if (digits.length <= 10) return filler.repeat(digits.length);
  return digits.slice(0, 6) + filler.repeat(digits.length - 10) + digits.slice(-4);
}

/** A secret (PIN block, key, track data) as it may appear in a report: its kind and size only. */
export function redact(kind: string, value: string | Uint8Array): string {
  const size = typeof value === 'string' ? value.length : value.length * 2;
  return `<${kind} redacted, ${size} hex>`;
}

/** True for text that {@link redact} produced. */
export function isRedacted(text: string): boolean {
  return /^<[^<>]* redacted, \d+ hex>$/.test(text);
}

/** Every run of 13–19 digits that looks like a PAN inside free text, masked. */
export function maskPansInText(text: string): string {
  return maskPansInTextWith(text, '*');
}

/** {@link maskPansInText} with the hidden digits replaced by `filler`. */
export function maskPansInTextWith(text: string, filler: string): string {
  return text.replace(/(?<!\d)\d{13,19}(?!\d)/g, (m) => maskPanWith(m, filler));
}
