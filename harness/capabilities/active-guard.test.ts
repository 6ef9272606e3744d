import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { ActiveGuard } from './active-guard.js';
import { InactiveDriverError } from './errors.js';

describe('ActiveGuard', () => {
  it("refuses with the driver's own error while inactive, before activation and after deactivation", () => {
    const guard = new ActiveGuard<{ link: number }>((op) => new Error(`inactive: ${op}`));
    assert.equal(guard.active, false);
    assert.throws(() => guard.need('purchase'), /inactive: purchase/);
    const link = { link: 1 };
    guard.activate(link);
    assert.equal(guard.active, true);
    assert.equal(guard.need('purchase'), link);
    assert.equal(guard.deactivate(), link);
    assert.equal(guard.current, undefined);
    assert.throws(() => guard.need('status'), /inactive: status/);
  });

  it('drops a link that closed by itself only while it is still the one held', () => {
    const guard = new ActiveGuard<object>((op) => new Error(op));
    const first = {};
    const second = {};
    guard.activate(first);
    guard.activate(second);
    assert.equal(guard.release(first), false);
    assert.equal(guard.need('x'), second);
    assert.equal(guard.release(second), true);
    assert.equal(guard.active, false);
  });

  it('carries a broken verdict when the driver gives the contract error', () => {
    const guard = new ActiveGuard<true>(() => new InactiveDriverError('emulated'));
    assert.throws(
      () => guard.need('keypad'),
      (e: unknown) =>
        e instanceof InactiveDriverError && e.code === 'E_BENCH_INACTIVE' && e.verdict === 'broken',
    );
  });
});
