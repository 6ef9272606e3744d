/**
 * The reference sidecar on TCP: one driver at a time. A driver that connects while another is served
 * waits for it to go, up to `handoverMs`: a driver that reconnects right after closing (deactivate, then
 * a fresh activate) often arrives before the sidecar has seen the old connection's end. Its hello is
 * read only once it is served (the socket's bytes wait unread). Past the bound, or when another driver is
 * already waiting, the newcomer gets a `note` event saying so, and its connection is closed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TcpChannel } from '../kit/index.js';
import { serveReferenceSidecar, type ReferenceSidecarOptions } from './reference-sidecar.js';
import { SIDECAR_EVENTS } from './sidecar-protocol.js';

export interface ReferenceSidecarServerOptions extends ReferenceSidecarOptions {
  /** How long a new driver waits for the one served to go. Default 2000 ms. */
  handoverMs?: number;
}

/** Listens on `at` (port 0: a free one); resolves once listening. */
export async function listenReferenceSidecar(
  at: { host: string; port: number },
  options: ReferenceSidecarServerOptions,
): Promise<Server> {
  const handoverMs = options.handoverMs ?? 2000;
  /** Settles (after clearing itself) when the driver served goes. */
  let serving: Promise<void> | undefined;
  let waiting = false;

  const refuse = (socket: Socket): void => {
    const note = { event: SIDECAR_EVENTS.NOTE, data: { text: 'one driver at a time; closed' } };
    socket.end(`${JSON.stringify(note)}\n`);
  };
  const serve = (socket: Socket): void => {
    const done: Promise<void> = serveReferenceSidecar(new TcpChannel(socket), options).finally(() => {
      if (serving === done) serving = undefined;
    });
    serving = done;
  };
  const take = async (socket: Socket): Promise<void> => {
    if (serving === undefined) return serve(socket);
    if (waiting) return refuse(socket);
    waiting = true;
    let timer: NodeJS.Timeout | undefined;
    const freed = await Promise.race([
      serving.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), handoverMs))),
    ]);
    clearTimeout(timer);
    waiting = false;
    if (!freed || serving !== undefined) return refuse(socket);
    serve(socket);
  };

  const server = createServer((socket) => void take(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
