import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocatedError } from './diagnostic.js';
import { SchemaLoadError, loadYamlFixture, readablePath, validateWithSchema } from './schema-check.js';
import { parseYamlText } from './yaml-file.js';

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['steps'],
  properties: {
    title: { type: 'string' },
    level: { enum: ['low', 'high'] },
    steps: { type: 'array', items: { $ref: 'step.schema.json' } },
    amount: {
      anyOf: [
        { type: 'number' },
        { type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$', 'x-expected': 'an amount such as 12.50' },
      ],
    },
  },
};
const stepSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  'x-noun': 'action',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    purchase: {
      type: 'object',
      additionalProperties: false,
      required: ['amount'],
      properties: { amount: { type: 'number' } },
    },
    network: {
      anyOf: [{ const: 'clear' }, { type: 'object', properties: { on: { $ref: '#/definitions/matcher' } } }],
    },
    signIn: { type: 'null' },
  },
  definitions: {
    matcher: {
      anyOf: [
        { type: ['string', 'number', 'boolean', 'null'] },
        {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { contains: { type: 'string' }, not: { $ref: '#/definitions/matcher' } },
        },
      ],
    },
  },
};

describe('common/schema-check', () => {
  let dir: string;
  let schemaFile: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-schema-'));
    schemaFile = join(dir, 'thing.schema.json');
    writeFileSync(schemaFile, JSON.stringify(schema));
    writeFileSync(join(dir, 'step.schema.json'), JSON.stringify(stepSchema));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function check(text: string) {
    const doc = parseYamlText(text, 'f.yaml').docs[0];
    assert.ok(doc);
    return validateWithSchema(schemaFile, doc, 'f.yaml');
  }

  it('accepts a valid document', () => {
    assert.deepEqual(check('title: x\namount: "12.50"\nsteps:\n  - signIn:\n  - network: clear\n'), []);
  });

  it('locates an unknown key at the key, with did-you-mean from the schema properties', () => {
    const [d, ...rest] = check('titel: x\nsteps: []\n');
    assert.equal(rest.length, 0);
    assert.deepEqual([d?.line, d?.col, d?.length], [1, 1, 5]);
    assert.equal(d?.message, "unknown key 'titel'");
    assert.equal(d?.hint, "did you mean 'title'?");
  });

  it('names unknown actions as actions (x-noun), across a $ref to another schema file', () => {
    const [d] = check('steps:\n  - signIn:\n  - purchse: {amount: 1}\n');
    assert.deepEqual([d?.line, d?.col], [3, 5]);
    assert.equal(d?.message, "unknown action 'purchse' in steps[1]");
    assert.equal(d?.hint, "did you mean 'purchase'?");
  });

  it('reports type, enum, required and pattern problems at the value', () => {
    const ds = check('level: hihg\namount: "1.234"\nsteps:\n  - purchase: {amount: "x"}\n  - purchase: {}\n');
    assert.deepEqual(
      ds.map((d) => `${d.line}:${d.col} ${d.message}`),
      [
        "1:8 level: expected one of 'low', 'high', found 'hihg'",
        "2:9 amount: expected an amount such as 12.50, found '1.234'",
        "4:24 steps[0].purchase.amount: expected a number, found 'x'",
        "5:15 steps[1].purchase: missing required key 'amount'",
      ],
    );
    assert.equal(ds[0]?.hint, "did you mean 'high'?");
  });

  it('narrows anyOf to the alternative of the same shape, or lists the expected shapes', () => {
    const ds = check('steps:\n  - network: clr\n  - network: {on: {contain: "x"}}\n');
    assert.deepEqual(
      ds.map((d) => `${d.line}:${d.col} ${d.message}`),
      [
        "2:14 steps[0].network: expected 'clear' or a map, found 'clr'",
        "3:20 unknown key 'contain' in steps[1].network.on",
      ],
    );
    assert.equal(ds[1]?.hint, "did you mean 'contains'?");
  });

  it('explains a step with two actions (mis-indentation) and an empty step', () => {
    const ds = check('steps:\n  - signIn:\n    network: clear\n  - {}\n');
    assert.match(
      ds[0]?.message ?? '',
      /a step has exactly one action, found 2: signIn, network \(check the indentation\)/,
    );
    assert.match(ds[1]?.message ?? '', /empty step/);
  });

  it('loadYamlFixture returns the value, or throws a LocatedError with formatted, located messages', () => {
    const ok = join(dir, 'ok.yaml');
    writeFileSync(ok, 'steps: []\n');
    assert.deepEqual(loadYamlFixture(ok, schemaFile), { steps: [] });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'steps: []\ntitel: x\n');
    assert.throws(
      () => loadYamlFixture(bad, schemaFile),
      (e: unknown) =>
        e instanceof LocatedError &&
        e.diagnostics.length === 1 &&
        e.message.startsWith(`${bad}:2:1: error: unknown key 'titel'\n  titel: x\n  ^^^^^`),
    );
    const two = join(dir, 'two.yaml');
    writeFileSync(two, 'steps: []\n---\nsteps: []\n');
    assert.throws(() => loadYamlFixture(two, schemaFile), /expected one YAML document, found 2/);
  });

  it('writes paths with list indexes and quoted numeric map keys', () => {
    assert.equal(readablePath(['steps', 2, 'purchase']), 'steps[2].purchase');
    assert.equal(readablePath(['on', '39'], { on: { '39': 'x' } }), 'on["39"]');
    assert.equal(readablePath(['a', '0', 'b'], { a: [{ b: 1 }] }), 'a[0].b');
  });

  it('a missing schema is a SchemaLoadError (broken), not a crash', () => {
    const doc = parseYamlText('a: 1', 'f.yaml').docs[0];
    assert.ok(doc);
    assert.throws(
      () => validateWithSchema(join(dir, 'nope.schema.json'), doc, 'f.yaml'),
      (e: unknown) =>
        e instanceof SchemaLoadError && e.verdict === 'broken' && /no such file/.test(e.message),
    );
  });
});
