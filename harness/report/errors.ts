/** Errors of the report layer (bad paths, missing Java or allure-commandline): verdict usage. */
import { PayhilError } from '../common/payhil-error.js';

export class ReportError extends PayhilError {
  constructor(code: string, message: string) {
    super(code, message, { verdict: 'usage' });
  }
}

/** A run record file too large to be one: skipped before it is read. */
export class RunRecordTooLargeError extends ReportError {
  constructor(
    readonly file: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super('E_HISTORY_RECORD_TOO_LARGE', `${file}: ${bytes} bytes, more than a run record can be`);
  }
}
