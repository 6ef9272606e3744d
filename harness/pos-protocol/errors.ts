import { PayhilError } from '../common/payhil-error.js';

/** Which working key of field 62. */
export type WorkingKeyName = 'PIK' | 'MAK' | 'TDK';

/**
 * Field 62 of a sign-in answer does not give usable working keys: wrong size for the key scheme, not
 * hex, or a key whose check value does not match once decrypted under the TMK. The host under test
 * sent it: a product fault (`failed`). Never carries key material.
 */
export class WorkingKeyError extends PayhilError {
  /** Key scheme (60.3) the layout was read with. */
  readonly scheme: string;
  /** The key at fault, when one is (a check value mismatch); undefined for the field as a whole. */
  readonly key: WorkingKeyName | undefined;
  readonly reason: 'length' | 'encoding' | 'check-value';
  constructor(
    reason: 'length' | 'encoding' | 'check-value',
    message: string,
    options: { scheme: string; key?: WorkingKeyName; cause?: unknown },
  ) {
    super('E_POS_WORKING_KEYS', message, { verdict: 'failed', cause: options.cause });
    this.reason = reason;
    this.scheme = options.scheme;
    this.key = options.key;
  }
}

/** A message that cannot be built from what the caller gave (amount out of range, PIN without a PIK). */
export class MessageBuildError extends PayhilError {
  /** The ISO 8583 field the value was meant for. */
  readonly field: number;
  constructor(field: number, message: string) {
    super('E_POS_REQUEST', message, { verdict: 'usage' });
    this.field = field;
  }
}
