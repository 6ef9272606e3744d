import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { ShardSpecError } from './errors.js';
import { parseShard, shardOf } from './shard.js';

describe('lab: --shard i/n', () => {
  it('parses i/n and refuses what is not 1 <= i <= n', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '1/2/3', '-1/2', '', '1/99999'])
      assert.throws(() => parseShard(bad), ShardSpecError, bad);
  });

  it('every item is in exactly one shard, in its original order; sizes differ by at most one', () => {
    const items = Array.from({ length: 61 }, (_, i) => `s${i}`);
    for (const n of [1, 2, 3, 7, 61, 64]) {
      const shards = Array.from({ length: n }, (_, i) => shardOf(items, { index: i + 1, count: n }));
      const all = shards.flat();
      assert.equal(all.length, items.length, `n=${n}`);
      assert.deepEqual([...all].sort(), [...items].sort(), `n=${n}`);
      for (const s of shards)
        assert.deepEqual(
          s,
          [...s].sort((a, b) => items.indexOf(a) - items.indexOf(b)),
        );
      const sizes = shards.map((s) => s.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `n=${n}: ${sizes.join(',')}`);
    }
  });

  it('is deterministic: the same list gives the same shard', () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    assert.deepEqual(shardOf(items, { index: 2, count: 2 }), ['b', 'd']);
    assert.deepEqual(shardOf(items, { index: 2, count: 2 }), shardOf([...items], { index: 2, count: 2 }));
  });
});
