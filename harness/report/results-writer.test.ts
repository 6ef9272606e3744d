import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { after, describe, it } from 'mocha';
import type { TestResult } from 'allure-js-commons';
import { createMockBench } from '../testing/index.js';
import type { Scenario } from '../scenario/index.js';
import { AllureWriter } from './allure-writer.js';
import { ResultsWriter } from './results-writer.js';

function result(uuid: string): TestResult {
  return { uuid, name: uuid, status: 'passed', steps: [], attachments: [] } as unknown as TestResult;
}

/** The writer thread of a background ResultsWriter (started by its first write). */
function threadOf(w: ResultsWriter): Worker {
  const t = (w as unknown as { thread?: Worker }).thread;
  assert.ok(t, 'a background write starts the writer thread');
  return t;
}

describe('ResultsWriter in the background (writer thread)', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-results-'));
    dirs.push(d);
    return d;
  };
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes every result and attachment (text and bytes) by the time flush resolves, byte for byte', async () => {
    const dir = tempDir();
    const w = new ResultsWriter(dir, { background: true });
    const bytes = Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 0, 1, 2, 0xff]);
    for (let i = 0; i < 200; i++) {
      w.writeAttachmentText(`${i}-attachment.txt`, `timeline ${i}\n中文 ${'x'.repeat(i)}`);
      w.writeAttachment(`${i}-attachment.pcap`, bytes);
      w.writeResult(result(`r${i}`));
    }
    await w.close();
    assert.equal(readdirSync(dir).length, 600);
    assert.equal(readFileSync(join(dir, '17-attachment.txt'), 'utf8'), `timeline 17\n中文 ${'x'.repeat(17)}`);
    assert.deepEqual(readFileSync(join(dir, '199-attachment.pcap')), bytes);
    assert.equal(JSON.parse(readFileSync(join(dir, 'r42-result.json'), 'utf8')).uuid, 'r42');
    assert.equal(w.pendingBytes, 0);
  });

  it('loses nothing when the thread dies: what it did not confirm is written in this thread', async () => {
    const dir = tempDir();
    const w = new ResultsWriter(dir, { background: true });
    w.writeResult(result('first'));
    await w.flush();
    for (let i = 0; i < 50; i++) w.writeAttachmentText(`${i}-attachment.txt`, `entry ${i}`);
    await threadOf(w).terminate();
    // After the thread: written here.
    w.writeResult(result('after'));
    await w.close();
    const files = readdirSync(dir);
    assert.equal(files.length, 52);
    for (let i = 0; i < 50; i++)
      assert.equal(readFileSync(join(dir, `${i}-attachment.txt`), 'utf8'), `entry ${i}`);
    assert.ok(files.includes('after-result.json'));
  });

  it('a file that cannot be written fails the flush with its name; the others are written', async () => {
    const dir = tempDir();
    const w = new ResultsWriter(dir, { background: true });
    w.writeAttachmentText('good-attachment.txt', 'ok');
    w.writeAttachmentText(join('no-such-folder', 'bad-attachment.txt'), 'lost?');
    w.writeAttachmentText('later-attachment.txt', 'ok too');
    await assert.rejects(() => w.close(), /no-such-folder[\\/]bad-attachment\.txt: ENOENT/);
    assert.deepEqual(readdirSync(dir).sort(), ['good-attachment.txt', 'later-attachment.txt']);
  });

  it('without background, each file is on disk when the call returns (no thread)', () => {
    const dir = tempDir();
    const w = new ResultsWriter(dir);
    w.writeAttachmentText('a-attachment.txt', 'now');
    assert.equal(readFileSync(join(dir, 'a-attachment.txt'), 'utf8'), 'now');
    assert.equal((w as unknown as { thread?: Worker }).thread, undefined);
  });

  it('AllureWriter in the background: a run of 16 scenarios or more starts the thread at its start, a shorter one writes itself', async () => {
    const threadOfAllure = (w: AllureWriter): Worker | undefined =>
      (w as unknown as { results: { thread?: Worker } }).results.thread;
    const bench = createMockBench().bench;
    const scenarios = (n: number): Scenario[] => Array.from({ length: n }, () => ({}) as Scenario);
    const long = new AllureWriter({ resultsDir: tempDir(), background: true });
    long.runStart({ bench, scenarios: scenarios(16), start: 0 });
    assert.ok(threadOfAllure(long), 'thread started before the first scenario ends');
    await long.runEnd();
    assert.equal(threadOfAllure(long), undefined, 'stopped at the end');
    const short = new AllureWriter({ resultsDir: tempDir(), background: true });
    short.runStart({ bench, scenarios: scenarios(15), start: 0 });
    assert.equal(threadOfAllure(short), undefined);
    await short.runEnd();
  });
});
