import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePackFixtures } from '../common/fixture-search.js';
import { memoryIo } from './command.js';
import { initCommand } from './init-command.js';
import { main } from './main.js';

describe('payhil init', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'payhil-init-'))));
  afterEach(() => {
    usePackFixtures([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('scaffolds scenarios/, fixtures/<kind>/, a README, a CI job; schema lines point into node_modules/payhil', async () => {
    const io = memoryIo(dir);
    assert.equal(await initCommand.run(['pack'], io), 0, io.stderr.join('\n'));
    const root = join(dir, 'pack');
    for (const f of [
      'scenarios/purchase-approved.yaml',
      'fixtures/cards',
      'fixtures/terminals',
      'fixtures/hosts',
      'fixtures/dialects',
      'fixtures/labs',
      'README.md',
      '.github/workflows/payhil.yml',
    ])
      assert.ok(existsSync(join(root, f)), f);
    const first = readFileSync(join(root, 'scenarios/purchase-approved.yaml'), 'utf8').split('\n')[0];
    assert.equal(
      first,
      '# yaml-language-server: $schema=../node_modules/payhil/harness/scenario/scenario.schema.json',
    );
    // The example is a valid scenario (the schema-line warning aside: payhil is not installed here).
    const v = memoryIo(root);
    assert.equal(await main(['validate', '-q'], v), 0, v.stdout.join('\n'));
  });

  it('refuses to overwrite and writes nothing; --force overwrites', async () => {
    mkdirSync(join(dir, 'scenarios'));
    writeFileSync(join(dir, 'README.md'), 'ours\n');
    const io = memoryIo(dir);
    assert.equal(await initCommand.run([], io), 1);
    assert.match(io.stderr.join('\n'), /this file exists in .*: README\.md/);
    assert.match(io.stderr.join('\n'), /nothing was written; use --force/);
    assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), 'ours\n');
    assert.ok(!existsSync(join(dir, 'scenarios', 'purchase-approved.yaml')));
    const forced = memoryIo(dir);
    assert.equal(await initCommand.run(['--force'], forced), 0);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /scenario pack/);
    assert.match(forced.stdout.join('\n'), /overwrote README\.md/);
  });

  it('a file in place of the folder, or two folders, is a usage error', async () => {
    writeFileSync(join(dir, 'f'), '');
    assert.equal(await main(['init', 'f'], memoryIo(dir)), 2);
    assert.equal(await main(['init', 'a', 'b'], memoryIo(dir)), 2);
  });
});
