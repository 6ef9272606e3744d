import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../common/project-root.js';
import { findYamlFiles } from './find-files.js';
import { validateFiles } from './validate-files.js';
import { seededRandom as prng } from '../common/seeded-random.js';

const SCALARS = [
  '42',
  'true',
  'null',
  '[]',
  '{}',
  '"text"',
  '-1.5',
  '~',
  '0x1F',
  "'${nope}'",
  '/re/',
  '[a, b]',
];
const NOISE = [
  ':',
  '{',
  '}',
  '[',
  ']',
  '-',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  '\t',
  ',',
];

type Mutation = (lines: string[], text: string, rnd: () => number) => string;
const pick = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)] as T;
const at = (lines: string[], rnd: () => number) => Math.floor(rnd() * lines.length);

const mutations: Record<string, Mutation> = {
  deleteLine: (lines, _t, rnd) => lines.filter((_, i) => i !== at(lines, rnd)).join('\n'),
  duplicateLine: (lines, _t, rnd) => {
    const i = at(lines, rnd);
    return [...lines.slice(0, i + 1), lines[i] ?? '', ...lines.slice(i + 1)].join('\n');
  },
  reindent: (lines, _t, rnd) => {
    const i = at(lines, rnd);
    const line = lines[i] ?? '';
    const shift = pick([-2, -1, 1, 2, 4], rnd);
    lines[i] = shift > 0 ? ' '.repeat(shift) + line : line.replace(new RegExp(`^ {0,${-shift}}`), '');
    return lines.join('\n');
  },
  swapScalar: (lines, _t, rnd) => {
    const candidates = lines.map((l, i) => (/:\s+\S/.test(l) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length === 0) return lines.join('\n');
    const i = pick(candidates, rnd);
    lines[i] = (lines[i] ?? '').replace(/:\s+\S.*$/, `: ${pick(SCALARS, rnd)}`);
    return lines.join('\n');
  },
  truncate: (_l, text, rnd) => text.slice(0, Math.floor(rnd() * text.length)),
  swapLines: (lines, _t, rnd) => {
    const i = at(lines, rnd);
    if (i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1] as string, lines[i] as string];
    return lines.join('\n');
  },
  insertNoise: (_l, text, rnd) => {
    const i = Math.floor(rnd() * text.length);
    return text.slice(0, i) + pick(NOISE, rnd) + text.slice(i);
  },
  misspellKey: (lines, _t, rnd) => {
    const candidates = lines.map((l, i) => (/^\s*-?\s*[A-Za-z]{3,}:/.test(l) ? i : -1)).filter((i) => i >= 0);
    if (candidates.length === 0) return lines.join('\n');
    const i = pick(candidates, rnd);
    lines[i] = (lines[i] ?? '').replace(/([A-Za-z])([A-Za-z]+):/, '$2:');
    return lines.join('\n');
  },
};

describe('scenario/fuzz: 2,000 mutations of the bundled scenarios', () => {
  const root = packageRoot();

  it('every mutation either validates or yields at least one located error; nothing throws', function () {
    this.timeout(120_000);
    const { files } = findYamlFiles([join(root, 'scenarios')]);
    const originals = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
    const rnd = prng(0x5eed2026);
    const names = Object.keys(mutations);
    const counts = { valid: 0, invalid: 0 };
    for (let n = 0; n < 2000; n++) {
      const file = pick(files, rnd);
      const original = originals.get(file) as string;
      const kind = pick(names, rnd);
      const mutated = (mutations[kind] as Mutation)(original.split('\n'), original, rnd);
      const replay = `mutation #${n} (${kind}) of ${relative(root, file)}:\n${mutated}`;
      let report;
      try {
        // The mutated text is handed over in memory: nothing on disk changes.
        report = validateFiles([file], { root, sources: new Map([[file, mutated]]) });
      } catch (e) {
        assert.fail(`${replay}\nthrew: ${(e as Error).stack}`);
      }
      const errors = report.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length === 0) {
        counts.valid++;
        continue;
      }
      counts.invalid++;
      const lineCount = mutated.split('\n').length;
      for (const d of errors) {
        const ok =
          typeof d.file === 'string' &&
          d.file.length > 0 &&
          Number.isInteger(d.line) &&
          Number.isInteger(d.col) &&
          d.line >= 1 &&
          d.col >= 1 &&
          (d.file !== relative(root, file) || d.line <= lineCount + 1) &&
          d.message.length > 0;
        assert.ok(ok, `${replay}\nbadly located: ${JSON.stringify(d)}`);
      }
    }
    // The mix must exercise both outcomes, or the test proves little.
    assert.ok(counts.valid > 50 && counts.invalid > 1000, JSON.stringify(counts));
  });
});
