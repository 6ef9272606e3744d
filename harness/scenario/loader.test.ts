import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { Diagnostic } from '../common/diagnostic.js';
import { formatDiagnostic } from '../common/diagnostic.js';
import { ScenarioLoadError } from './errors.js';
import { loadScenarioFiles, loadScenarios } from './loader.js';
import { scenarioSchemaPath, stepsSchemaPath } from './scenario-schema.js';

const HEAD = '# yaml-language-server: $schema=../../harness/scenario/scenario.schema.json\n';
const STEPS_HEAD = '# yaml-language-server: $schema=../../harness/scenario/steps.schema.json\n';

describe('scenario/loader', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'payhil-loader-'));
    for (const c of ['cup-debit', 'cup-credit']) write(`fixtures/cards/${c}.yaml`, `name: ${c}\n`);
    write('fixtures/terminals/cup-pos.yaml', 'name: cup-pos\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Writes a file under the temporary root; the schema line is pointed at the real schema unless `raw`. */
  function write(rel: string, text: string, raw = false): string {
    const file = join(root, rel);
    mkdirSync(dirname(file), { recursive: true });
    const fix = (head: string, schema: string) =>
      `# yaml-language-server: $schema=${relative(dirname(file), schema).split(sep).join('/')}\n` +
      text.slice(head.length);
    writeFileSync(
      file,
      raw
        ? text
        : text.startsWith(HEAD)
          ? fix(HEAD, scenarioSchemaPath())
          : text.startsWith(STEPS_HEAD)
            ? fix(STEPS_HEAD, stepsSchemaPath())
            : text,
    );
    return file;
  }
  function load(...rels: string[]) {
    return loadScenarioFiles(
      rels.map((r) => join(root, r)),
      { root, fixtureRoots: [join(root, 'fixtures')] },
    );
  }
  function errors(list: Diagnostic[]): string[] {
    return list
      .filter((d) => d.severity === 'error')
      .map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
  }

  it('host.replay: resolved against the scenario file; a folder without replay-host.yaml is a located error', () => {
    write('scenarios/rec/replay-host.yaml', 'version: 1\n');
    write('scenarios/rec/s.yaml', HEAD + 'host: { replay: . }\nsteps:\n  - signIn:\n');
    const ok = load('scenarios/rec/s.yaml');
    assert.deepEqual(errors(ok.diagnostics), []);
    assert.equal(ok.scenarios[0]?.host.replay, join(root, 'scenarios/rec'));
    write('scenarios/rec/t.yaml', HEAD + 'host:\n  replay: ../nowhere\nsteps:\n  - signIn:\n');
    const bad = load('scenarios/rec/t.yaml');
    assert.match(
      errors(bad.diagnostics).join('\n'),
      /t\.yaml:3:11: no recording at .*nowhere \(no replay-host\.yaml in it\)/,
    );
  });

  it('loads a scenario: id from the path, defaults, steps with their positions', () => {
    write(
      'scenarios/purchase/basic.yaml',
      HEAD +
        'title: Basic\ntags: [smoke]\ntimeout: 2m\ncards:\n  c: cup-debit\nsteps:\n  - signIn:\n  - purchase: { amount: 10 }\n  - insert: { card: c }\nfinally:\n  - remove:\n',
    );
    const { scenarios, diagnostics } = load('scenarios/purchase/basic.yaml');
    assert.deepEqual(diagnostics, []);
    const [s] = scenarios;
    assert.ok(s);
    assert.equal(s.id, 'purchase/basic');
    assert.equal(s.title, 'Basic');
    assert.equal(s.severity, 'normal');
    assert.equal(s.timeoutMs, 120_000);
    assert.equal(s.retries, 0);
    assert.deepEqual(
      s.steps.map((x) => [x.action, x.args, x.at.line, x.at.col]),
      [
        ['signIn', null, 8, 5],
        ['purchase', { amount: 10 }, 9, 5],
        ['insert', { card: 'c' }, 10, 5],
      ],
    );
    assert.equal(s.finally[0]?.action, 'remove');
    assert.deepEqual(s.at, { file: 'scenarios/purchase/basic.yaml', line: 2, col: 1 });
  });

  it('locates schema errors with did-you-mean for keys and actions, with caret', () => {
    write('scenarios/bad/keys.yaml', HEAD + 'titel: x\nsteps:\n  - purchse: { amount: 1 }\n');
    const { diagnostics } = load('scenarios/bad/keys.yaml');
    assert.deepEqual(errors(diagnostics), [
      "scenarios/bad/keys.yaml:2:1: unknown key 'titel'",
      "scenarios/bad/keys.yaml:4:5: unknown action 'purchse' in steps[0]",
    ]);
    assert.equal(diagnostics[0]?.hint, "did you mean 'title'?");
    assert.equal(diagnostics[1]?.hint, "did you mean 'purchase'?");
    assert.equal(
      formatDiagnostic(diagnostics[1] as Diagnostic),
      "scenarios/bad/keys.yaml:4:5: error: unknown action 'purchse' in steps[0]\n    - purchse: { amount: 1 }\n      ^^^^^^^\n  did you mean 'purchase'?",
    );
  });

  it('says how to write an action given as a bare word, and only for action names', () => {
    write('scenarios/bad/bare.yaml', HEAD + 'title: x\nsteps:\n  - signIn\n  - hello\n');
    const { diagnostics } = load('scenarios/bad/bare.yaml');
    assert.deepEqual(errors(diagnostics), [
      "scenarios/bad/bare.yaml:4:5: steps[0]: expected a map, found 'signIn'",
      "scenarios/bad/bare.yaml:5:5: steps[1]: expected a map, found 'hello'",
    ]);
    assert.match(diagnostics[0]?.hint ?? '', /^write 'signIn:' /);
    assert.equal(diagnostics[1]?.hint, undefined);
  });

  it('explains common mistakes in one message each', () => {
    write(
      'scenarios/bad/common.yaml',
      HEAD +
        [
          'steps:',
          '  - insert:',
          '    card: cup-debit',
          '  - enterPin: { pin: 1234 }',
          '  - purchase: { amount: 12.345 }',
          '  - wait: {}',
          "  - expect: { host: { request: { '3x': '00', '39': { nott: '00' } } } }",
          '  - network: { toxic: drop }',
        ].join('\n') +
        '\n',
    );
    assert.deepEqual(errors(load('scenarios/bad/common.yaml').diagnostics), [
      'scenarios/bad/common.yaml:3:5: steps[0]: a step has exactly one action, found 2: insert, card (check the indentation)',
      "scenarios/bad/common.yaml:5:22: steps[1].enterPin.pin: expected a PIN of 4 to 12 digits, quoted (e.g. '123456'), found number 1234",
      'scenarios/bad/common.yaml:6:25: steps[2].purchase.amount: expected an amount in major units such as 12.50, found number 12.345',
      'scenarios/bad/common.yaml:7:11: steps[3].wait: empty map: expected at least one of: ms, until, timeout',
      "scenarios/bad/common.yaml:8:34: invalid field path '3x'; expected a field path such as mti, 39, 55.9F26 or 60.2",
      'scenarios/bad/common.yaml:8:54: unknown matcher operator \'nott\' in steps[4].expect.host.request["39"]',
      "scenarios/bad/common.yaml:9:14: steps[5].network: missing required key 'on'",
    ]);
  });

  it('gives each document of a multi-document file its own id and positions', () => {
    write(
      'scenarios/multi.yaml',
      HEAD + 'steps:\n  - signIn:\n---\nsteps:\n  - settle:\n---\nid: named\nsteps:\n  - balanc:\n',
    );
    const { scenarios, diagnostics } = load('scenarios/multi.yaml');
    assert.deepEqual(
      scenarios.map((s) => [s.id, s.at.line]),
      [
        ['multi#1', 2],
        ['multi#2', 5],
      ],
    );
    assert.deepEqual(errors(diagnostics), ["scenarios/multi.yaml:10:5: unknown action 'balanc' in steps[0]"]);
  });

  it('expands a matrix: one scenario per combination, typed values, interpolated title and vars', () => {
    write(
      'scenarios/m.yaml',
      HEAD +
        [
          'title: Pay ${amount} with ${card}',
          'cards: { debit: cup-debit, credit: cup-credit }',
          'vars: { label: "${card}-${amount}" }',
          'matrix:',
          '  card: [debit, credit]',
          '  amount: [10, "12.50"]',
          'steps:',
          '  - purchase: { amount: "${amount}" }',
          '  - tap: { card: "${card}" }',
          '  - operator: { prompt: "check ${label}" }',
        ].join('\n') +
        '\n',
    );
    const { scenarios, diagnostics } = load('scenarios/m.yaml');
    assert.deepEqual(errors(diagnostics), []);
    assert.deepEqual(
      scenarios.map((s) => s.id),
      [
        'm[card=debit,amount=10]',
        'm[card=debit,amount=12.50]',
        'm[card=credit,amount=10]',
        'm[card=credit,amount=12.50]',
      ],
    );
    const s = scenarios[1];
    assert.equal(s?.title, 'Pay 12.50 with debit');
    assert.deepEqual(s?.params, { card: 'debit', amount: '12.50' });
    assert.deepEqual(s?.steps[0]?.args, { amount: '12.50' });
    assert.deepEqual(scenarios[0]?.steps[0]?.args, { amount: 10 });
    assert.deepEqual(s?.steps[2]?.args, { prompt: 'check debit-12.50' });
    assert.equal(s?.baseId, 'm');
  });

  it('checks each matrix combination against the schema after interpolation', () => {
    write(
      'scenarios/mbad.yaml',
      HEAD + 'matrix:\n  amount: [10, abc]\nsteps:\n  - purchase: { amount: "${amount}" }\n',
    );
    const { scenarios, diagnostics } = load('scenarios/mbad.yaml');
    assert.equal(scenarios.length, 1);
    assert.deepEqual(errors(diagnostics), [
      "scenarios/mbad.yaml:5:25: steps[0].purchase.amount: expected an amount in major units such as 12.50, found 'abc' (with amount=abc)",
    ]);
  });

  it('reports undefined variables at the ${…}, captures used too early, and unused matrix variables', () => {
    write(
      'scenarios/vars.yaml',
      HEAD +
        [
          'vars: { total: 10 }',
          'matrix: { unused: [1, 2] }',
          'steps:',
          '  - purchase: { amount: "${totl}" }',
          '  - void: { of: "${rrn}" }',
          '  - capture: { rrn: response.37 }',
          '  - void: { of: "${rrn}" }',
        ].join('\n') +
        '\n',
    );
    const { scenarios, diagnostics } = load('scenarios/vars.yaml');
    assert.equal(scenarios.length, 0);
    assert.deepEqual(errors(diagnostics), [
      "scenarios/vars.yaml:3:11: matrix variable 'unused' is never used: every combination would run the same scenario",
      "scenarios/vars.yaml:5:26: undefined variable 'totl'",
      "scenarios/vars.yaml:6:18: 'rrn' is used before the step that captures it",
    ]);
    assert.equal(diagnostics.find((d) => /totl/.test(d.message))?.hint, "did you mean 'total'?");
  });

  it('leaves captured names for the runner to fill in', () => {
    write(
      'scenarios/cap.yaml',
      HEAD + 'steps:\n  - capture: { rrn: response.37 }\n  - void: { of: "${rrn}" }\n',
    );
    const [s] = loadScenarios([join(root, 'scenarios/cap.yaml')], {
      root,
      fixtureRoots: [join(root, 'fixtures')],
    });
    assert.deepEqual(s?.steps[1]?.args, { of: '${rrn}' });
    assert.deepEqual(s?.captures, ['rrn']);
  });

  it('checks card references against aliases and fixtures, with did-you-mean', () => {
    write(
      'scenarios/cards.yaml',
      HEAD +
        [
          'cards:',
          '  a: cup-debt',
          '  b: { extends: cup-credit, pin: "0000" }',
          'steps:',
          '  - insert: { card: b }',
          '  - tap: { card: cup-debit }',
          '  - swipe: { card: c }',
        ].join('\n') +
        '\n',
    );
    const { diagnostics } = load('scenarios/cards.yaml');
    assert.deepEqual(errors(diagnostics), [
      "scenarios/cards.yaml:3:6: unknown card fixture 'cup-debt' (no fixtures/cards/cup-debt.yaml)",
      "scenarios/cards.yaml:8:20: unknown card 'c': neither an alias in cards nor a fixture in fixtures/cards/",
    ]);
    assert.equal(diagnostics.find((d) => /cup-debt/.test(d.message))?.hint, "did you mean 'cup-debit'?");
  });

  it('checks bench profiles against fixture folders', () => {
    write('scenarios/bench.yaml', HEAD + 'bench: { terminal: cup-pso }\nsteps:\n  - signIn:\n');
    assert.deepEqual(errors(load('scenarios/bench.yaml').diagnostics), [
      "scenarios/bench.yaml:2:20: unknown terminal profile 'cup-pso' (no fixtures/terminals/cup-pso.yaml)",
    ]);
  });

  it('expands includes in place with parameters, defaults, nesting, and the include site in via', () => {
    write(
      'scenarios/common/pay.steps.yaml',
      STEPS_HEAD +
        'params: { amount: null, card: c }\nsteps:\n  - purchase: { amount: "${amount}" }\n  - include: { file: tap.steps.yaml, with: { who: "${card}" } }\n  - capture: { rrn: response.37 }\n',
    );
    write(
      'scenarios/common/tap.steps.yaml',
      STEPS_HEAD + 'params: { who: null }\nsteps:\n  - tap: { card: "${who}" }\n',
    );
    write(
      'scenarios/inc.yaml',
      HEAD +
        'cards: { c: cup-debit }\nsteps:\n  - include: { file: common/pay.steps.yaml, with: { amount: 7 } }\n  - void: { of: "${rrn}" }\n',
    );
    const { scenarios, diagnostics } = load('scenarios/inc.yaml');
    assert.deepEqual(errors(diagnostics), []);
    const steps = scenarios[0]?.steps ?? [];
    assert.deepEqual(
      steps.map((s) => [
        s.action,
        s.args,
        `${s.at.file}:${s.at.line}`,
        (s.via ?? []).map((v) => `${v.file}:${v.line}`),
      ]),
      [
        ['purchase', { amount: 7 }, 'scenarios/common/pay.steps.yaml:4', ['scenarios/inc.yaml:4']],
        [
          'tap',
          { card: 'c' },
          'scenarios/common/tap.steps.yaml:4',
          ['scenarios/inc.yaml:4', 'scenarios/common/pay.steps.yaml:5'],
        ],
        ['capture', { rrn: 'response.37' }, 'scenarios/common/pay.steps.yaml:6', ['scenarios/inc.yaml:4']],
        ['void', { of: '${rrn}' }, 'scenarios/inc.yaml:5', []],
      ],
    );
  });

  it('refuses an include that a symbolic link inside the project leads outside it; links that stay inside are fine', () => {
    const outside = mkdtempSync(join(tmpdir(), 'payhil-outside-'));
    try {
      writeFileSync(join(outside, 'secret.steps.yaml'), 'steps:\n  - signIn:\n');
      mkdirSync(join(root, 'scenarios', 'links'), { recursive: true });
      symlinkSync(join(outside, 'secret.steps.yaml'), join(root, 'scenarios', 'links', 'file.steps.yaml'));
      symlinkSync(outside, join(root, 'scenarios', 'links', 'dir'));
      write('scenarios/links/real.steps.yaml', STEPS_HEAD + 'steps:\n  - signIn:\n');
      symlinkSync('real.steps.yaml', join(root, 'scenarios', 'links', 'inside.steps.yaml'));
      write(
        'scenarios/linked.yaml',
        HEAD +
          [
            'steps:',
            '  - include: { file: links/file.steps.yaml }',
            '  - include: { file: links/dir/secret.steps.yaml }',
            '  - include: { file: links/inside.steps.yaml }',
          ].join('\n') +
          '\n',
      );
      const { diagnostics } = load('scenarios/linked.yaml');
      const errs = errors(diagnostics);
      assert.equal(errs.length, 2, errs.join('\n'));
      assert.match(
        errs[0] as string,
        /^scenarios\/linked\.yaml:3:22: include 'links\/file\.steps\.yaml' is a symbolic link .* outside the project root/,
      );
      assert.match(
        errs[1] as string,
        /^scenarios\/linked\.yaml:4:22: include 'links\/dir\/secret\.steps\.yaml' is a symbolic link .* outside the project root/,
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(join(root, 'scenarios', 'links'), { recursive: true, force: true });
      rmSync(join(root, 'scenarios', 'linked.yaml'), { force: true });
    }
  });

  it('reports include problems: missing file, escape, cycle, wrong kind, unknown and missing parameters', () => {
    write(
      'scenarios/common/loop-a.steps.yaml',
      STEPS_HEAD + 'steps:\n  - include: { file: loop-b.steps.yaml }\n',
    );
    write(
      'scenarios/common/loop-b.steps.yaml',
      STEPS_HEAD + 'steps:\n  - include: { file: loop-a.steps.yaml }\n',
    );
    write('outside.steps.yaml', 'steps:\n  - signIn:\n');
    write(
      'scenarios/incbad.yaml',
      HEAD +
        [
          'steps:',
          '  - include: { file: common/nope.steps.yaml }',
          '  - include: { file: ../../outside.steps.yaml }',
          '  - include: { file: common/loop-a.steps.yaml }',
          '  - include: { file: multi.yaml }',
          '  - include: { file: common/pay.steps.yaml, with: { amout: 1 } }',
        ].join('\n') +
        '\n',
    );
    const { diagnostics } = load('scenarios/incbad.yaml');
    const errs = errors(diagnostics);
    assert.ok(
      errs.includes('scenarios/incbad.yaml:3:22: include file not found: scenarios/common/nope.steps.yaml'),
      errs.join('\n'),
    );
    assert.ok(
      errs.some((e) =>
        /^scenarios\/incbad\.yaml:4:22: include '..\/..\/outside.steps.yaml' escapes the project root/.test(
          e,
        ),
      ),
    );
    assert.ok(
      errs.includes(
        'scenarios/common/loop-b.steps.yaml:3:22: include cycle: scenarios/common/loop-a.steps.yaml → scenarios/common/loop-b.steps.yaml → scenarios/common/loop-a.steps.yaml',
      ),
      errs.join('\n'),
    );
    assert.ok(
      errs.includes(
        'scenarios/incbad.yaml:6:22: an included file must be a steps file named *.steps.yaml, not multi.yaml',
      ),
    );
    assert.ok(
      errs.includes(
        "scenarios/incbad.yaml:7:53: unknown parameter 'amout' for scenarios/common/pay.steps.yaml",
      ),
    );
    assert.equal(diagnostics.find((d) => /amout/.test(d.message))?.hint, "did you mean 'amount'?");
    assert.ok(
      errs.includes(
        "scenarios/incbad.yaml:7:14: missing parameter 'amount' for scenarios/common/pay.steps.yaml (pass it in 'with')",
      ),
    );
  });

  it('checks steps files on their own: schema and variables that are not parameters', () => {
    write(
      'scenarios/common/lonely.steps.yaml',
      STEPS_HEAD + 'params: { a: 1 }\nsteps:\n  - purchase: { amount: "${b}" }\n',
    );
    assert.deepEqual(errors(load('scenarios/common/lonely.steps.yaml').diagnostics), [
      "scenarios/common/lonely.steps.yaml:4:26: undefined variable 'b' in a steps file",
    ]);
  });

  it('reports duplicate ids across files, with the first place', () => {
    write('scenarios/d1.yaml', HEAD + 'id: same\nsteps:\n  - signIn:\n');
    write('scenarios/d2.yaml', HEAD + 'id: same\nsteps:\n  - signIn:\n');
    assert.deepEqual(errors(load('scenarios/d1.yaml', 'scenarios/d2.yaml').diagnostics), [
      "scenarios/d2.yaml:2:5: duplicate scenario id 'same' (first at scenarios/d1.yaml:2)",
    ]);
  });

  it('reports invalid regular expressions in matchers, oversized matrices, empty files', () => {
    write('scenarios/re.yaml', HEAD + 'steps:\n  - expect: { display: "/(unclosed/" }\n');
    assert.match(
      errors(load('scenarios/re.yaml').diagnostics)[0] ?? '',
      /re\.yaml:3:24: invalid regular expression/,
    );
    const big = Array.from({ length: 9 }, (_, i) => `  v${i}: [1, 2]`).join('\n');
    write(
      'scenarios/big.yaml',
      HEAD +
        `title: "${Array.from({ length: 9 }, (_, i) => `\${v${i}}`).join(' ')}"\nmatrix:\n${big}\nsteps:\n  - signIn:\n`,
    );
    assert.match(
      errors(load('scenarios/big.yaml').diagnostics)[0] ?? '',
      /matrix expands to 512 combinations; at most 256/,
    );
    write('scenarios/empty.yaml', '# nothing here\n');
    assert.deepEqual(errors(load('scenarios/empty.yaml').diagnostics), [
      'scenarios/empty.yaml:1:1: file holds no scenario (no YAML document)',
    ]);
  });

  it('passes YAML-level refusals through (syntax, custom tags), and warns about a missing $schema line', () => {
    write('scenarios/tag.yaml', HEAD + 'title: !!js/function "x"\nsteps:\n  - signIn:\n');
    assert.match(
      errors(load('scenarios/tag.yaml').diagnostics)[0] ?? '',
      /tag.yaml:2:8: tag '!!js\/function' is refused/,
    );
    write('scenarios/noschema.yaml', 'steps:\n  - signIn:\n');
    const d = load('scenarios/noschema.yaml').diagnostics;
    assert.equal(d.length, 1);
    assert.equal(d[0]?.severity, 'warning');
    write('scenarios/deep/wrong.yaml', HEAD + 'steps:\n  - signIn:\n', true);
    const [w] = load('scenarios/deep/wrong.yaml').diagnostics;
    assert.equal(w?.severity, 'warning');
    assert.match(
      w?.message ?? '',
      /the \$schema path '..\/..\/harness\/scenario\/scenario.schema.json' does not lead to/,
    );
    assert.equal(w?.col, 33);
  });

  it('loadScenarios throws a ScenarioLoadError holding every error', () => {
    assert.throws(
      () =>
        loadScenarios([join(root, 'scenarios/bad/keys.yaml')], {
          root,
          fixtureRoots: [join(root, 'fixtures')],
        }),
      (e: unknown) => e instanceof ScenarioLoadError && e.diagnostics.length === 2 && /titel/.test(e.message),
    );
  });
});
