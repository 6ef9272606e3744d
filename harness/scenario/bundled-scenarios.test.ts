import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MATCHER_OPERATORS, looksLikeRegex } from '../common/matcher.js';
import { packagePath, packageRoot } from '../common/project-root.js';
import { findYamlFiles } from './find-files.js';
import { validateFiles } from './validate-files.js';

const scenario = JSON.parse(
  readFileSync(packagePath('harness', 'scenario', 'scenario.schema.json'), 'utf8'),
) as {
  definitions: {
    step: { properties: Record<string, unknown> };
    networkFault: { properties: { toxic: { enum: string[] } } };
    expectation: { properties: Record<string, unknown> };
  };
};

describe('scenario/bundled scenarios and fixtures', () => {
  let files: string[] = [];
  let report: ReturnType<typeof validateFiles>;
  let docs: unknown[] = [];
  before(function () {
    this.timeout(60_000);
    files = findYamlFiles([packagePath('scenarios'), packagePath('fixtures')]).files;
    report = validateFiles(files, { root: packageRoot() });
    docs = files
      .filter((f) => f.includes('/scenarios/'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split(/^---$/m)
          .map((t) => parse(t) as unknown),
      );
  });

  it('all validate, without a warning, and there are at least 12 of them', () => {
    assert.deepEqual(
      report.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`),
      [],
    );
    assert.ok(report.scenarios.length >= 12, `${report.scenarios.length} scenarios`);
    for (const f of files) {
      assert.match(readFileSync(f, 'utf8'), /^# yaml-language-server: \$schema=\S+\.schema\.json\n/, f);
    }
  });

  function collect(value: unknown, visit: (key: string, v: unknown) => void): void {
    if (Array.isArray(value)) value.forEach((v, i) => (visit(String(i), v), collect(v, visit)));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        visit(k, v);
        collect(v, visit);
      }
    }
  }

  it('together use every action, every expectation kind, every toxic and every matcher', () => {
    const keys = new Set<string>();
    const toxics = new Set<string>();
    const strings: string[] = [];
    for (const d of docs) {
      collect(d, (k, v) => {
        keys.add(k);
        if (k === 'toxic' && typeof v === 'string') toxics.add(v);
        if (typeof v === 'string') strings.push(v);
      });
    }
    const missing = (list: string[], have: Set<string>) => list.filter((x) => !have.has(x));
    assert.deepEqual(missing(Object.keys(scenario.definitions.step.properties), keys), [], 'actions');
    assert.deepEqual(
      missing(Object.keys(scenario.definitions.expectation.properties), keys),
      [],
      'expectations',
    );
    const named = new Set([...toxics, ...strings]);
    assert.deepEqual(missing(scenario.definitions.networkFault.properties.toxic.enum, named), [], 'toxics');
    assert.deepEqual(missing([...MATCHER_OPERATORS], keys), [], 'matcher operators');
    assert.ok(
      strings.some((s) => looksLikeRegex(s)),
      'a /regex/ matcher',
    );
    for (const x of [
      'matrix',
      'vars',
      'cards',
      'host',
      'finally',
      'capture',
      'until',
      'ms',
      'reset',
      'clear',
    ]) {
      assert.ok(keys.has(x) || strings.includes(x), x);
    }
  });
});
