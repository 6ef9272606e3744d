import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './project-root.js';
import { fastParseYaml } from './yaml-fast-path.js';
import { MAX_YAML_DEPTH, parseYamlText, parseYamlTextFull, type YamlPath } from './yaml-file.js';
import { seededRandom as prng } from './seeded-random.js';

/** Every key path in a value (map keys and list indexes), depth first. */
function paths(value: unknown, at: YamlPath = [], out: YamlPath[] = []): YamlPath[] {
  if (Array.isArray(value))
    value.forEach((v, i) => {
      out.push([...at, i]);
      paths(v, [...at, i], out);
    });
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push([...at, k]);
      paths(v, [...at, k], out);
    }
  return out;
}

/**
 * When the fast path accepts `text`, it must agree with yaml in everything the loader can observe: no
 * diagnostics, the same documents with the same values (key order and prototypes included) and the same
 * positions. Returns whether the fast path took the text.
 */
function agrees(text: string, what: string): boolean {
  const fast = fastParseYaml(text, MAX_YAML_DEPTH);
  if (!fast) return false;
  const full = parseYamlTextFull(text, 'f.yaml');
  const viaFast = parseYamlText(text, 'f.yaml');
  assert.deepEqual(full.diagnostics, [], `${what}: fast path accepted text yaml refuses:\n${text}`);
  assert.equal(viaFast.docs.length, full.docs.length, `${what}: document count\n${text}`);
  full.docs.forEach((doc, i) => {
    const mine = viaFast.docs[i]!;
    assert.equal(mine.index, doc.index, what);
    assert.deepStrictEqual(mine.value, doc.value, `${what}: values differ\n${text}`);
    assert.equal(JSON.stringify(mine.value), JSON.stringify(doc.value), `${what}: key order\n${text}`);
    assert.deepEqual(mine.locate([]), doc.locate([]), `${what}: document start\n${text}`);
    for (const p of paths(doc.value)) {
      assert.deepEqual(mine.locateKey(p), doc.locateKey(p), `${what}: key of ${JSON.stringify(p)}\n${text}`);
    }
  });
  return true;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

describe('common/yaml-fast-path', () => {
  it('reads the plain subset exactly as yaml does (scalars of the core schema, quoting, nesting)', () => {
    const accepted = [
      'a: 1\nb: [1, 2.50, -3, +4, 0x1F, 0o17, .inf, -.inf, .NaN, 1e3, 2.5E-2, ~, null, Null, true, False, TRUE, yes, 0123, 1_000, .5, 5.]\n',
      '# yaml-language-server: $schema=x.json\nid: x\ntitle: \'It\'\'s "quoted"\'\nd: "tab\\tnl\\n\\u00e9 \\\\ \\/"\n',
      "steps:\n  - purchase: { amount: \"12.50\", currency: CNY }\n  - remove:\n  - network: clear\nfinally:\n- expect:\n    within: 30s\n    host: { request: { mti: '0200', '39': { oneOf: ['00', '51'] } } }\n",
      'a:\n  b:\n    c: x # comment\n    d: a#b  \n  # between\n  e: [ ]\nf: {}\n',
      '# leading\n---\na: 1\n---\nb: [x, {y: z}]\n',
      'a: 1\n---\n- x\n-   k: 1\n    l: 2\n-\n  m: 3\n- \n',
      'a: http//x [1] {2}, 3\nb: -5\nc: ".inf"\nd: {k: , l: v}\n"e f": 1\nconstructor: 2\ntoString: [3]\n',
      "receipt: /VOID/i\nre: { '22': '/^05/' }\ntitle: Generated scenario 1 (${amount})\n",
    ];
    for (const text of accepted) assert.ok(agrees(text, 'case'), `the fast path should take:\n${text}`);
  });

  it('gives up on what it does not read exactly: anchors, tags, block scalars, errors, odd keys', () => {
    const refused = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: !custom 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: b: c\n',
      'a: 1\na: 2\n',
      'a: [1, 2\n',
      'a: "x\n  y"\n',
      'a: x\n  y\n',
      '1: one\n',
      'true: yes\n',
      '? a\n: b\n',
      'a:\tb\n',
      'a: b\r\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n',
      '',
      '# only a comment\n',
      'a: 1\n---\n',
      'a: [x, y,]\n',
      "a: 'x'y\n",
      'a: {b}\n',
      'a: [b: c]\n',
      '- - x\n',
      'just a scalar\n',
      '__proto__: 1\n',
      'a: x\n b: y\n',
      'a: ${var}\nb: { c: ${var} }\n',
      'a: "\\x41"\n',
    ];
    for (const text of refused) {
      assert.equal(
        fastParseYaml(text, MAX_YAML_DEPTH),
        undefined,
        `the fast path should give up on:\n${text}`,
      );
      const summary = (r: ReturnType<typeof parseYamlText>) => ({
        diagnostics: r.diagnostics,
        docs: r.docs.map((d) => [d.index, d.value, d.locate([])]),
      });
      assert.deepEqual(summary(parseYamlText(text, 'f.yaml')), summary(parseYamlTextFull(text, 'f.yaml')));
    }
  });

  it('takes most bundled scenarios and fixtures, and agrees with yaml on all of them', () => {
    const files = [
      ...yamlFiles(join(packageRoot(), 'scenarios')),
      ...yamlFiles(join(packageRoot(), 'fixtures')),
    ];
    const taken = files.filter((f) => agrees(readFileSync(f, 'utf8'), f));
    // Files with block scalars (`description: >`) go to the yaml library by design; the rest is plain.
    assert.ok(taken.length >= files.length * 0.5, `${taken.length} of ${files.length}`);
  });

  it('agrees with yaml on 2,000 mutations of the bundled scenarios whenever it takes one', function () {
    this.timeout(60_000);
    const files = yamlFiles(join(packageRoot(), 'scenarios'));
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    const rnd = prng(0xfa57);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
    const chars = [...' :#\'"-{}[],\\0.ex~!&*|>?%@\t\r\n', 'a', '1', '  ', '- ', ': ', ' #', '---\n'];
    let taken = 0;
    for (let n = 0; n < 2000; n++) {
      const text = pick(texts);
      const lines = text.split('\n');
      const i = Math.floor(rnd() * lines.length);
      let mutated: string;
      switch (n % 6) {
        case 0: // insert a character
        case 1: {
          const at = Math.floor(rnd() * text.length);
          mutated = text.slice(0, at) + pick(chars) + text.slice(at);
          break;
        }
        case 2: {
          // delete a character
          const at = Math.floor(rnd() * text.length);
          mutated = text.slice(0, at) + text.slice(at + 1);
          break;
        }
        case 3: // re-indent a line
          lines[i] = rnd() < 0.5 ? ' ' + (lines[i] ?? '') : (lines[i] ?? '').replace(/^ /, '');
          mutated = lines.join('\n');
          break;
        case 4: // swap a scalar
          lines[i] = (lines[i] ?? '').replace(
            /: \S.*$/,
            `: ${pick(['42', '-0', '0o8', '1.50', "'a''b'", '"\\u0041"', '[a, {b: c}]', '{}', 'x: y', '~', 'a #c', 'True'])}`,
          );
          mutated = lines.join('\n');
          break;
        default: // duplicate or delete a line
          mutated = (
            rnd() < 0.5 ? [...lines.slice(0, i + 1), ...lines.slice(i)] : lines.filter((_, k) => k !== i)
          ).join('\n');
      }
      if (agrees(mutated, `mutation #${n}`)) taken++;
    }
    // Both outcomes must be exercised, or the comparison proves little.
    assert.ok(taken > 600 && taken < 2000, `fast path took ${taken} of 2000`);
  });
});
