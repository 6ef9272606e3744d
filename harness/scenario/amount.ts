/**
 * Amounts in scenarios are in major units (yuan, euros): a number or a decimal string with at most as many
 * decimals as the currency has (2 for CNY, the default). On the wire, ISO 8583 field 4 carries minor units.
 */
const FORM = /^(\d{1,12})(?:\.(\d+))?$/;

/** Minor units of an amount (12.5 → 1250 with exponent 2), or undefined when it is not a valid amount. */
export function amountToMinorUnits(amount: unknown, exponent = 2): number | undefined {
  const text =
    typeof amount === 'number' ? (Number.isFinite(amount) ? amount.toFixed(exponent) : '') : amount;
  if (typeof text !== 'string') return undefined;
  const m = FORM.exec(text.trim());
  if (!m) return undefined;
  const frac = m[2] ?? '';
  if (frac.length > exponent && /[1-9]/.test(frac.slice(exponent))) return undefined;
  return Number(m[1]) * 10 ** exponent + Number(frac.slice(0, exponent).padEnd(exponent, '0') || '0');
}
