import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocatedError } from '../common/diagnostic.js';
import { packagePath } from '../common/project-root.js';
import { bundledCardsDir, listBundledCards, loadCardFixture } from './card-fixture-loader.js';
import { CardFixtureError } from './errors.js';

const NINE = [
  'cup-credit',
  'cup-debit',
  'damaged-chip',
  'ec-debit',
  'expired',
  'foreign-aid',
  'magstripe-only',
  'phone-wallet',
  'pin-blocked',
];

function luhnOk(pan: string): boolean {
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = Number(pan[pan.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe('cards/card-fixture-loader', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-cards-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bundles the nine agreed cards, each valid, Luhn-correct, with test keys and the schema line', () => {
    assert.deepEqual(listBundledCards(), NINE);
    for (const name of NINE) {
      const file = join(bundledCardsDir(), `${name}.yaml`);
      const text = readFileSync(file, 'utf8');
      assert.equal(
        text.split('\n')[0],
        '# yaml-language-server: $schema=../../harness/cards/card.schema.json',
        name,
      );
      assert.match(text, /test key/i, `${name} says its keys are test keys`);
      const f = loadCardFixture(name);
      assert.equal(f.name, name);
      assert.ok(luhnOk(f.pan), `${name} PAN passes Luhn`);
      assert.match(f.keys.imkAc, /^[0-9A-F]{32}$/);
      for (const field of ['psn', 'expiry', 'serviceCode', 'pin'] as const)
        assert.equal(typeof f[field], 'string');
      assert.equal(typeof f.pinTryLimit, 'number');
    }
  });

  it('resolves extends: the child overrides, the rest comes from the parent', () => {
    const f = loadCardFixture('expired');
    assert.equal(f.expiry, '2012');
    assert.equal(f.pan, '6214835000000000051');
    assert.equal(f.applications[0]?.aid, 'A000000333010101');
    assert.equal(f.keys.imkAc, '0123456789ABCDEFFEDCBA9876543210');
    assert.equal(f.extends, undefined);
    assert.equal(loadCardFixture('pin-blocked').pinTriesLeft, 0);
    assert.equal(loadCardFixture('damaged-chip').faults?.mute, true);
  });

  it('loads a path relative to cwd, extending a bundled card by name', () => {
    writeFileSync(join(dir, 'mine.yaml'), 'name: mine\nextends: cup-debit\npin: "0000"\n');
    const f = loadCardFixture('mine.yaml', { cwd: dir });
    assert.equal(f.pin, '0000');
    assert.equal(f.pan, '6222021000000000017');
  });

  it('reports schema problems with file, line and column', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nextends: cup-debit\npsn: 1\nexpiry: "3013"\n');
    assert.throws(
      () => loadCardFixture('bad.yaml', { cwd: dir }),
      (e: unknown) =>
        e instanceof LocatedError && /bad\.yaml:3:\d+/.test(e.message) && /bad\.yaml:4:\d+/.test(e.message),
    );
  });

  it('refuses extends cycles and unknown cards', () => {
    writeFileSync(join(dir, 'a.yaml'), 'name: a\nextends: b\n');
    writeFileSync(join(dir, 'b.yaml'), 'name: b\nextends: a\n');
    assert.throws(
      () => loadCardFixture('a.yaml', { cwd: dir }),
      (e: unknown) => e instanceof CardFixtureError && /cycle/.test(e.message),
    );
    assert.throws(
      () => loadCardFixture('no-such-card'),
      (e: unknown) => e instanceof CardFixtureError && /cards: cup-credit/.test(e.message),
    );
    writeFileSync(join(dir, 'partial.yaml'), 'name: partial\n');
    assert.throws(() => loadCardFixture('partial.yaml', { cwd: dir }), LocatedError);
  });

  it('hands out fresh copies and never writes the fixture file', () => {
    const file = packagePath('fixtures', 'cards', 'cup-debit.yaml');
    const before = statSync(file).mtimeMs;
    const a = loadCardFixture('cup-debit');
    a.pin = '9999';
    assert.equal(loadCardFixture('cup-debit').pin, '123456');
    assert.equal(statSync(file).mtimeMs, before);
  });
});
