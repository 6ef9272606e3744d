import { strict as assert } from 'node:assert';
import { on } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyJournal, type JournalEntry } from './proxy-journal.js';

describe('net/proxy journal', () => {
  it('keeps the last `capacity` entries in order, numbered, and counts the evicted', () => {
    const j = new ProxyJournal('p', { capacity: 3 });
    for (let i = 1; i <= 5; i++) j.record({ kind: 'connect', conn: i, client: 'c', upstream: 'u' });
    assert.deepEqual(
      j.entries().map((e) => e.seq),
      [3, 4, 5],
    );
    assert.equal(j.evicted, 2);
    assert.deepEqual(
      j.entries(4).map((e) => e.seq),
      [5],
    );
    const e = j.entries()[0] as JournalEntry;
    assert.equal(e.proxy, 'p');
    assert.match(e.at, /^\d{4}-\d\d-\d\dT/);
  });

  it('streams every entry to a JSONL file and to `entry` listeners', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-journal-'));
    try {
      const file = join(dir, 'j.jsonl');
      const j = new ProxyJournal('p', { capacity: 1, jsonl: file });
      const events = on(j, 'entry');
      j.record({ kind: 'proxy', action: 'started' });
      j.record({ kind: 'proxy', action: 'closed' });
      const first = (await events.next()).value as [JournalEntry];
      assert.equal(first[0].seq, 1);
      await j.close();
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      assert.equal(lines.length, 2, 'the file keeps what memory evicted');
      assert.equal((JSON.parse(lines[1] as string) as JournalEntry).kind, 'proxy');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
