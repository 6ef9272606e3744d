import { PayhilError, type Verdict } from '../common/payhil-error.js';

/**
 * Bad input to the proxy (a toxic or fault spec, an address, an API body). `field` names the offending
 * input path (e.g. `attributes.latency`, `stream`); `status` is the HTTP status the control API answers with.
 */
export class ProxyInputError extends PayhilError {
  readonly field: string | undefined;
  readonly status: number;

  constructor(message: string, options: { field?: string; status?: number; code?: string } = {}) {
    super(options.code ?? 'E_NET_INPUT', message, { verdict: 'usage' });
    this.field = options.field;
    this.status = options.status ?? 400;
  }
}

/** A named proxy, toxic or fault that does not exist (HTTP 404). */
export class NotFoundError extends ProxyInputError {
  readonly kind: 'proxy' | 'toxic' | 'fault';
  readonly key: string;

  constructor(kind: 'proxy' | 'toxic' | 'fault', key: string) {
    super(`${kind} not found: ${key}`, { status: 404, code: 'E_NET_NOT_FOUND' });
    this.kind = kind;
    this.key = key;
  }
}

/** A proxy, toxic or fault of that name exists already (HTTP 409). */
export class AlreadyExistsError extends ProxyInputError {
  readonly kind: 'proxy' | 'toxic' | 'fault';
  readonly key: string;

  constructor(kind: 'proxy' | 'toxic' | 'fault', key: string) {
    super(`${kind} already exists: ${key}`, { field: 'name', status: 409, code: 'E_NET_EXISTS' });
    this.kind = kind;
    this.key = key;
  }
}

/** The proxy could not listen (port taken, address not local) or reach a control API: a lab fault. */
export class ProxyListenError extends PayhilError {
  readonly address: string;

  constructor(address: string, cause: unknown, verdict: Verdict = 'broken') {
    super('E_NET_LISTEN', `cannot listen on ${address}: ${(cause as Error)?.message ?? String(cause)}`, {
      verdict,
      cause,
    });
    this.address = address;
  }
}

/** A request the chosen backend cannot serve (message faults on a plain Toxiproxy). */
export class UnsupportedError extends PayhilError {
  readonly feature: string;

  constructor(feature: string, backend: string) {
    super('E_NET_UNSUPPORTED', `${backend} does not support ${feature}`, { verdict: 'usage' });
    this.feature = feature;
  }
}

/** A Toxiproxy (or payhil) control API answered with an error or could not be reached: a lab fault. */
export class ControlApiError extends PayhilError {
  readonly url: string;

  constructor(url: string, cause: unknown) {
    super('E_NET_CONTROL', `control API ${url}: ${(cause as Error)?.message ?? String(cause)}`, {
      verdict: 'broken',
      cause,
    });
    this.url = url;
  }
}

/** Bytes that are not a libpcap capture this code can read (bad magic number, truncated record). */
export class PcapFormatError extends PayhilError {
  /** Byte offset in the capture where reading stopped. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super('E_NET_PCAP_FORMAT', `not a readable pcap: ${message} (at byte ${offset})`, { verdict: 'usage' });
    this.offset = offset;
  }
}
