/**
 * The checks the emulator's HTTP listeners (web UI, nexo POI) make on each request before reading it:
 * the `Host` header names this listener (DNS rebinding) and an `Origin`, when sent, is the listener's own
 * (cross-site requests from a browser); the body is read up to a limit.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** The header that refused a request, and its value as sent. */
export interface HostOriginRefusal {
  header: 'host' | 'origin';
  value: string;
}

/**
 * Why a request may not go on, or undefined: `Host` must be `localhost`, an IP address (neither can be
 * rebound to another site) or one of `allowedHosts` (lower case); `Origin`, if present, must be
 * `scheme://` + the same host and port.
 */
export function hostOriginRefusal(
  req: IncomingMessage,
  allowedHosts: ReadonlySet<string>,
  scheme: 'http' | 'https',
): HostOriginRefusal | undefined {
  const host = req.headers.host ?? '';
  const hostname = hostnameOf(`http://${host}`);
  if (hostname === undefined || !hostAllowed(hostname, allowedHosts)) return { header: 'host', value: host };
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  let same: boolean;
  try {
    const o = new URL(origin);
    same = o.protocol === `${scheme}:` && o.host === new URL(`http://${host}`).host;
  } catch {
    same = false;
  }
  return same ? undefined : { header: 'origin', value: origin };
}

/** The host name of a URL without user, path, query or fragment (IPv6 brackets removed, lower case). */
function hostnameOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) return undefined;
    return u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

function hostAllowed(hostname: string, allowed: ReadonlySet<string>): boolean {
  return hostname === 'localhost' || isIP(hostname) !== 0 || allowed.has(hostname);
}

/**
 * The request body as UTF-8 text; rejects with `tooLarge()` once it passes `limit` bytes. The rest is
 * drained and dropped, so the refusal still reaches the client.
 */
export function readBodyWithin(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(tooLarge());
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
