import { strict as assert } from 'node:assert';
import { isTextKey, responseCodeKey, text } from './display-texts.js';
import { TerminalEvents } from './terminal-events.js';

describe('terminal events and display texts', () => {
  it('numbers events, keeps a bounded history and isolates failing observers', () => {
    const ev = new TerminalEvents(3);
    const seen: number[] = [];
    ev.on(() => {
      throw new Error('observer bug');
    });
    ev.on((e) => seen.push(e.seq));
    for (let i = 0; i < 5; i++) ev.emit({ type: 'note', text: String(i) });
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.deepEqual(
      ev.history().map((e) => e.seq),
      [3, 4, 5],
    );
  });

  it('waitFor finds a past event or a later one, and times out', async () => {
    const ev = new TerminalEvents();
    ev.emit({ type: 'display', lines: ['A'], key: 'welcome' });
    assert.equal((await ev.waitFor((e) => e.type === 'display', 100, 0)).seq, 1);
    const later = ev.waitFor((e) => e.type === 'note', 1000);
    ev.emit({ type: 'note', text: 'x' });
    assert.equal((await later).seq, 2);
    await assert.rejects(
      ev.waitFor(() => false, 20),
      /no matching terminal event/,
    );
  });

  it('texts exist in English and Chinese; response codes map to their keys', () => {
    assert.equal(text('approved', 'en'), 'APPROVED');
    assert.equal(text('approved', 'zh'), '交易成功');
    assert.equal(responseCodeKey('51'), 'rc51');
    assert.equal(text(responseCodeKey('51'), 'en'), 'INSUFFICIENT FUNDS');
    assert.equal(responseCodeKey('Q9'), 'declined');
    assert.equal(isTextKey('pleaseTapAgain'), true);
    assert.equal(isTextKey('nope'), false);
  });
});
