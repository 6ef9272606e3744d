/**
 * Masking of sensitive data for every report and log line. A PAN keeps its first 6 and last 4 digits
 * (PCI DSS display rule); PIN blocks, keys and track data are never shown, only their length.
 */
export function maskPan(pan: string): string {
  const digits = pan.trim();
  if (digits.length <= 10) return '*'.repeat(digits.length);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

/** A secret (PIN block, key, track data) as it may appear in a report: its kind and size only. */
export function redact(kind: string, value: string | Uint8Array): string {
  const size = typeof value === 'string' ? value.length : value.length * 2;
  return `<${kind} redacted, ${size} hex>`;
}

/** Every run of 13–19 digits that looks like a PAN inside free text, masked. */
export function maskPansInText(text: string): string {
  return text.replace(/(?<!\d)\d{13,19}(?!\d)/g, (m) => maskPan(m));
}
