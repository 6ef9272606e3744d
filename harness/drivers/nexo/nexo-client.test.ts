import { strict as assert } from 'node:assert';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { NexoClient, NexoHttpError } from './nexo-client.js';

/**
 * A raw HTTP/1.1 server: answers `{"next":0,"messages":[]}` with keep-alive to each request, except that
 * `dropSecond` makes it close the first connection on its second request without answering — what a
 * terminal does when it closed an idle kept-alive connection just as the client reused it.
 */
async function rawServer(
  dropSecond: boolean,
): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    const n = ++connections;
    let requests = 0;
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      while (buf.includes('\r\n\r\n')) {
        buf = buf.slice(buf.indexOf('\r\n\r\n') + 4);
        requests++;
        if (dropSecond && n === 1 && requests === 2) {
          socket.destroy();
          return;
        }
        const body = '{"next":0,"lost":0,"messages":[]}';
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`,
        );
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

describe('NexoClient connections', () => {
  it('a request on a kept-alive connection the terminal had closed goes again on a fresh one', async () => {
    const s = await rawServer(true);
    try {
      const c = new NexoClient({ url: `http://127.0.0.1:${s.port}/nexo` });
      assert.equal((await c.poll(0, 0)).next, 0);
      assert.equal((await c.poll(0, 0)).next, 0, 'the second poll answered after the stale connection');
      assert.equal(s.connections(), 2);
    } finally {
      s.server.close();
    }
  });

  it('nothing listening: unreachable (the request never left), not a lost answer', async () => {
    const s = await rawServer(false);
    const port = s.port;
    await new Promise((r) => s.server.close(r));
    const c = new NexoClient({ url: `http://127.0.0.1:${port}/nexo` });
    await assert.rejects(
      c.poll(0, 0),
      (e: unknown) => e instanceof NexoHttpError && e.kind === 'unreachable',
    );
  });
});
