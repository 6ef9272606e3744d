import { strict as assert } from 'node:assert';
import { textMemo } from './text-memo.js';

describe('textMemo', () => {
  it('answers a text seen before without calling again, and forgets all when full', () => {
    let calls = 0;
    // Each entry is 2 characters (text and answer): room for three.
    const upper = textMemo((t) => {
      calls++;
      return t.toUpperCase();
    }, 6);
    assert.equal(upper('a'), 'A');
    assert.equal(upper('a'), 'A');
    assert.equal(calls, 1);
    upper('b');
    upper('c');
    assert.equal(calls, 3);
    // Full: the fourth text empties the memory, then stays.
    assert.equal(upper('d'), 'D');
    assert.equal(calls, 4);
    upper('a');
    assert.equal(calls, 5, 'forgotten');
    upper('d');
    assert.equal(calls, 5, 'kept after the clear');
  });

  it('never keeps a text larger than the whole memory', () => {
    let calls = 0;
    const same = textMemo((t) => {
      calls++;
      return t;
    }, 10);
    same('x'.repeat(20));
    same('x'.repeat(20));
    assert.equal(calls, 2);
  });
});
