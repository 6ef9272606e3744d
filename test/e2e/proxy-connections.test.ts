import { strict as assert } from 'node:assert';
import { startProxy, type Proxy } from '../../harness/net/proxy.js';
import {
  connectClient,
  sleep,
  startEchoServer,
  type TestClient,
  type TestServer,
} from '../../harness/net/test-kit.js';

// 1,000 terminals connected through the proxy at once, each exchanging data, all held open, then all
// closed: every connection must close cleanly on both legs and nothing may be left behind.
describe('e2e: proxy holds 1,000 concurrent connections', function () {
  this.timeout(60_000);
  let echo: TestServer;
  let proxy: Proxy;
  const clients: TestClient[] = [];

  before(async () => {
    echo = await startEchoServer();
    proxy = await startProxy({ upstream: `127.0.0.1:${echo.port}`, spyRaw: false });
  });
  after(async () => {
    for (const c of clients) c.socket.destroy();
    await proxy.close();
    await echo.close();
  });

  async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  it('opens, exchanges on, holds and closes 1,000 connections cleanly', async () => {
    const N = 1000;
    for (let batch = 0; batch < N; batch += 100) {
      const opened = await Promise.all(
        Array.from({ length: 100 }, () => connectClient(proxy.address().port)),
      );
      clients.push(...opened);
    }
    await Promise.all(
      clients.map(async (c, i) => {
        const msg = `terminal ${i}`;
        c.socket.write(msg);
        assert.equal((await c.waitFor(msg.length, 30_000)).toString(), msg);
      }),
    );
    await until('1,000 proxied connections', () => proxy.connectionCount === N);
    assert.equal(echo.sockets.size, N);
    await sleep(200);
    assert.equal(proxy.connectionCount, N, 'all held');

    for (const c of clients) c.socket.end();
    const closes = await Promise.all(clients.map((c) => c.closed));
    assert.ok(
      closes.every((x) => x.how === 'end'),
      'every client saw a clean end',
    );
    await until('all proxied connections closed', () => proxy.connectionCount === 0);
    await until('all host sockets closed', () => echo.sockets.size === 0);
    const reasons = proxy.journal.entries().filter((e) => e.kind === 'close');
    assert.equal(reasons.length, N);
    assert.ok(reasons.every((e) => e.kind === 'close' && e.reason === 'eof'));
  });
});
