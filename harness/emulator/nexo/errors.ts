/**
 * Errors of the emulator's nexo endpoint. A request it refuses is `usage` (bad input from a sale system)
 * and carries the HTTP status of the answer.
 */
import { PayhilError } from '../../common/payhil-error.js';

/** A request the nexo endpoint refuses with `status`. */
export class NexoEndpointError extends PayhilError {
  constructor(
    code: string,
    readonly status: number,
    message: string,
  ) {
    super(code, message, { verdict: 'usage' });
  }
}

/** A request naming a host the endpoint does not answer to (`Host`), or sent from another origin. */
export class NexoForbiddenHostError extends NexoEndpointError {
  constructor(
    readonly header: 'host' | 'origin',
    value: string,
  ) {
    const shown = JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
    super(
      'E_NEXO_FORBIDDEN_HOST',
      403,
      header === 'host'
        ? `Host ${shown} is not this POI's (use its IP address or localhost, or allow the name with --web-allow-host)`
        : `Origin ${shown} is not this POI's own`,
    );
  }
}

/** A request body over the size limit. */
export class NexoBodyTooLargeError extends NexoEndpointError {
  constructor(readonly limit: number) {
    super('E_NEXO_BODY_TOO_LARGE', 413, `body larger than ${limit} bytes`);
  }
}
