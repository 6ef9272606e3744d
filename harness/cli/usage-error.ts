import { PayhilError } from '../common/payhil-error.js';

/** Bad command-line input: printed as one line naming the argument, exit 2. */
export class UsageError extends PayhilError {
  constructor(message: string) {
    super('E_USAGE', message, { verdict: 'usage' });
  }
}
