import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import {
  MAX_SEED,
  deriveSeed,
  freshSeed,
  isSeed,
  randomBytesOf,
  scenarioSeed,
  seededStream,
} from './run-seed.js';

describe('run seed', () => {
  it('derives the same seed from the same inputs, and others from another seed, id or label', () => {
    assert.equal(
      scenarioSeed(42, 'purchase/chip-pin-approved'),
      scenarioSeed(42, 'purchase/chip-pin-approved'),
    );
    const seen = new Set([
      scenarioSeed(42, 'purchase/chip-pin-approved'),
      scenarioSeed(43, 'purchase/chip-pin-approved'),
      scenarioSeed(42, 'purchase/chip-pin-approved#2'),
      deriveSeed(42, 'proxy'),
      deriveSeed(42, 'host'),
    ]);
    assert.equal(seen.size, 5);
    for (const s of seen) assert.ok(isSeed(s));
  });

  it('streams repeat for a seed and label, and differ by label', () => {
    const a = seededStream(7, 'terminal:0');
    const b = seededStream(7, 'terminal:0');
    const c = seededStream(7, 'terminal:1');
    const draws = (f: () => number): number[] => Array.from({ length: 5 }, f);
    const da = draws(a);
    assert.deepEqual(draws(b), da);
    assert.notDeepEqual(draws(c), da);
    for (const x of da) assert.ok(x >= 0 && x < 1);
    assert.deepEqual(randomBytesOf(seededStream(1, 'k'), 8), randomBytesOf(seededStream(1, 'k'), 8));
  });

  it('fresh seeds are seeds; the range is checked', () => {
    assert.ok(isSeed(freshSeed()));
    assert.ok(isSeed(0) && isSeed(MAX_SEED));
    assert.ok(!isSeed(-1) && !isSeed(MAX_SEED + 1) && !isSeed(1.5) && !isSeed('1'));
  });
});
