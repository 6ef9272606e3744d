import { ProxyInputError } from './errors.js';

/** A TCP endpoint as written on the command line and in the control API: `HOST:PORT`. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (host defaults to 127.0.0.1). Port 0 asks the OS for a
 * free port when listening. Throws ProxyInputError naming `field`.
 */
export function parseHostPort(text: string, field = 'address'): HostPort {
  const s = String(text).trim();
  let host: string;
  let portText: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':')
      throw new ProxyInputError(`${field}: expected [IPv6]:PORT, got "${s}"`, { field });
    host = s.slice(1, close);
    portText = s.slice(close + 2);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon < 0) throw new ProxyInputError(`${field}: expected HOST:PORT, got "${s}"`, { field });
    host = s.slice(0, colon) || '127.0.0.1';
    portText = s.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new ProxyInputError(`${field}: port must be 0-65535, got "${portText}"`, { field });
  }
  return { host, port: Number(portText) };
}

/** `HOST:PORT` (IPv6 hosts in brackets). */
export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
