import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { REDIS_HISTORY_KEY, RedisHistoryStore, type HistoryRedis } from './redis-history-store.js';
import { RUN_RECORD_FORMAT, type RunRecord } from './run-record.js';

/** The three hash commands over a Map (the e2e test runs the store on a real redis-server). */
function memoryRedis(): HistoryRedis & { hash: Map<string, string> } {
  const hash = new Map<string, string>();
  return {
    hash,
    hsetnx: async (key, field, value) => {
      assert.equal(key, REDIS_HISTORY_KEY);
      if (hash.has(field)) return 0;
      hash.set(field, value);
      return 1;
    },
    hget: async (_key, field) => hash.get(field) ?? null,
    hgetall: async () => Object.fromEntries(hash),
  };
}

function record(id: string, bench: string, time: string): RunRecord {
  return {
    format: RUN_RECORD_FORMAT,
    id,
    time,
    durationMs: 1,
    payhil: '0.1.0',
    pack: { root: '/x' },
    bench: { name: bench, facts: {}, terminal: {} },
    seed: null,
    counts: { passed: 1, failed: 0, broken: 0, skipped: 0 },
    outputs: {},
    files: [],
    scenarios: [
      { id: 'a/b', title: 't', file: 'a.yaml', line: 1, verdict: 'passed', durationMs: 1, attempt: 1 },
    ],
  } as RunRecord;
}

describe('run history on the lab Redis', () => {
  it('append-only: a record once, a second append of its id refused; list by bench in time order; get', async () => {
    const redis = memoryRedis();
    const store = new RedisHistoryStore(redis, 'redis://127.0.0.1:6379');
    assert.equal(store.where, `redis://127.0.0.1:6379 ${REDIS_HISTORY_KEY}`);
    await store.append(record('20261206-100000-aaaa', 'queue', '2026-12-06T10:00:00.000Z'));
    await store.append(record('20261206-090000-bbbb', 'queue', '2026-12-06T09:00:00.000Z'));
    await store.append(record('20261206-110000-cccc', 'web', '2026-12-06T11:00:00.000Z'));
    await assert.rejects(
      store.append(record('20261206-100000-aaaa', 'other', '2026-12-06T12:00:00.000Z')),
      (e: unknown) => (e as { code?: string }).code === 'E_HISTORY_EXISTS',
    );
    assert.deepEqual(
      (await store.list({ bench: 'queue' })).map((r) => r.id),
      ['20261206-090000-bbbb', '20261206-100000-aaaa'],
    );
    assert.equal((await store.get('20261206-100000-aaaa'))?.bench.name, 'queue', 'not replaced');
    assert.equal(await store.get('20261206-000000-dddd'), undefined);
    assert.equal(await store.get('not-an-id'), undefined);
    await assert.rejects(store.append({ ...record('x', 'q', 't') }), /is not YYYYMMDD-HHMMSS-xxxx/);
  });

  it('garbage in the hash: skipped by list and named in problems; get says which run and why', async () => {
    const redis = memoryRedis();
    const store = new RedisHistoryStore(redis, 'redis://h:1');
    await store.append(record('20261206-100000-aaaa', 'queue', '2026-12-06T10:00:00.000Z'));
    redis.hash.set('20261206-100001-bbbb', '{not json');
    redis.hash.set('20261206-100002-cccc', JSON.stringify({ format: 1, id: '20261206-100002-cccc' }));
    redis.hash.set('20261206-100003-dddd', JSON.stringify(record('20261206-100000-aaaa', 'q', 't')));
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['20261206-100000-aaaa'],
    );
    assert.equal(store.problems.length, 3, store.problems.join('\n'));
    assert.match(store.problems.join('\n'), /20261206-100003-dddd: holds run 20261206-100000-aaaa/);
    await assert.rejects(store.get('20261206-100002-cccc'), /not a payhil run record/);
  });
});
