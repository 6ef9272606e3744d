import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packagePath } from './project-root.js';
import { bundledSchemas } from './schema-cache-build.js';
import { cachedValidator, isFresh, type CachedSchemaModule } from './schema-cache.js';
import { ajvValidator } from './schema-check.js';
import { readYamlFile } from './yaml-file.js';

/** Every YAML file under a folder of the package. */
function yamlFiles(...parts: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) out.push(p);
    }
  };
  walk(packagePath(...parts));
  return out;
}

/** Each bundled document with the schema it is checked against. */
function corpus(): { file: string; schema: string; value: unknown }[] {
  const docs: { file: string; schema: string; value: unknown }[] = [];
  const add = (file: string, schema: string): void => {
    for (const d of readYamlFile(file).docs)
      if (d.value !== null) docs.push({ file, schema, value: d.value });
  };
  for (const f of yamlFiles('scenarios'))
    add(
      f,
      packagePath(
        'harness',
        'scenario',
        f.endsWith('.steps.yaml') ? 'steps.schema.json' : 'scenario.schema.json',
      ),
    );
  const kinds: Record<string, string> = {
    cards: 'cards/card',
    dialects: 'iso8583/dialect',
    hosts: 'host/host',
    terminals: 'emulator/terminal',
    labs: 'bench/lab',
    inventories: 'lab/inventory',
  };
  for (const [kind, schema] of Object.entries(kinds))
    for (const f of yamlFiles('fixtures', kind)) add(f, packagePath('harness', `${schema}.schema.json`));
  return docs;
}

/** Ways a valid document stops being valid. */
function broken(value: unknown): unknown[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  const out: unknown[] = [{ ...v, 'no-such-key-anywhere': 1 }, 42, ['a', 'list']];
  if (keys[0] !== undefined) out.push({ ...v, [keys[0]]: { nested: [null, { deeper: true }] } });
  return out;
}

describe('schema cache (validators compiled at build time)', () => {
  it('the build wrote a fresh validator for every bundled schema', () => {
    const schemas = bundledSchemas();
    assert.ok(schemas.length >= 9, `bundled schemas: ${schemas.join(', ')}`);
    for (const rel of schemas)
      assert.ok(
        cachedValidator(packagePath(...rel.split('/'))),
        `no cached validator for ${rel} (npm run build)`,
      );
  });

  it('agrees with ajv on every bundled scenario and fixture and on broken copies of them', () => {
    const docs = corpus();
    assert.ok(docs.length > 80, `${docs.length} documents`);
    let checked = 0;
    let valid = 0;
    for (const d of docs) {
      const cached = cachedValidator(d.schema) as (v: unknown) => boolean;
      const ajv = ajvValidator(d.schema);
      // A matrix scenario's `${…}` values are valid only once the loader expands them: ajv says no too.
      assert.equal(cached(d.value), ajv(d.value), d.file);
      if (ajv(d.value)) valid++;
      for (const b of broken(d.value)) {
        assert.equal(cached(b), ajv(b), `${d.file} broken as ${JSON.stringify(b).slice(0, 80)}`);
        checked++;
      }
    }
    assert.ok(checked > 200);
    assert.ok(valid > docs.length * 0.9, `${valid} of ${docs.length} valid as written`);
  });

  it('a cache compiled from other schema texts is not used', () => {
    const rel = 'harness/cards/card.schema.json';
    const m = (() => true) as unknown as CachedSchemaModule;
    Object.assign(m, { files: [rel], sha256: '0'.repeat(64) });
    assert.equal(isFresh(m, rel), false);
    Object.assign(m, { files: ['harness/host/host.schema.json'] });
    assert.equal(isFresh(m, rel), false, 'nor one of another schema');
  });

  it('a run of valid documents never loads ajv; an invalid one gets ajv and its located message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-schema-cache-'));
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'title: typo\nsteps:\n  - signIn: {}\ntagz: [smoke]\n');
    const dist = (f: string): string => pathToFileURL(packagePath('dist', 'harness', ...f.split('/'))).href;
    const script = `
      import { createRequire } from 'node:module';
      const { findYamlFiles } = await import(${JSON.stringify(dist('scenario/find-files.js'))});
      const { loadScenarioFiles } = await import(${JSON.stringify(dist('scenario/loader.js'))});
      const { loadCardFixture } = await import(${JSON.stringify(dist('cards/card-fixture-loader.js'))});
      const root = ${JSON.stringify(packagePath())};
      const { scenarios, diagnostics } = loadScenarioFiles(findYamlFiles(['scenarios/purchase', 'scenarios/common'], root).files, { root });
      loadCardFixture('cup-debit');
      const ajvLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\\\/]ajv[\\\\/]dist[\\\\/](ajv|2020)\\.js$/.test(k));
      const before = ajvLoaded();
      const bad = loadScenarioFiles([${JSON.stringify(badFile)}], { root: ${JSON.stringify(dir)} });
      console.log(JSON.stringify({ scenarios: scenarios.length, errors: diagnostics.length, before, after: ajvLoaded(), bad: bad.diagnostics.map((d) => d.line + ':' + d.col + ' ' + d.message) }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    assert.ok(out.scenarios > 5);
    assert.equal(out.errors, 0);
    assert.equal(out.before, false, 'ajv was loaded for valid documents');
    assert.equal(out.after, true);
    assert.ok(
      out.bad.some((d: string) => /^4:1 unknown key 'tagz'/.test(d)),
      out.bad.join('\n'),
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
