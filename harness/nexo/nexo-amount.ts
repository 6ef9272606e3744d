/**
 * nexo amounts are decimal numbers in the currency's major unit (10.99 EUR) and currencies ISO 4217
 * alphabetic codes; the terminal counts minor units with numeric currency codes.
 */
import { NexoAmountError } from './errors.js';

/** ISO 4217 numeric → alphabetic code and minor-unit exponent, for the currencies payhil's fixtures use. */
const CURRENCIES: Readonly<Record<string, { alpha: string; exponent: number }>> = {
  '156': { alpha: 'CNY', exponent: 2 },
  '344': { alpha: 'HKD', exponent: 2 },
  '392': { alpha: 'JPY', exponent: 0 },
  '446': { alpha: 'MOP', exponent: 2 },
  '756': { alpha: 'CHF', exponent: 2 },
  '826': { alpha: 'GBP', exponent: 2 },
  '840': { alpha: 'USD', exponent: 2 },
  '978': { alpha: 'EUR', exponent: 2 },
  '702': { alpha: 'SGD', exponent: 2 },
  '036': { alpha: 'AUD', exponent: 2 },
};

/** The alphabetic code and exponent of a numeric code ("0156" or "156"); NexoAmountError when unknown. */
export function currencyOfNumeric(numeric: string): { alpha: string; exponent: number } {
  const c = CURRENCIES[numeric.replace(/^0(?=\d{3}$)/, '')];
  if (!c) throw new NexoAmountError(`currency ${numeric} has no ISO 4217 alphabetic code known to payhil`);
  return c;
}

/** Minor units of a nexo decimal amount; NexoAmountError when it has more decimals than the currency. */
export function toMinorUnits(amount: number, exponent: number): number {
  if (!Number.isFinite(amount) || amount < 0)
    throw new NexoAmountError(`amount ${amount} is not a non-negative number`);
  const minor = Math.round(amount * 10 ** exponent);
  if (Math.abs(minor - amount * 10 ** exponent) > 1e-6 || !Number.isSafeInteger(minor))
    throw new NexoAmountError(`amount ${amount} has more than ${exponent} decimals`);
  return minor;
}

/** The nexo decimal amount of minor units. */
export function fromMinorUnits(minor: number, exponent: number): number {
  return Number((minor / 10 ** exponent).toFixed(exponent));
}

/** The exponent of an alphabetic currency code; NexoAmountError when unknown. */
export function currencyOfAlpha(alpha: string): { numeric: string; exponent: number } {
  const e = Object.entries(CURRENCIES).find(([, c]) => c.alpha === alpha);
  if (!e) throw new NexoAmountError(`currency ${alpha} is not known to payhil`);
  return { numeric: e[0], exponent: e[1].exponent };
}
