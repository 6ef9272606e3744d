import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packagePath } from '../common/project-root.js';
import { loadDialect } from '../iso8583/dialect-loader.js';
import { startControlApi, type ControlApi } from './control-api.js';
import { ProxyCollection } from './proxy-collection.js';
import { startEchoServer, type TestServer } from './test-kit.js';

// Input the control API must refuse with a 400 naming the field, before it costs memory, floods a log
// or touches a file the caller names.
describe('net/control API: bounds, malformed paths and dialects by name only', function () {
  this.timeout(20_000);
  let echo: TestServer;
  let collection: ProxyCollection;
  let api: ControlApi;
  let dir: string;

  before(async () => {
    echo = await startEchoServer();
    dir = mkdtempSync(join(tmpdir(), 'payhil-api-'));
  });
  after(async () => {
    await echo.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    collection = new ProxyCollection({ dialects: { acquirer: loadDialect('iso87-ascii') } });
    api = await startControlApi(collection, '127.0.0.1:0');
  });
  afterEach(async () => {
    await collection.closeAll();
    await api.close();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(api.url + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const createProxy = (name: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}`, ...extra });

  it('refuses fault and toxic numbers beyond their documented bounds with 400 naming the field', async () => {
    assert.equal((await createProxy('cup', { dialect: 'cup' })).status, 201);
    const faults: [Record<string, unknown>, string][] = [
      [{ action: 'duplicate', copies: 10_000_000 }, 'copies'],
      [{ action: 'duplicate', copies: 101 }, 'copies'],
      [{ action: 'delay', delay: 1e308 }, 'delay'],
      [{ action: 'delay', delay: 3_600_001 }, 'delay'],
      [{ action: 'drop', nth: 1e10 }, 'nth'],
      [{ action: 'cutAfter', bytes: 1e9 }, 'bytes'],
      [{ action: 'corruptField', field: '39', value: 'x'.repeat(5000) }, 'value'],
    ];
    for (const [body, field] of faults) {
      const r = await call('POST', '/payhil/proxies/cup/faults', body);
      assert.deepEqual([r.status, r.json.field], [400, field], `${JSON.stringify(body).slice(0, 80)}`);
    }
    assert.equal(
      (await call('POST', '/payhil/proxies/cup/faults', { action: 'duplicate', copies: 100 })).status,
      200,
      'the largest copies allowed',
    );
    const toxics: [Record<string, unknown>, string][] = [
      [{ type: 'latency', attributes: { latency: 1e308 } }, 'attributes.latency'],
      [{ type: 'latency', attributes: { jitter: 3_600_001 } }, 'attributes.jitter'],
      [{ type: 'timeout', attributes: { timeout: 1e12 } }, 'attributes.timeout'],
      [{ type: 'slow_close', attributes: { delay: 1e12 } }, 'attributes.delay'],
      [{ type: 'reset_peer', attributes: { timeout: 1e12 } }, 'attributes.timeout'],
      [{ type: 'bandwidth', attributes: { rate: 1e12 } }, 'attributes.rate'],
      [{ type: 'limit_data', attributes: { bytes: 1e15 } }, 'attributes.bytes'],
      [{ type: 'slicer', attributes: { average_size: 1e9 } }, 'attributes.average_size'],
      [{ type: 'slicer', attributes: { delay: 1e12 } }, 'attributes.delay'],
    ];
    for (const [body, field] of toxics) {
      const r = await call('POST', '/proxies/cup/toxics', body);
      assert.deepEqual([r.status, r.json.field], [400, field], JSON.stringify(body));
    }
  });

  it('answers a malformed path (bad percent-encoding) with 400, not 500', async () => {
    for (const path of ['/proxies/%E0%A4%A', '/proxies/%', '/payhil/proxies/%C0/faults']) {
      const r = await call('GET', path);
      assert.equal(r.status, 400, path);
      assert.equal(r.json.field, '(path)');
    }
  });

  it('refuses a dialect path with one answer whether the file exists or not, echoing no content', async () => {
    const secret = join(dir, 'secret.yaml');
    writeFileSync(secret, 'name: TOP-SECRET-CONTENT\nroot:x:0:0\n');
    const validFile = packagePath('fixtures', 'dialects', 'cup.yaml');
    const refusals: string[] = [];
    for (const path of [
      '/etc/passwd',
      secret,
      validFile,
      join(dir, 'nothing-here.yaml'),
      '../../etc/passwd',
      'acquirer.yaml',
      'no-such-name',
    ]) {
      const r = await createProxy(`p${refusals.length}`, { dialect: path });
      assert.deepEqual([r.status, r.json.field], [400, 'dialect'], `${path}: ${JSON.stringify(r.json)}`);
      const text = String(r.json.error);
      assert.doesNotMatch(text, /root:|TOP-SECRET|not found|no such file|ENOENT/i, text);
      refusals.push(text);
    }
    // The same answer whether the file exists or not: the API reveals nothing about the file system.
    assert.equal(new Set(refusals).size, 1, refusals.join('\n'));
    assert.deepEqual(collection.list(), []);
  });

  it('takes a dialect by bundled or configured name, or inline; populate refuses a path before changing any', async () => {
    assert.equal((await createProxy('a', { dialect: 'cup' })).status, 201);
    const configured = await createProxy('b', { dialect: 'acquirer' });
    assert.equal(configured.status, 201);
    assert.equal(collection.get('b').dialect?.name, 'iso87-ascii');
    const definition: unknown = parse(readFileSync(packagePath('fixtures', 'dialects', 'cup.yaml'), 'utf8'));
    assert.equal((await createProxy('c', { dialect: definition })).status, 201);
    assert.equal(collection.get('c').dialect?.name, 'cup');

    const badInline = await createProxy('d', { dialect: { name: 'x' } });
    assert.deepEqual([badInline.status, badInline.json.field], [400, 'dialect']);
    const populate = await call('POST', '/populate', [
      { name: 'e', upstream: `127.0.0.1:${echo.port}` },
      { name: 'f', upstream: `127.0.0.1:${echo.port}`, dialect: '/etc/passwd' },
    ]);
    assert.deepEqual([populate.status, populate.json.field], [400, '[1].dialect']);
    assert.equal(
      collection.list().some((p) => p.name === 'e'),
      false,
      'populate changes nothing when one entry is refused',
    );
  });
});
