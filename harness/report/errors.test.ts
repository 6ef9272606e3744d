import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportError, RunRecordTooLargeError } from './errors.js';
import { FolderHistoryStore } from './history-store.js';

describe('report/errors: typed errors of the run history', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-history-errors-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a record file too large to be one is a RunRecordTooLargeError, skipped with its message', async () => {
    const id = '20261206-201512-8000';
    const file = join(dir, `${id}.json`);
    writeFileSync(file, '');
    const bytes = 64 * 1024 * 1024 + 1;
    truncateSync(file, bytes); // sparse: nothing is written or read
    const store = new FolderHistoryStore(dir);
    assert.deepEqual(await store.list(), []);
    const want = `${file}: ${bytes} bytes, more than a run record can be`;
    assert.deepEqual(store.problems, [want]);
    await assert.rejects(
      store.get(id),
      (e: unknown) => e instanceof ReportError && e.code === 'E_HISTORY_RECORD' && e.message === want,
    );
    const e = new RunRecordTooLargeError(file, bytes, 64 * 1024 * 1024);
    assert.ok(e instanceof ReportError);
    assert.equal(e.code, 'E_HISTORY_RECORD_TOO_LARGE');
    assert.deepEqual([e.file, e.bytes, e.maxBytes, e.message], [file, bytes, 64 * 1024 * 1024, want]);
  });
});
