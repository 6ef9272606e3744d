import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { zipArchive } from './zip-writer.js';

// Python's zipfile is an independent reader: it checks every CRC-32 and returns the names and contents.
const PY_READ = `
import sys, zipfile, json, hashlib
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
print(json.dumps({"bad": bad, "files": [[i.filename, i.compress_type, hashlib.sha256(z.read(i)).hexdigest(), i.date_time] for i in z.infolist()]}))
`;

describe('report/zip-writer', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes an archive that unzip -t and Python zipfile read back byte for byte (deflated, stored, empty, UTF-8 names)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-zip-'));
    dirs.push(dir);
    const entries = [
      { name: 'b/text.txt', data: Buffer.from('timeline\n'.repeat(500)) },
      { name: 'b/random.bin', data: randomBytes(4096) },
      { name: 'b/empty', data: Buffer.alloc(0) },
      { name: 'b/回执.txt', data: Buffer.from('收据\n') },
    ];
    const file = join(dir, 'x.zip');
    writeFileSync(file, zipArchive(entries, new Date('2026-12-06T20:15:12Z')));
    const t = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /No errors detected/);
    const py = spawnSync('python3', ['-c', PY_READ, file], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const read = JSON.parse(py.stdout) as { bad: string | null; files: [string, number, string, number[]][] };
    assert.equal(read.bad, null);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    assert.deepEqual(
      read.files.map((f) => [f[0], f[2]]),
      entries.map((e) => [e.name, sha(e.data)]),
    );
    assert.equal(read.files[0]![1], 8, 'text is deflated');
    assert.equal(read.files[1]![1], 0, 'random bytes are stored');
    assert.deepEqual(read.files[0]![3], [2026, 12, 6, 20, 15, 12]);
    assert.ok(readFileSync(file).length < 4096 + 1000, 'the text compresses');
  });

  it('refuses names that would leave the folder, and the same name twice', () => {
    for (const name of ['/abs', '../up', 'a/../b', 'a//b', 'a\\b', '', 'a/./b'])
      assert.throws(() => zipArchive([{ name, data: Buffer.alloc(1) }]), { code: 'E_ZIP_NAME' }, name);
    assert.throws(
      () =>
        zipArchive([
          { name: 'a', data: Buffer.alloc(1) },
          { name: 'a', data: Buffer.alloc(1) },
        ]),
      /twice/,
    );
  });
});
