import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { WorkerLostError } from './errors.js';
import { runPool, type PoolWorker } from './worker-pool.js';

/** A worker that doubles numbers; it "dies" on the items of `dieOn` (once per item unless `always`). */
function fakeWorker(name: string, dieOn: Set<number>, log: string[]): PoolWorker<number, number> {
  let dead = false;
  return {
    name,
    async run(n) {
      await new Promise((r) => setImmediate(r));
      if (dead) throw new WorkerLostError(name, 'already dead');
      if (dieOn.has(n)) {
        dead = true;
        throw new WorkerLostError(name, `killed on ${n}`);
      }
      log.push(`${name}:${n}`);
      return n * 2;
    },
    async close() {},
  };
}

describe('lab: worker pool', () => {
  it('runs every item once over N workers', async () => {
    const log: string[] = [];
    const results = new Map<number, number>();
    let started = 0;
    const out = await runPool([1, 2, 3, 4, 5, 6, 7], {
      jobs: 3,
      start: async (slot) => (started++, fakeWorker(`w${slot}`, new Set(), log)),
      onResult: (item, r) => {
        assert.ok(!results.has(item), `item ${item} reported twice`);
        results.set(item, r);
      },
    });
    assert.equal(started, 3);
    assert.deepEqual([...results.keys()].sort(), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(results.get(4), 8);
    assert.deepEqual(out, { unrun: [], lost: [] });
    assert.equal(new Set(log.map((l) => l.split(':')[0])).size, 3, 'all three workers took items');
  });

  it('a worker lost mid-item is replaced and the item runs again once; lost twice, it is given up', async () => {
    const dieOn = new Set([3]);
    const lost: string[] = [];
    const results = new Map<number, number>();
    let starts = 0;
    const out = await runPool([1, 2, 3, 4], {
      jobs: 2,
      start: async (slot) => {
        starts++;
        // The replacement workers no longer die on 3.
        return fakeWorker(`w${slot}.${starts}`, starts <= 2 ? dieOn : new Set(), []);
      },
      onResult: (item, r) => results.set(item, r),
      onLost: (item, w, e, requeued) => lost.push(`${item}@${w}:${requeued}`),
    });
    assert.equal(lost.length, 1);
    assert.match(lost[0] as string, /^3@w\d\.\d:true$/);
    assert.equal(results.get(3), 6);
    assert.equal(results.size, 4);
    assert.deepEqual(out.lost, []);

    const always = await runPool([9], {
      jobs: 1,
      requeues: 1,
      start: async () => fakeWorker('w', new Set([9]), []),
      onResult: () => assert.fail('9 never finishes'),
    });
    assert.equal(always.lost.length, 1);
    assert.equal(always.lost[0]?.item, 9);
  });

  it('stops taking items when stopped(), and says which never ran', async () => {
    let done = 0;
    const out = await runPool([1, 2, 3, 4, 5], {
      jobs: 1,
      start: async () => fakeWorker('w', new Set(), []),
      onResult: () => void done++,
      stopped: () => done >= 2,
    });
    assert.equal(done, 2);
    assert.deepEqual(
      out.unrun.map((u) => u.item),
      [3, 4, 5],
    );
    assert.match(out.unrun[0]?.reason ?? '', /stopped/);
  });

  it('no worker can start: every item is unrun with the reason', async () => {
    const out = await runPool([1, 2], {
      jobs: 2,
      start: async () => {
        throw new Error('bench file missing');
      },
      onResult: () => assert.fail('nothing runs'),
    });
    assert.deepEqual(
      out.unrun.map((u) => u.item),
      [1, 2],
    );
    assert.match(out.unrun[0]?.reason ?? '', /bench file missing/);
  });
});
