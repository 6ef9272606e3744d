import { strict as assert } from 'node:assert';
import { createMemoryChannelPair, type MemoryChannel } from '../../emulator/ecr/index.js';
import { JsonLinesPeer } from './json-lines-peer.js';
import { KitBadInputError, KitChannelClosedError, KitRemoteError, KitTimeoutError } from './errors.js';

/** The other end: reads what the peer wrote, line by line. */
async function nextLine(ch: MemoryChannel): Promise<Record<string, unknown>> {
  const chunk = await ch.read();
  assert.ok(chunk, 'a line');
  return JSON.parse(chunk.toString('utf8')) as Record<string, unknown>;
}

const write = (ch: MemoryChannel, s: string): Promise<void> => ch.write(Buffer.from(s, 'utf8'));

describe('JsonLinesPeer', () => {
  let a: MemoryChannel;
  let b: MemoryChannel;
  let bad: KitBadInputError[];
  let events: [string, Record<string, unknown>][];
  let peer: JsonLinesPeer;

  beforeEach(() => {
    [a, b] = createMemoryChannelPair();
    bad = [];
    events = [];
    peer = new JsonLinesPeer(a, {
      maxLineBytes: 256,
      onBadInput: (e) => bad.push(e),
      onEvent: (e, d) => events.push([e, d]),
    });
  });
  afterEach(() => peer.close());

  it('pairs answers with requests by id (answers out of order), and hands on events', async () => {
    const one = peer.request('hello', {}, 1000);
    const two = peer.request('status', undefined, 1000);
    assert.deepEqual(await nextLine(b), { id: 1, method: 'hello', params: {} });
    assert.deepEqual(await nextLine(b), { id: 2, method: 'status' });
    await write(b, '{"id":2,"result":{"state":"idle"}}\n{"event":"display","data":{"lines":["HI"]}}\n');
    await write(b, '{"id":1,"result":{"name":"x"}}\n');
    assert.deepEqual(await two, { state: 'idle' });
    assert.deepEqual(await one, { name: 'x' });
    assert.deepEqual(events, [['display', { lines: ['HI'] }]]);
  });

  it('an error answer rejects with the remote code', async () => {
    const r = peer.request('start', { op: 'purchase' }, 1000);
    await nextLine(b);
    await write(b, '{"id":1,"error":{"code":"BUSY","message":"purchase runs"}}\n');
    await assert.rejects(
      r,
      (e: unknown) =>
        e instanceof KitRemoteError && e.remoteCode === 'BUSY' && /purchase runs/.test(e.message),
    );
  });

  it('garbage, a non-object, an unknown id, an overlong line: each named by its line, and the peer keeps reading', async () => {
    const r = peer.request('status', {}, 2000);
    await nextLine(b);
    await write(
      b,
      'garbage\n[1,2]\n{"id":99,"result":{}}\n' +
        'x'.repeat(300) +
        '\n{"id":"1"}\n{"id":1,"result":{"ok":true}}\n',
    );
    assert.deepEqual(await r, { ok: true });
    assert.equal(bad.length, 5);
    assert.ok(bad.every((e) => e.verdict === 'broken' && e.code === 'E_KIT_BAD_INPUT'));
    assert.match(bad[0]!.message, /line 1: not JSON .*"garbage"/);
    assert.match(bad[1]!.message, /line 2: not a JSON object/);
    assert.match(bad[2]!.message, /line 3: answer to unknown request id 99/);
    assert.match(bad[3]!.message, /line 4: line of 300 bytes, longer than 256/);
    assert.match(bad[4]!.message, /line 5: neither an answer/);
  });

  it('no answer: the request rejects after its bound', async () => {
    await assert.rejects(
      peer.request('status', {}, 50),
      (e: unknown) => e instanceof KitTimeoutError && /within 50 ms/.test(e.message),
    );
  });

  it('the other side closes: pending requests reject at once, later ones too', async () => {
    const r = peer.request('start', {}, 60_000);
    await nextLine(b);
    await b.close();
    await assert.rejects(
      r,
      (e: unknown) => e instanceof KitChannelClosedError && /waiting for start \(id 1\)/.test(e.message),
    );
    await peer.done;
    assert.equal(peer.closed, true);
    await assert.rejects(peer.request('status', {}, 1000), KitChannelClosedError);
  });
});
