import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { FolderHistoryStore, RUN_ID_PATTERN, checkRunRecord, newRunId } from './history-store.js';
import { RUN_RECORD_FORMAT, type RunRecord } from './run-record.js';

function record(id: string, bench: string, time: string): RunRecord {
  return {
    format: RUN_RECORD_FORMAT,
    id,
    time,
    durationMs: 10,
    payhil: '0.1.0',
    pack: { root: '/p' },
    bench: { name: bench, facts: { bench }, terminal: {} },
    seed: null,
    counts: { passed: 1, failed: 0, broken: 0, skipped: 0 },
    outputs: {},
    files: [],
    scenarios: [
      { id: 'a/b', title: 't', file: 'a.yaml', line: 1, verdict: 'passed', durationMs: 5, attempt: 1 },
    ],
  };
}

describe('report/history-store', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-history-'));
    dirs.push(d);
    return d;
  };

  it('run ids are UTC timestamps with a random tail, sortable', () => {
    const id = newRunId(new Date('2026-12-06T20:15:12.345Z'), () => 0.5);
    assert.equal(id, '20261206-201512-8000');
    assert.match(id, RUN_ID_PATTERN);
  });

  it('appends one file per run, lists oldest first, filters by bench, finds by id', async () => {
    const store = new FolderHistoryStore(join(tmp(), 'history'));
    assert.deepEqual(await store.list(), []);
    await store.append(record('20261206-100000-0002', 'web', '2026-12-06T10:00:00.000Z'));
    await store.append(record('20261206-090000-0001', 'embedded', '2026-12-06T09:00:00.000Z'));
    await store.append(record('20261206-110000-0003', 'embedded', '2026-12-06T11:00:00.000Z'));
    assert.deepEqual(readdirSync(store.where).sort(), [
      '20261206-090000-0001.json',
      '20261206-100000-0002.json',
      '20261206-110000-0003.json',
    ]);
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['20261206-090000-0001', '20261206-100000-0002', '20261206-110000-0003'],
    );
    assert.deepEqual(
      (await store.list({ bench: 'embedded' })).map((r) => r.id),
      ['20261206-090000-0001', '20261206-110000-0003'],
    );
    assert.equal((await store.get('20261206-100000-0002'))?.bench.name, 'web');
    assert.equal(await store.get('20991231-000000-ffff'), undefined);
    assert.equal(await store.get('../../etc/passwd'), undefined);
  });

  it('is append-only: the same id again is refused and the first record stays', async () => {
    const store = new FolderHistoryStore(tmp());
    await store.append(record('20261206-100000-0002', 'web', '2026-12-06T10:00:00.000Z'));
    await assert.rejects(
      store.append(record('20261206-100000-0002', 'embedded', '2026-12-06T10:00:00.000Z')),
      {
        code: 'E_HISTORY_EXISTS',
      },
    );
    assert.equal((await store.get('20261206-100000-0002'))?.bench.name, 'web');
    await assert.rejects(store.append(record('x/../../y', 'web', '2026')), { code: 'E_HISTORY_ID' });
  });

  it('skips files that are not records and says which', async () => {
    const dir = tmp();
    const store = new FolderHistoryStore(dir);
    await store.append(record('20261206-100000-0002', 'web', '2026-12-06T10:00:00.000Z'));
    writeFileSync(join(dir, '20261206-110000-0003.json'), '{"format":1,');
    writeFileSync(join(dir, '20261206-120000-0004.json'), JSON.stringify({ format: 99 }));
    writeFileSync(join(dir, 'notes.json'), '{}');
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['20261206-100000-0002'],
    );
    assert.equal(store.problems.length, 2);
    assert.match(store.problems.join('\n'), /20261206-110000-0003\.json/);
    assert.match(store.problems.join('\n'), /format 99/);
    await assert.rejects(store.get('20261206-110000-0003'), { code: 'E_HISTORY_RECORD' });
  });

  it('a history path that is a file is a clear error, not a crash', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'file'), 'x');
    await assert.rejects(new FolderHistoryStore(join(dir, 'file')).list(), {
      code: 'E_HISTORY_READ',
      message: /cannot read the history/,
    });
  });

  it('checkRunRecord refuses a record without scenarios or with a scenario without verdict', () => {
    const r = record('20261206-100000-0002', 'web', 't');
    assert.throws(() => checkRunRecord({ ...r, scenarios: undefined }, 'f'), /scenarios/);
    assert.throws(() => checkRunRecord({ ...r, scenarios: [{ id: 'x' }] }, 'f'), /without id or verdict/);
    assert.throws(() => checkRunRecord(null, 'f'), /not a JSON object/);
  });
});
