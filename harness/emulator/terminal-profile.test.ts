import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocatedError } from '../common/diagnostic.js';
import { UnknownDefectError } from './errors.js';
import {
  listBundledTerminals,
  loadTerminalProfile,
  parseAmount,
  parseDuration,
  terminalSchemaPath,
} from './terminal-profile.js';

describe('terminal profiles', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-emu-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every bundled profile loads and validates', () => {
    const names = listBundledTerminals();
    for (const want of ['cup-pos', 'cup-atm', 'iso87-pos', 'cup-pos-ci', 'cup-atm-ci'])
      assert.ok(names.includes(want), want);
    for (const n of names) {
      const p = loadTerminalProfile(n);
      assert.equal(p.name, n);
      assert.match(p.tmk, /^[0-9A-F]{32}$/);
    }
  });

  it('resolves units and defaults (cup-pos: minor units, ms)', () => {
    const p = loadTerminalProfile('cup-pos');
    assert.equal(p.kernel.contactlessCvmLimit, 100000);
    assert.equal(p.kernel.contactlessFloorLimit, 50000);
    assert.equal(p.timeouts.host, 30000);
    assert.equal(p.reversal.intervalMs, 5000);
    assert.equal(p.language, 'en');
    assert.equal(p.kind, 'pos');
  });

  it('a CI variant extends its base: identity inherited, timeouts short', () => {
    const p = loadTerminalProfile('cup-pos-ci');
    assert.equal(p.terminalId, '12345678');
    assert.equal(p.timeouts.host, 1000);
    assert.equal(p.reversal.intervalMs, 50);
    assert.equal(p.kernel.contactlessFloorLimit, 10000);
    assert.equal(p.kernel.aids.length, 3);
    assert.equal(loadTerminalProfile('iso87-pos').language, 'zh');
    assert.equal(loadTerminalProfile('cup-atm-ci').capabilities.fallback, false);
  });

  it('parses durations and amounts', () => {
    assert.equal(parseDuration('500ms', 0), 500);
    assert.equal(parseDuration('1.5s', 0), 1500);
    assert.equal(parseDuration('2m', 0), 120000);
    assert.equal(parseDuration(undefined, 7), 7);
    assert.equal(parseAmount('12.5', 2, 0), 1250);
    assert.equal(parseAmount(1000, 2, 0), 100000);
    assert.equal(parseAmount('0.01', 2, 0), 1);
  });

  it('device conditions and the menu: all ok / contactless shown by default, overridden from YAML', () => {
    const base = loadTerminalProfile('cup-pos');
    assert.deepEqual(base.devices, { reader: 'ok', contactless: 'ok', pinpad: 'ok', printer: 'ok' });
    assert.equal(base.menu.contactless, true);
    const legacy = join(dir, 'legacy.yaml');
    writeFileSync(
      legacy,
      `extends: cup-pos\nname: legacy\nmenu: { contactless: false }\ndevices: { contactless: weak, printer: fault }\n`,
    );
    const p = loadTerminalProfile(legacy);
    assert.equal(p.menu.contactless, false);
    assert.deepEqual(p.devices, { reader: 'ok', contactless: 'weak', pinpad: 'ok', printer: 'fault' });
    const weakPrinter = join(dir, 'weak-printer.yaml');
    writeFileSync(weakPrinter, `extends: cup-pos\nname: wp\ndevices: { printer: weak }\n`);
    assert.throws(
      () => loadTerminalProfile(weakPrinter),
      (e: unknown) => e instanceof LocatedError && /weak-printer\.yaml:3:/.test(e.message),
    );
  });

  it('reports a bad profile with its position, and unknown defects by name', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      `name: bad\nkind: kiosk\nterminalId: '1234'\nmerchantId: '123456789012345'\ntmk: '00'\n`,
    );
    assert.throws(
      () => loadTerminalProfile(bad),
      (e: unknown) => e instanceof LocatedError && /bad\.yaml:2:/.test(e.message),
    );
    const withDefect = join(dir, 'defect.yaml');
    writeFileSync(withDefect, `extends: cup-pos\nname: defect\ndefects: [skip-kcv-check]\n`);
    assert.deepEqual([...loadTerminalProfile(withDefect).defects], ['skip-kcv-check']);
    assert.deepEqual([...loadTerminalProfile(withDefect, { defects: ['no-arpc-check'] }).defects].sort(), [
      'no-arpc-check',
      'skip-kcv-check',
    ]);
    assert.throws(() => loadTerminalProfile('cup-pos', { defects: ['typo'] }), UnknownDefectError);
    assert.ok(terminalSchemaPath().endsWith('terminal.schema.json'));
  });
});
