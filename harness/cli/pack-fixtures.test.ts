import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { usePackFixtures } from '../common/fixture-search.js';
import { packagePath } from '../common/project-root.js';
import { memoryIo } from './command.js';
import { main } from './main.js';
import { runCommand } from './run-command.js';
import { validateCommand } from './validate-command.js';

const SCENARIO = `title: sign-in on the pack's own terminal profile
requires: [host]
bench:
  terminal: lab-pos
cards:
  card: lab-card
steps:
  - signIn:
  - expect: { host: { request: { mti: '0800' } }, within: 10s }
`;

describe("payhil validate and run: a scenario pack's fixtures", () => {
  let pack: string;
  beforeEach(() => {
    pack = mkdtempSync(join(tmpdir(), 'payhil-pack-cli-'));
    mkdirSync(join(pack, 'fixtures', 'terminals'), { recursive: true });
    mkdirSync(join(pack, 'fixtures', 'cards'), { recursive: true });
    mkdirSync(join(pack, 'scenarios'));
    writeFileSync(
      join(pack, 'fixtures', 'terminals', 'lab-pos.yaml'),
      'name: lab-pos\nextends: cup-pos-ci\n',
    );
    writeFileSync(join(pack, 'fixtures', 'cards', 'lab-card.yaml'), 'name: lab-card\nextends: cup-debit\n');
    writeFileSync(join(pack, 'scenarios', 'sign-in.yaml'), SCENARIO);
  });
  afterEach(() => {
    usePackFixtures([]);
    rmSync(pack, { recursive: true, force: true });
  });

  it("validate accepts and run finds the pack's terminal profile and card (run used to report it missing)", async () => {
    const v = memoryIo(pack);
    assert.equal(await validateCommand.run(['-q'], v), 0, v.stdout.join('\n'));
    const r = memoryIo(pack);
    const code = await runCommand.run(['--no-history'], r);
    assert.equal(code, 0, [...r.stdout, ...r.stderr].join('\n'));
    assert.match(r.stdout.join('\n'), /PASS .*sign-in/);
  });

  it('validate rejects a profile the pack does not have, as run would', async () => {
    writeFileSync(join(pack, 'scenarios', 'sign-in.yaml'), SCENARIO.replace('lab-pos', 'lab-atm'));
    const v = memoryIo(pack);
    assert.equal(await validateCommand.run(['-q'], v), 1);
    assert.match(v.stdout.join('\n'), /unknown terminal profile 'lab-atm'/);
  });

  it('a pack fixture shadowing a bundled one is used, with one warning naming both files', async () => {
    // The pack's cup-pos-ci is invalid: validate and run must both read it, not the bundled one.
    const bundled = readFileSync(packagePath('fixtures', 'terminals', 'cup-pos-ci.yaml'), 'utf8');
    writeFileSync(
      join(pack, 'fixtures', 'terminals', 'cup-pos-ci.yaml'),
      bundled.replace(/name: cup-pos-ci/, 'name: cup-pos-ci\nbogusKey: 1'),
    );
    const v = memoryIo(pack);
    assert.equal(await validateCommand.run(['-q'], v), 1, "the pack's (invalid) profile is the one checked");
    const warnings = v.stderr.filter((l) => /shadows/.test(l));
    assert.equal(warnings.length, 1, v.stderr.join('\n'));
    assert.ok(warnings[0]?.includes(join(pack, 'fixtures', 'terminals', 'cup-pos-ci.yaml')));
    assert.ok(warnings[0]?.includes(packagePath('fixtures', 'terminals', 'cup-pos-ci.yaml')));
    const r = memoryIo(pack);
    assert.notEqual(
      await main(['run', '--no-history'], r),
      0,
      "lab-pos extends the pack's invalid cup-pos-ci",
    );
    assert.match([...r.stdout, ...r.stderr].join('\n'), /bogusKey/);
    assert.equal(r.stderr.filter((l) => /shadows/.test(l)).length, 1);
  });

  it("--fixtures DIR names the pack's fixtures explicitly; a missing folder is a usage error", async () => {
    const shared = join(pack, 'shared-fixtures');
    mkdirSync(join(shared, 'terminals'), { recursive: true });
    mkdirSync(join(shared, 'cards'), { recursive: true });
    writeFileSync(join(shared, 'terminals', 'lab-pos.yaml'), 'name: lab-pos\nextends: cup-pos-ci\n');
    writeFileSync(join(shared, 'cards', 'lab-card.yaml'), 'name: lab-card\nextends: cup-debit\n');
    rmSync(join(pack, 'fixtures'), { recursive: true });
    const without = memoryIo(pack);
    assert.equal(await main(['validate', '-q', 'scenarios'], without), 1, 'no pack found: lab-pos unknown');
    const v = memoryIo(pack);
    assert.equal(
      await main(['validate', '-q', '--fixtures', 'shared-fixtures', 'scenarios'], v),
      0,
      v.stdout.join('\n'),
    );
    const r = memoryIo(pack);
    assert.equal(
      await main(['run', '--no-history', '--fixtures', 'shared-fixtures'], r),
      0,
      [...r.stdout, ...r.stderr].join('\n'),
    );
    const bad = memoryIo(pack);
    assert.equal(await main(['run', '--fixtures', 'nope'], bad), 2);
    assert.match(bad.stderr.join('\n'), /--fixtures nope: no such folder/);
  });

  it('the agent takes the pack from --fixtures, checked before anything else', async () => {
    const bad = memoryIo(pack);
    const inventory = packagePath('fixtures', 'inventories', 'local.yaml');
    const code = await main(
      ['agent', '--queue', 'redis://127.0.0.1:1', '--lab', inventory, '--fixtures', 'nope'],
      bad,
    );
    assert.equal(code, 2);
    assert.match(bad.stderr.join('\n'), /agent: --fixtures nope: no such folder/);
  });
});
