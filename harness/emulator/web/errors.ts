/**
 * Errors of the emulator's web UI server. Every refusal of a request is `usage` (bad input from a page or
 * a script) and carries the HTTP status and the ECR-style wire code the JSON answer shows.
 */
import { PayhilError } from '../../common/payhil-error.js';

/** A request the web UI refuses; answered `{"error": {"code": wireCode, "message"}}` with `status`. */
export class WebUiRequestError extends PayhilError {
  /** HTTP status of the answer. */
  readonly status: number;
  /** Code in the JSON answer (BAD_REQUEST, FORBIDDEN…). */
  readonly wireCode: string;
  constructor(code: string, status: number, wireCode: string, message: string) {
    super(code, message, { verdict: 'usage' });
    this.status = status;
    this.wireCode = wireCode;
  }
}

/** A request body that is not a valid request: not JSON, unknown op, a member missing or out of range. */
export class WebUiBadRequestError extends WebUiRequestError {
  constructor(message: string) {
    super('E_WEB_BAD_REQUEST', 400, 'BAD_REQUEST', message);
  }
}

/** A request body over the size limit. */
export class WebUiBodyTooLargeError extends WebUiRequestError {
  readonly limit: number;
  constructor(limit: number) {
    super('E_WEB_BODY_TOO_LARGE', 413, 'BAD_REQUEST', `body larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/** A request body that is not `application/json`. */
export class WebUiMediaTypeError extends WebUiRequestError {
  constructor() {
    super('E_WEB_MEDIA_TYPE', 415, 'BAD_REQUEST', 'send application/json');
  }
}

/**
 * A request whose `Host` or `Origin` header names a host the web UI does not answer to: what a page
 * reaching the UI through DNS rebinding, or from another origin, sends.
 */
export class WebUiForbiddenHostError extends WebUiRequestError {
  /** `host` or `origin`. */
  readonly header: 'host' | 'origin';
  constructor(header: 'host' | 'origin', value: string) {
    const shown = JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
    super(
      'E_WEB_FORBIDDEN_HOST',
      403,
      'FORBIDDEN',
      header === 'host'
        ? `Host ${shown} is not this web UI's (use its IP address or localhost, or allow the name with --web-allow-host)`
        : `Origin ${shown} is not this web UI's own`,
    );
    this.header = header;
  }
}
