import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PACK_FIXTURES_ENV,
  bundledFixturesDir,
  findFixture,
  findPackFixtures,
  fixtureNames,
  packFixtureDirs,
  shadowWarning,
  shadowedFixtures,
  usePackFixtures,
} from './fixture-search.js';
import { packageRoot } from './project-root.js';

describe('common/fixture-search', () => {
  let dir: string;
  let pack: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-pack-'));
    pack = join(dir, 'fixtures');
    mkdirSync(join(pack, 'terminals'), { recursive: true });
    mkdirSync(join(pack, 'cards'), { recursive: true });
    mkdirSync(join(dir, 'scenarios', 'deep'), { recursive: true });
    writeFileSync(join(pack, 'terminals', 'lab-pos.yaml'), 'name: lab-pos\nextends: cup-pos\n');
    writeFileSync(join(pack, 'cards', 'cup-debit.yaml'), 'extends: ../../x.yaml\n');
    writeFileSync(join(dir, 'package.json'), '{}');
  });
  after(() => {
    usePackFixtures([]);
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => usePackFixtures([]));

  it('finds bundled fixtures when no pack is set, and a pack fixture before a bundled one', () => {
    usePackFixtures([]);
    assert.equal(findFixture('terminals', 'lab-pos'), undefined);
    assert.equal(findFixture('cards', 'cup-debit'), join(bundledFixturesDir(), 'cards', 'cup-debit.yaml'));
    usePackFixtures([pack]);
    assert.equal(findFixture('terminals', 'lab-pos'), join(pack, 'terminals', 'lab-pos.yaml'));
    assert.equal(findFixture('cards', 'cup-debit'), join(pack, 'cards', 'cup-debit.yaml'));
    assert.ok(fixtureNames('terminals').includes('lab-pos'));
    assert.ok(fixtureNames('terminals').includes('cup-pos'));
  });

  it('never takes a name for a path', () => {
    usePackFixtures([pack]);
    for (const bad of ['../fixtures/cards/cup-debit', '/etc/passwd', 'cup-debit.yaml', '.hidden', 'a\\b', ''])
      assert.equal(findFixture('cards', bad), undefined, bad);
  });

  it('passes the pack to child processes through the environment', () => {
    usePackFixtures([pack]);
    assert.equal(process.env[PACK_FIXTURES_ENV], pack);
    usePackFixtures([]);
    assert.equal(process.env[PACK_FIXTURES_ENV], undefined);
    assert.deepEqual(packFixtureDirs(), []);
  });

  it('drops the bundled folder from the pack (payhil run inside its own repository)', () => {
    usePackFixtures([bundledFixturesDir()]);
    assert.deepEqual(packFixtureDirs(), []);
    assert.deepEqual(shadowedFixtures(), []);
  });

  it('lists each shadowing fixture once, naming both files', () => {
    usePackFixtures([pack, pack]);
    const s = shadowedFixtures();
    assert.deepEqual(
      s.map((x) => `${x.kind}/${x.name}`),
      ['cards/cup-debit'],
    );
    const w = shadowWarning(s[0] as (typeof s)[0]);
    assert.match(w, /^warning: /);
    assert.ok(w.includes(join(pack, 'cards', 'cup-debit.yaml')), w);
    assert.ok(w.includes(join(bundledFixturesDir(), 'cards', 'cup-debit.yaml')), w);
  });

  it('finds the pack from a scenario file or folder below it, and none in payhil itself', () => {
    assert.equal(findPackFixtures(join(dir, 'scenarios', 'deep', 'x.yaml')), pack);
    assert.equal(findPackFixtures(join(dir, 'scenarios')), pack);
    assert.equal(findPackFixtures(dir), pack);
    assert.equal(findPackFixtures(join(packageRoot(), 'scenarios', 'purchase')), undefined);
  });

  it('stops at the nearest package.json without fixtures', () => {
    const inner = join(dir, 'scenarios', 'deep');
    writeFileSync(join(inner, 'package.json'), '{}');
    try {
      assert.equal(findPackFixtures(join(inner, 'x.yaml')), undefined);
    } finally {
      rmSync(join(inner, 'package.json'));
    }
  });
});
