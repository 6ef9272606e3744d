import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { Timeline } from './timeline.js';

describe('Timeline', () => {
  it('pairs a response with the open request of its connection', () => {
    const t = new Timeline();
    t.add('host', { direction: 'request', conn: 1, mti: '0800', fields: { 11: '000001' } });
    t.add('host', { direction: 'request', conn: 2, mti: '0200', fields: { 11: '000002' } });
    t.add('host', { direction: 'response', conn: 2, mti: '0210', fields: { 39: '51' } });
    t.add('host', { direction: 'response', conn: 1, mti: '0810', fields: { 39: '00' } });
    const xs = t.exchanges();
    assert.equal(xs.length, 2);
    assert.equal(xs[0]?.request?.mti, '0800');
    assert.equal(xs[0]?.response?.mti, '0810');
    assert.equal(xs[1]?.response?.fields['39'], '51');
  });

  it('keeps a response without a request as its own exchange', () => {
    const t = new Timeline();
    t.add('host', { direction: 'response', conn: 7, mti: '0210', fields: {} });
    assert.equal(t.exchanges().length, 1);
    assert.equal(t.exchanges()[0]?.request, undefined);
  });

  it('waitUntil sees an entry as it lands, before the deadline', async () => {
    const t = new Timeline();
    setImmediate(() => t.add('display', { lines: ['APPROVED'] }));
    const started = Date.now();
    const hit = await t.waitUntil(
      () => t.entries('display').find((e) => (e.data.lines as string[])[0] === 'APPROVED'),
      Date.now() + 5000,
    );
    assert.ok(hit, 'the entry was found');
    assert.ok(Date.now() - started < 4000, 'it did not wait for the deadline');
  });

  it('waitUntil gives up at the deadline', async () => {
    const t = new Timeline();
    const hit = await t.waitUntil(() => undefined, Date.now() + 30);
    assert.equal(hit, undefined);
  });

  it('waitUntil looks again when an entry lands during an asynchronous probe', async () => {
    const t = new Timeline();
    let calls = 0;
    const hit = await t.waitUntil(async () => {
      calls++;
      if (calls === 1) {
        t.add('state', { state: 'idle' }); // lands while the probe runs
        return undefined;
      }
      return 'seen';
    }, Date.now() + 5000);
    assert.equal(hit, 'seen');
    assert.equal(calls, 2);
  });
});
