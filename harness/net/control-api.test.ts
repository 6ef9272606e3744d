import { strict as assert } from 'node:assert';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startControlApi, type ControlApi } from './control-api.js';
import { ProxyCollection } from './proxy-collection.js';
import { ToxiproxyNetworkControl } from './toxiproxy-network-control.js';
import { HttpNetworkControl } from './http-network-control.js';
import { connectClient, startEchoServer, timed, type TestServer } from './test-kit.js';

// The control API driven by the unmodified toxiproxy-node-client, as a lab script would drive Toxiproxy.
describe('net/control API (Toxiproxy-compatible)', function () {
  this.timeout(20_000);
  let echo: TestServer;
  let collection: ProxyCollection;
  let api: ControlApi;
  let client: Toxiproxy;

  before(async () => {
    echo = await startEchoServer();
  });
  after(() => echo.close());
  beforeEach(async () => {
    collection = new ProxyCollection();
    api = await startControlApi(collection, '127.0.0.1:0');
    client = new Toxiproxy(api.url);
  });
  afterEach(async () => {
    await collection.closeAll();
    await api.close();
  });

  async function rtt(port: number): Promise<number> {
    const c = await connectClient(port);
    const { ms } = await timed(async () => {
      c.socket.write('ping');
      await c.waitFor(4);
    });
    c.socket.destroy();
    return ms;
  }

  it('creates, lists, shows, updates and deletes proxies', async () => {
    const p = await client.createProxy({
      name: 'host',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echo.port}`,
    });
    assert.equal(p.name, 'host');
    assert.match(p.listen, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(p.listen, '127.0.0.1:0');
    assert.equal(p.enabled, true);
    const all = await client.getAll();
    assert.deepEqual(Object.keys(all), ['host']);
    const port = Number(p.listen.split(':')[1]);
    assert.ok((await rtt(port)) < 1000);
    const disabled = await p.update({ enabled: false, listen: p.listen, upstream: p.upstream });
    assert.equal(disabled.enabled, false);
    assert.equal(collection.get('host').listening, false);
    await client.reset();
    assert.equal((await client.get('host')).enabled, true);
    await p.remove();
    assert.deepEqual(Object.keys(await client.getAll()), []);
  });

  it('adds, shows, updates and removes toxics with Toxiproxy defaults', async () => {
    const p = await client.createProxy({
      name: 'host',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echo.port}`,
    });
    const port = Number(p.listen.split(':')[1]);
    const t = await p.addToxic({ type: 'latency', attributes: { latency: 250, jitter: 0 } } as never);
    assert.equal(t.name, 'latency_downstream');
    assert.equal(t.stream, 'downstream');
    assert.equal(t.toxicity, 1);
    assert.ok((await rtt(port)) >= 245, 'a 250 ms latency toxic delays the echo');
    const shown = await p.getToxic('latency_downstream');
    assert.deepEqual(shown.attributes, { latency: 250, jitter: 0 });
    const updated = await shown.update({ attributes: { latency: 5 } } as never);
    assert.equal((updated.attributes as { latency: number }).latency, 5);
    await updated.remove();
    assert.ok((await rtt(port)) < 500);
    assert.deepEqual((await client.get('host')).toJson().name, 'host');
  });

  it('populates several proxies and reports the version', async () => {
    const made = await client.populate([
      { name: 'a', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
      { name: 'b', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}`, enabled: false },
    ]);
    assert.deepEqual(Object.keys(made).sort(), ['a', 'b']);
    assert.equal(made.b?.enabled, false);
    assert.match(await client.getVersion(), /"version"/);
  });

  it('answers bad input with a 4xx JSON error naming the field', async () => {
    await client.createProxy({ name: 'host', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const post = async (
      path: string,
      body: unknown,
    ): Promise<{ status: number; json: Record<string, unknown> }> => {
      const r = await fetch(api.url + path, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const cases: [string, unknown, number, string][] = [
      ['/proxies', { name: 'x' }, 400, 'upstream'],
      ['/proxies', { upstream: '127.0.0.1:1' }, 400, 'name'],
      ['/proxies', { name: 'y', upstream: 'nohostport' }, 400, 'upstream'],
      ['/proxies', { name: 'host', upstream: '127.0.0.1:1' }, 409, 'name'],
      ['/proxies', '{not json', 400, '(body)'],
      ['/proxies/host/toxics', { type: 'wormhole' }, 400, 'type'],
      ['/proxies/host/toxics', { type: 'latency', stream: 'sideways' }, 400, 'stream'],
      ['/proxies/host/toxics', { type: 'latency', toxicity: 2 }, 400, 'toxicity'],
      ['/proxies/host/toxics', { type: 'latency', attributes: { latency: -5 } }, 400, 'attributes.latency'],
      ['/proxies/host/toxics', { type: 'latency', attributes: { latncy: 5 } }, 400, 'attributes.latncy'],
      [
        '/proxies/host/toxics',
        { type: 'slicer', attributes: { average_size: 4, size_variation: 4 } },
        400,
        'attributes.size_variation',
      ],
    ];
    for (const [path, body, status, field] of cases) {
      const r = await post(path, body);
      assert.equal(r.status, status, `${path} ${JSON.stringify(body)} → ${r.status}`);
      assert.equal(r.json.field, field, `${path} ${JSON.stringify(body)} → ${JSON.stringify(r.json)}`);
      assert.equal(r.json.status, status);
      assert.equal(typeof r.json.error, 'string');
    }
    const missing = await fetch(api.url + '/proxies/nope');
    assert.equal(missing.status, 404);
    const browser = await fetch(api.url + '/proxies', { headers: { 'User-Agent': 'Mozilla/5.0' } });
    assert.equal(browser.status, 403);
  });

  it('serves message faults and the journal on payhil endpoints', async () => {
    await client.createProxy({
      name: 'cup',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echo.port}`,
      dialect: 'cup',
    } as never);
    const r = await fetch(`${api.url}/payhil/proxies/cup/faults`, {
      method: 'POST',
      body: JSON.stringify({ name: 'lose-reply', action: 'drop', match: { mti: '0210' } }),
    });
    assert.equal(r.status, 200);
    const list = (await (await fetch(`${api.url}/payhil/proxies/cup/faults`)).json()) as { name: string }[];
    assert.deepEqual(
      list.map((f) => f.name),
      ['lose-reply'],
    );
    const bad = await fetch(`${api.url}/payhil/proxies/cup/faults`, {
      method: 'POST',
      body: JSON.stringify({ action: 'drop', nth: 0 }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { field: string }).field, 'nth');
    assert.equal(
      (await fetch(`${api.url}/payhil/proxies/cup/faults/lose-reply`, { method: 'DELETE' })).status,
      204,
    );
    const journal = (await (await fetch(`${api.url}/payhil/proxies/cup/journal`)).json()) as {
      kind: string;
    }[];
    assert.ok(journal.some((e) => e.kind === 'fault'));
  });

  it('ToxiproxyNetworkControl drives toxics through toxiproxy-node-client (against this API)', async () => {
    const control = new ToxiproxyNetworkControl({
      url: api.url,
      proxy: 'lab',
      create: { listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` },
    });
    const t = await control.addToxic({ type: 'latency', stream: 'upstream', attributes: { latency: 200 } });
    assert.equal(t.name, 'latency_upstream');
    const port = collection.get('lab').address().port;
    assert.ok((await rtt(port)) >= 190);
    const u = await control.updateToxic('latency_upstream', { attributes: { latency: 1 } });
    assert.equal(u.attributes.latency, 1);
    assert.deepEqual(
      (await control.listToxics()).map((x) => x.name),
      ['latency_upstream'],
    );
    await control.removeToxic('latency_upstream');
    assert.deepEqual(await control.listToxics(), []);
    await control.setEnabled(false);
    assert.equal(collection.get('lab').listening, false);
    await control.reset();
    assert.equal(collection.get('lab').listening, true);
    await assert.rejects(control.addFault({ action: 'drop' }), { code: 'E_NET_UNSUPPORTED' });
  });

  it('HttpNetworkControl drives toxics and message faults of a payhil proxy over HTTP', async () => {
    await client.createProxy({
      name: 'cup',
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${echo.port}`,
      dialect: 'cup',
    } as never);
    const control = new HttpNetworkControl({ url: api.url, proxy: 'cup' });
    const t = await control.addToxic({ name: 'slow', type: 'latency', attributes: { latency: 50 } });
    assert.equal(t.name, 'slow');
    assert.equal((await control.updateToxic('slow', { toxicity: 0.5 })).toxicity, 0.5);
    assert.deepEqual(
      (await control.listToxics()).map((x) => x.name),
      ['slow'],
    );
    await assert.rejects(control.addToxic({ type: 'latency', attributes: { latency: -1 } }), {
      field: 'attributes.latency',
    });
    await assert.rejects(control.removeToxic('nope'), { code: 'E_NET_NOT_FOUND' });
    const f = await control.addFault({ name: 'cut', action: 'cutAfter', match: { mti: '0200' } });
    assert.equal(f.spent, false);
    assert.equal(collection.get('cup').faults.list().length, 1);
    await control.removeFault('cut');
    await control.setEnabled(false);
    assert.equal(collection.get('cup').listening, false);
    await control.reset();
    assert.equal(collection.get('cup').listening, true);
    assert.deepEqual(await control.listToxics(), []);
  });
});
