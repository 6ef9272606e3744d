import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import type { TestResult } from 'allure-js-commons';
import { SPARE_DIR, setAsideResults } from './results-dir.js';
import { ResultsWriter } from './results-writer.js';

function result(uuid: string): TestResult {
  return { uuid, name: uuid, status: 'passed', steps: [], attachments: [] } as unknown as TestResult;
}

/** A run's worth of files of varied sizes (text, Chinese text, bytes), numbered by `run`. */
function writeRun(w: ResultsWriter, run: string, n: number): void {
  for (let i = 0; i < n; i++) {
    w.writeAttachmentText(
      `${run}-${i}-attachment.txt`,
      `${run} timeline ${i}\n中文 ${'x'.repeat((i * 397) % 5000)}`,
    );
    w.writeAttachment(`${run}-${i}-attachment.pcap`, Buffer.alloc((i * 131) % 3000, i));
    w.writeResult(result(`${run}-${i}`));
  }
}

/** The files a run wrote are all there, byte for byte. */
function assertRun(dir: string, run: string, n: number): void {
  for (let i = 0; i < n; i++) {
    assert.equal(
      readFileSync(join(dir, `${run}-${i}-attachment.txt`), 'utf8'),
      `${run} timeline ${i}\n中文 ${'x'.repeat((i * 397) % 5000)}`,
    );
    assert.deepEqual(
      readFileSync(join(dir, `${run}-${i}-attachment.pcap`)),
      Buffer.alloc((i * 131) % 3000, i),
    );
    assert.equal(JSON.parse(readFileSync(join(dir, `${run}-${i}-result.json`), 'utf8')).uuid, `${run}-${i}`);
  }
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'payhil-results-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('ResultsWriter and the results folder between runs', () => {
  it('writes every file byte for byte, each on disk when the call returns', () => {
    const dir = tempDir();
    const w = new ResultsWriter(dir);
    w.writeAttachmentText('a-attachment.txt', 'now');
    assert.equal(readFileSync(join(dir, 'a-attachment.txt'), 'utf8'), 'now');
    writeRun(w, 'r', 50);
    w.close();
    assertRun(dir, 'r', 50);
    assert.equal(readdirSync(dir).length, 151);
  });

  it("a new run writes into the last run's files (same inodes), longer or shorter, and leaves no spare behind", () => {
    const dir = tempDir();
    const first = new ResultsWriter(dir);
    writeRun(first, 'old', 60);
    first.close();
    const inodes = new Set(readdirSync(dir).map((f) => statSync(join(dir, f)).ino));

    setAsideResults(dir);
    // The results out of sight at once (Allure reads the folder's top-level files); the attachments stay,
    // named by no result.
    assert.deepEqual(
      readdirSync(dir).filter((f) => !f.includes('-attachment.')),
      [SPARE_DIR],
    );
    const aside = readdirSync(join(dir, SPARE_DIR)).filter((f) => f !== 'spares.list');
    assert.equal(aside.length, 60);
    assert.ok(aside.every((f) => f.endsWith('-result.json.spare')));

    const second = new ResultsWriter(dir);
    writeRun(second, 'new', 50);
    second.close();
    assertRun(dir, 'new', 50);
    const files = readdirSync(dir);
    assert.equal(files.length, 150, 'the 30 spares not needed are deleted, with the spare folder');
    assert.ok(!existsSync(join(dir, SPARE_DIR)));
    // The old code deleted the last run's files and created new ones: new inodes.
    const reused = files.filter((f) => inodes.has(statSync(join(dir, f)).ino)).length;
    assert.equal(reused, 150, 'every file of the new run is a reused one');
  });

  it('a run stopped half way shows only its own results; the next run takes the spares left', () => {
    const dir = tempDir();
    const first = new ResultsWriter(dir);
    writeRun(first, 'old', 40);
    first.close();
    setAsideResults(dir);
    const stopped = new ResultsWriter(dir);
    writeRun(stopped, 'half', 10);
    // Never closed (the process died): no result of the old run in sight, and no file in sight holds the
    // old run's content under its old name.
    const inSight = readdirSync(dir).filter((f) => f !== SPARE_DIR);
    assert.deepEqual(
      inSight.filter((f) => f.endsWith('-result.json')).sort(),
      Array.from({ length: 10 }, (_, i) => `half-${i}-result.json`).sort(),
    );
    for (const f of inSight.filter((x) => x.startsWith('old-')))
      assert.ok(f.includes('-attachment.'), `${f}: an old attachment, named by no result`);
    setAsideResults(dir);
    const next = new ResultsWriter(dir);
    writeRun(next, 'next', 40);
    next.close();
    assertRun(dir, 'next', 40);
    assert.equal(readdirSync(dir).length, 120);
  });

  it('setting aside keeps what is not an earlier run (a user file) and removes a copied-in history folder', () => {
    const dir = tempDir();
    const w = new ResultsWriter(dir);
    writeRun(w, 'old', 2);
    w.writeEnvironmentInfo({ bench: 'embedded' });
    w.writeCategoriesDefinitions([]);
    w.close();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    mkdirSync(join(dir, 'history'));
    writeFileSync(join(dir, 'history', 'history.json'), '{}');
    writeFileSync(join(dir, 'payhil-run.json'), '{}');
    setAsideResults(dir);
    assert.deepEqual(
      readdirSync(dir)
        .filter((f) => !f.includes('-attachment.'))
        .sort(),
      [SPARE_DIR, 'notes.txt'],
    );
    const next = new ResultsWriter(dir);
    next.close();
    assert.deepEqual(readdirSync(dir), ['notes.txt'], 'unused spares and the spare folder deleted');
  });

  it("a second writer on the folder in the same run gets no spares: it never writes over the first's files", () => {
    const dir = tempDir();
    const old = new ResultsWriter(dir);
    writeRun(old, 'old', 5);
    old.close();
    setAsideResults(dir);
    const first = new ResultsWriter(dir);
    const second = new ResultsWriter(dir);
    writeRun(first, 'a', 3);
    writeRun(second, 'b', 3);
    first.close();
    second.close();
    assertRun(dir, 'a', 3);
    assertRun(dir, 'b', 3);
  });

  it('a spare list naming a file outside the folder is not followed', () => {
    const dir = tempDir();
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'keep me');
    const results = join(dir, 'results');
    mkdirSync(join(results, SPARE_DIR), { recursive: true });
    writeFileSync(
      join(results, SPARE_DIR, 'spares.list'),
      ['../outside.txt', SPARE_DIR, '', '..'].join('\n'),
    );
    const w = new ResultsWriter(results);
    writeRun(w, 'r', 3);
    w.close();
    assert.equal(readFileSync(outside, 'utf8'), 'keep me');
    assertRun(results, 'r', 3);
  });

  it('a file that cannot be written fails with its name; a spare it was given is not left in sight', () => {
    const dir = tempDir();
    const first = new ResultsWriter(dir);
    writeRun(first, 'old', 2);
    first.close();
    setAsideResults(dir);
    const w = new ResultsWriter(dir);
    assert.throws(
      () => w.writeAttachmentText(join('no-such-folder', 'bad-attachment.txt'), 'lost?'),
      /ENOENT.*no-such-folder[\\/]bad-attachment\.txt/,
    );
    w.writeAttachmentText('good-attachment.txt', 'ok');
    w.close();
    assert.deepEqual(readdirSync(dir), ['good-attachment.txt'], 'the spares not needed deleted');
  });

  it('a spare deleted meanwhile is no loss: the file is created', () => {
    const dir = tempDir();
    const first = new ResultsWriter(dir);
    writeRun(first, 'old', 3);
    first.close();
    setAsideResults(dir);
    const w = new ResultsWriter(dir);
    rmSync(join(dir, SPARE_DIR), { recursive: true });
    writeRun(w, 'new', 3);
    w.close();
    assertRun(dir, 'new', 3);
  });
});
