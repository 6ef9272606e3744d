import assert from 'node:assert/strict';
import { waitWithin } from './wait-within.js';

describe('waitWithin', () => {
  it('returns when the promise settles, long before the timeout', async () => {
    let resolved = false;
    const p = new Promise<void>((r) => setImmediate(() => ((resolved = true), r())));
    await waitWithin(p, 60_000);
    assert.equal(resolved, true);
  });

  it('returns at the timeout when the promise never settles', async () => {
    await waitWithin(new Promise<void>(() => undefined), 5);
  });

  it('nothing to wait for: returns at once', async () => {
    await waitWithin(undefined, 60_000);
  });

  it('a rejection within the time passes through', async () => {
    await assert.rejects(waitWithin(Promise.reject(new Error('gone')), 60_000), /gone/);
  });
});
