/** Errors of the report layer (bad paths, missing Java or allure-commandline): verdict usage. */
import { PayhilError } from '../common/payhil-error.js';

export class ReportError extends PayhilError {
  constructor(code: string, message: string) {
    super(code, message, { verdict: 'usage' });
  }
}
