import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findYamlFiles } from './find-files.js';
import { writeBenchCorpus } from './validate-bench-corpus.js';
import { validateFiles } from './validate-files.js';
import { validateFilesParallel } from './validate-parallel.js';

describe('scenario/validate-parallel', () => {
  let root: string;
  let files: string[];
  const file = (i: number) => join(root, 'scenarios', `group-${Math.floor(i / 100)}`, `scenario-${i}.yaml`);
  // Small batches and a low threshold so that a small corpus spreads over both threads.
  const spread = { workers: 1, threshold: 10, batchSize: 7 };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'payhil-parallel-'));
    writeBenchCorpus(root, 120);
    // Problems of every kind that stay inside one file: schema, unknown card, undefined variable, YAML
    // syntax, a missing schema line (warning).
    const edit = (i: number, from: string | RegExp, to: string) =>
      writeFileSync(file(i), readFileSync(file(i), 'utf8').replace(from, to));
    edit(3, 'severity:', 'severty:');
    edit(17, '- insert: { card: card }', '- insert: { card: crad }');
    edit(40, "'${pin}'", "'${pim}'");
    edit(66, 'steps:', 'steps: [');
    edit(101, /^# yaml-language-server.*\n/, '');
    files = findYamlFiles([join(root, 'scenarios')]).files;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('gives exactly the report of validateFiles, in the same order, with errors and warnings', async () => {
    const one = validateFiles(files, { root });
    assert.ok(one.diagnostics.filter((d) => d.severity === 'error').length >= 4);
    assert.ok(one.diagnostics.some((d) => d.severity === 'warning'));
    assert.ok(one.scenarios.length > 200);
    assert.deepEqual(await validateFilesParallel(files, { root }, spread), one);
    // Below the threshold or without workers: the main thread alone, same report.
    assert.deepEqual(await validateFilesParallel(files, { root }, { workers: 0 }), one);
  });

  it('falls back to one loader when batches interact: an id twice, a broken included steps file', async () => {
    const dup = (text: string) =>
      text.replace('title:', 'id: same-id\ntitle:').replace(/amount: \[.*\]/, "amount: ['1.00', 2]");
    const twice = new Map<string, string>([
      [file(2), dup(readFileSync(file(2), 'utf8'))],
      [file(110), dup(readFileSync(file(110), 'utf8'))],
    ]);
    const broken = new Map([
      [join(root, 'scenarios', 'common', 'sign-in.steps.yaml'), 'steps:\n  - signIn: {\n'],
    ]);
    for (const [sources, expected] of [
      [twice, "duplicate scenario id 'same-id"],
      [broken, 'has errors (reported there)'],
    ] as const) {
      const one = validateFiles(files, { root, sources });
      assert.ok(
        one.diagnostics.some((d) => d.message.includes(expected)),
        expected,
      );
      assert.deepEqual(await validateFilesParallel(files, { root, sources }, spread), one);
    }
  });
});
