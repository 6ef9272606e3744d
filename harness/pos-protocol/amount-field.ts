import { MessageBuildError } from './errors.js';

/** Largest amount a 12-digit amount field carries, in minor units. */
export const MAX_AMOUNT = 999999999999;

/**
 * An amount in minor units as the 12 digits of field 4 (and of the totals in field 48).
 * @throws MessageBuildError unless `minor` is a whole number 0..999999999999.
 */
export function amountField(minor: number, field = 4): string {
  if (!Number.isSafeInteger(minor) || minor < 0 || minor > MAX_AMOUNT)
    throw new MessageBuildError(field, `amount must be 0..${MAX_AMOUNT} minor units, got ${minor}`);
  return String(minor).padStart(12, '0');
}
