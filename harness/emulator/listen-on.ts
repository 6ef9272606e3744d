import type { AddressInfo, Server } from 'node:net';

/** Where a listener is bound, and the host as a URL writes it (an IPv6 address in brackets). */
export interface BoundAddress {
  host: string;
  port: number;
  urlHost: string;
}

/**
 * Starts `server` (TCP, HTTP or HTTPS) listening on `host`:`port` (0 = any free port); resolves with the
 * bound address, rejects with the listen error (EADDRINUSE, EACCES…).
 */
export async function listenOn(server: Server, host: string, port: number): Promise<BoundAddress> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  return { host: a.address, port: a.port, urlHost: a.family === 'IPv6' ? `[${a.address}]` : a.address };
}
