/**
 * Base of every typed error in payhil. Each layer has its own `errors.ts` with subclasses that carry
 * structured fields (MTI, field number, SW1SW2, port path…) and a stable `code` that tools may match on.
 *
 * `verdict` keeps the two kinds of not-passing apart: a product fault is `failed`, a lab fault
 * (device gone, port busy, host unreachable) is `broken`, bad input from a person is `usage`.
 */
export type Verdict = 'failed' | 'broken' | 'usage';

export class PayhilError extends Error {
  readonly code: string;
  readonly verdict: Verdict;

  constructor(code: string, message: string, options: { verdict?: Verdict; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.verdict = options.verdict ?? 'usage';
  }
}

/** True for any payhil error, whatever layer raised it. */
export function isPayhilError(e: unknown): e is PayhilError {
  return e instanceof PayhilError;
}
