import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocatedError } from '../common/diagnostic.js';
import { packagePath } from '../common/project-root.js';
import { BUNDLED_DIALECTS, compileDialect, loadDialect } from './dialect-loader.js';
import { DialectError } from './errors.js';
import { decodeMessage, encodeMessage } from './message-codec.js';
import type { DialectDefinition } from './dialect-types.js';

describe('iso8583/dialect-loader', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-dialect-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every bundled dialect, each once', () => {
    for (const name of BUNDLED_DIALECTS) {
      const d = loadDialect(name);
      assert.equal(d.name, name);
      assert.equal(loadDialect(name), d);
      const first = readFileSync(packagePath('fixtures', 'dialects', `${name}.yaml`), 'utf8').split('\n')[0];
      assert.equal(first, '# yaml-language-server: $schema=../../harness/iso8583/dialect.schema.json');
    }
    const cup = loadDialect('cup');
    assert.equal(cup.framing.tpduBytes, 5);
    assert.equal(cup.framing.headerBytes, 6);
    assert.equal(cup.fields[22]?.encoding, 'bcd-left');
    assert.equal(cup.fields[23]?.encoding, 'bcd-right');
    assert.equal(cup.fields[2]?.sensitive, 'pan');
    assert.deepEqual(
      cup.fields[60]?.subfields?.map((s) => [s.id, s.start, s.length]),
      [
        [1, 0, 2],
        [2, 2, 6],
        [3, 8, 3],
        [4, 11, 1],
        [5, 12, 1],
        [6, 13, 1],
        [7, 14, 3],
      ],
    );
  });

  it("loads a user's dialect from a file, no code needed", () => {
    const file = join(dir, 'acquirer.yaml');
    writeFileSync(
      file,
      [
        'name: acquirer-x',
        'framing: { length: { kind: ascii4 } }',
        'mti: ascii',
        'bitmap: { encoding: hex-ascii, secondary: false }',
        'defaults: { numeric: ascii, track: ascii, binary: hex-ascii, prefix: ascii }',
        'fields:',
        '  3: { name: Processing code, type: n, length: 6 }',
        '  48: { name: Private, type: ans, kind: LLLVAR, max: 40 }',
      ].join('\n'),
    );
    const d = loadDialect('acquirer.yaml', dir);
    assert.equal(d.name, 'acquirer-x');
    const body = encodeMessage(d, { mti: '0100', fields: { 3: '000000', 48: 'hello' } });
    assert.equal(body.toString('latin1'), '0100' + '2000000000010000' + '000000' + '005hello');
    assert.deepEqual(decodeMessage(d, body).fields, { 3: '000000', 48: 'hello' });
  });

  it('points at the line of a schema violation', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'name: bad',
        'framing: { length: { kind: u16be } }',
        'mti: bcd',
        'bitmap: { encoding: binary, secondary: false }',
        'defaults: { numeric: bcd-right, track: bcd-left, binary: binary, prefix: bcd }',
        'fields:',
        '  3: { name: Processing code, type: q, length: 6 }',
      ].join('\n'),
    );
    assert.throws(
      () => loadDialect(file),
      (e: unknown) => e instanceof LocatedError && e.diagnostics.some((d) => d.line === 7),
    );
  });

  it('refuses unknown names and inconsistent tables with a DialectError', () => {
    assert.throws(
      () => loadDialect('nope'),
      (e: unknown) => e instanceof DialectError && /dialects: cup/.test(e.message),
    );
    const base = loadDialect('cup').definition;
    const bad = (fields: DialectDefinition['fields']): unknown => compileDialect({ ...base, fields });
    assert.throws(
      () => bad({ 3: { name: 'x', type: 'an', length: 6, encoding: 'bcd-left' } }),
      /does not fit type an/,
    );
    assert.throws(
      () => bad({ 2: { name: 'x', type: 'n', kind: 'LLVAR', max: 120 } }),
      /LLVAR maximum is at most 99/,
    );
    assert.throws(() => bad({ 70: { name: 'x', type: 'n', length: 3 } }), /needs bitmap.secondary/);
    assert.throws(
      () => bad({ 39: { name: 'x', type: 'an', length: 2, content: 'tlv' } }),
      /content tlv needs type b/,
    );
    assert.throws(
      () =>
        bad({
          60: {
            name: 'x',
            type: 'n',
            kind: 'LLLVAR',
            max: 5,
            subfields: [{ id: 1, name: 'a', type: 'n', length: 6 }],
          },
        }),
      /subfields take 6 characters/,
    );
    assert.throws(
      () =>
        compileDialect({
          ...base,
          framing: { length: { kind: 'u16be' }, tpdu: { bytes: 5, default: '60' } },
        }),
      /tpdu.default has 1 bytes, expected 5/,
    );
  });
});
