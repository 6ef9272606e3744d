import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_YAML_BYTES,
  MAX_YAML_DEPTH,
  parseYamlText,
  parseYamlTextFull,
  readYamlFile,
} from './yaml-file.js';

describe('common/yaml-file', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'payhil-yaml-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses documents and locates values and keys by path (1-based)', () => {
    const { docs, diagnostics } = parseYamlText('a: 1\nb:\n  - x\n  - {c: 2}\nd:\n', 'f.yaml');
    assert.deepEqual(diagnostics, []);
    const [doc] = docs;
    assert.ok(doc);
    assert.deepEqual(doc.value, { a: 1, b: ['x', { c: 2 }], d: null });
    assert.deepEqual(doc.locate(['b', 1, 'c']), { file: 'f.yaml', line: 4, col: 9 });
    assert.deepEqual(doc.locateKey(['b', 1, 'c']), { file: 'f.yaml', line: 4, col: 6 });
    assert.deepEqual(doc.locate(['b', '0']), { file: 'f.yaml', line: 3, col: 5 });
    // a key with no value points at the key; a missing path at the deepest node that exists
    assert.deepEqual(doc.locate(['d']), { file: 'f.yaml', line: 5, col: 1 });
    assert.deepEqual(doc.locate(['b', 7]), { file: 'f.yaml', line: 3, col: 3 });
    assert.equal(doc.span(['b', 1]).source, '{c: 2}');
  });

  it('splits multi-document streams and keeps their own positions', () => {
    const { docs } = parseYamlText('---\na: 1\n---\nb: 2\n', 'f.yaml');
    assert.deepEqual(
      docs.map((d) => [d.index, d.value, d.locate([]).line]),
      [
        [0, { a: 1 }, 2],
        [1, { b: 2 }, 4],
      ],
    );
  });

  it('reports syntax errors and duplicate keys with their line', () => {
    const dup = parseYamlText('a: 1\na: 2\n', 'f.yaml');
    assert.equal(dup.docs.length, 0);
    assert.equal(dup.diagnostics[0]?.line, 2);
    assert.match(dup.diagnostics[0]?.message ?? '', /duplicate key/);
    const bad = parseYamlText('a: [1, 2\nb: 3\n', 'f.yaml');
    assert.equal(bad.docs.length, 0);
    assert.match(bad.diagnostics[0]?.message ?? '', /^YAML syntax/);
    assert.equal(bad.diagnostics[0]?.sourceLine !== undefined, true);
  });

  it('refuses custom tags that would construct objects, and points at the tag', () => {
    const r = parseYamlText(
      'a: !!python/object:os.system x\nb: !!js/function "f(){}"\nc: !!str 4\n',
      'f.yaml',
    );
    assert.equal(r.docs.length, 0);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.line, d.col]),
      [
        [1, 4],
        [2, 4],
      ],
    );
    assert.match(r.diagnostics[0]?.message ?? '', /tag '!!python\/object:os\.system' is refused/);
    assert.deepEqual(parseYamlText('c: !!str 4\n', 'f.yaml').docs[0]?.value, { c: '4' });
  });

  it('refuses billion-laughs style alias expansion', () => {
    const lol = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n');
    const r = parseYamlText(lol, 'lol.yaml');
    assert.equal(r.docs.length, 0);
    assert.match(r.diagnostics[0]?.message ?? '', /too many alias expansions.*billion-laughs/);
    // a few ordinary aliases are fine
    assert.deepEqual(parseYamlText('a: &x 1\nb: *x\n', 'f.yaml').docs[0]?.value, { a: 1, b: 1 });
  });

  it('refuses nesting deeper than MAX_YAML_DEPTH with a located error, never a stack overflow', () => {
    const n = 20_000;
    const cases: [string, string, number, number][] = [
      ['flow lists', `id: x\nsteps: ${'['.repeat(n)}${']'.repeat(n)}\n`, 2, 8 + MAX_YAML_DEPTH - 1],
      ['flow maps', `x: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`, 1, 4 + 4 * (MAX_YAML_DEPTH - 1)],
      ['compact block lists', `${'- '.repeat(n)}1\n`, 1, 1 + 2 * MAX_YAML_DEPTH],
    ];
    for (const [what, text, line, col] of cases) {
      const file = join(dir, 'deep.yaml');
      writeFileSync(file, text);
      const { docs, diagnostics } = readYamlFile(file);
      assert.deepEqual(docs, [], what);
      assert.equal(diagnostics.length, 1, what);
      const d = diagnostics[0];
      assert.deepEqual(
        [d?.file, d?.line, d?.col],
        [file, line, col],
        `${what}: ${d?.line}:${d?.col} ${d?.message}`,
      );
      assert.match(d?.message ?? '', new RegExp(`nesting deeper than ${MAX_YAML_DEPTH} levels`), what);
      assert.doesNotMatch(d?.message ?? '', /call stack/i, what);
    }
  });

  it('reads nesting of exactly MAX_YAML_DEPTH levels, on both paths', () => {
    const flow = `${'['.repeat(MAX_YAML_DEPTH)}1${']'.repeat(MAX_YAML_DEPTH)}\n`;
    let block = '';
    for (let i = 0; i < MAX_YAML_DEPTH; i++) block += `${' '.repeat(i)}k:\n`;
    block = block.replace(/k:\n$/, 'k: 1\n');
    for (const text of [flow, block]) {
      const fast = parseYamlText(text, 'ok.yaml');
      const full = parseYamlTextFull(text, 'ok.yaml');
      assert.deepEqual(fast.diagnostics, []);
      assert.deepEqual(full.diagnostics, []);
      assert.deepEqual(fast.docs[0]?.value, full.docs[0]?.value);
    }
    const deeper = parseYamlText(`x: ${flow}`, 'deep.yaml');
    assert.match(deeper.diagnostics[0]?.message ?? '', /nesting deeper/);
  });

  it('refuses files over 1 MiB, from text and from disk without reading them whole', () => {
    const big = 'a: "' + 'x'.repeat(MAX_YAML_BYTES) + '"\n';
    assert.match(
      parseYamlText(big, 'big.yaml').diagnostics[0]?.message ?? '',
      /over 1048576 bytes \(1 MiB\) are refused/,
    );
    const file = join(dir, 'big.yaml');
    writeFileSync(file, big);
    const r = readYamlFile(file);
    assert.equal(r.docs.length, 0);
    assert.match(r.diagnostics[0]?.message ?? '', /refused/);
  });

  it('reads files (BOM stripped) and turns unreadable ones into a diagnostic', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, '\uFEFFa: 1\n');
    assert.deepEqual(readYamlFile(file).docs[0]?.value, { a: 1 });
    const missing = readYamlFile(join(dir, 'nope.yaml'));
    assert.match(missing.diagnostics[0]?.message ?? '', /cannot read file: no such file/);
    assert.match(readYamlFile(dir).diagnostics[0]?.message ?? '', /is a directory/);
  });
});
