import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packagePath } from '../common/project-root.js';
import { memoryIo } from './command.js';
import { main } from './main.js';

const HEAD = '# yaml-language-server: $schema=../harness/scenario/scenario.schema.json\n';
const BIN = join(dirname(fileURLToPath(import.meta.url)), 'bin.js');

describe('cli/validate', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'payhil-validate-'));
    write(
      'fixtures/cards/cup-debit.yaml',
      readFileSync(packagePath('fixtures', 'cards', 'cup-debit.yaml'), 'utf8'),
    );
    write(
      'scenarios/ok.yaml',
      HEAD + 'title: OK\ncards: { c: cup-debit }\nsteps:\n  - insert: { card: c }\n',
    );
    write('bad/unknown-key.yaml', HEAD + 'title: x\nsteps:\n  - purchase: { amount: 1, curency: CNY }\n');
    write('bad/tag.yaml', HEAD + 'title: !!python/object/apply:os.system ["rm -rf /"]\nsteps: []\n');
    const lol = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const n of 'bcdefgh')
      lol.push(
        `${n}: &${n} [${Array(10)
          .fill('*' + String.fromCharCode(n.charCodeAt(0) - 1))
          .join(', ')}]`,
      );
    write('bad/lol.yaml', lol.join('\n') + '\n');
    write('bad/big.yaml', '# ' + 'x'.repeat(1024 * 1024) + '\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Writes a file under the temporary root, its schema line pointed at the real scenario schema. */
  function write(rel: string, text: string): void {
    const f = join(root, rel);
    mkdirSync(dirname(f), { recursive: true });
    const schema = relative(dirname(f), packagePath('harness', 'scenario', 'scenario.schema.json'))
      .split(sep)
      .join('/');
    writeFileSync(
      f,
      text.startsWith(HEAD) ? `# yaml-language-server: $schema=${schema}\n` + text.slice(HEAD.length) : text,
    );
  }
  async function run(...argv: string[]) {
    const io = memoryIo(root);
    const code = await main(['validate', ...argv], io);
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  }

  it('exits 0 on valid files and says what it checked (default paths: scenarios/ and fixtures/)', async () => {
    const r = await run();
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^validate: 1 scenario file \(1 scenarios\), 1 fixture file: valid/m);
  });

  it('exits 1 and prints path:line:col: error: message, the source line, a caret and did-you-mean', async () => {
    const r = await run('bad/unknown-key.yaml');
    assert.equal(r.code, 1);
    assert.equal(
      r.out.split('\n').slice(0, 4).join('\n'),
      [
        "bad/unknown-key.yaml:4:28: error: unknown key 'curency' in steps[0].purchase",
        '    - purchase: { amount: 1, curency: CNY }',
        '                             ^^^^^^^',
        "  did you mean 'currency'?",
      ].join('\n'),
    );
    assert.match(r.out, /validate: 1 scenario file \(0 scenarios\), 0 fixture files: 1 error$/);
  });

  it('refuses custom tags, alias bombs and files over 1 MiB, each as a located error', async () => {
    const tag = await run('bad/tag.yaml');
    assert.equal(tag.code, 1);
    assert.match(tag.out, /^bad\/tag\.yaml:2:8: error: tag '!!python\/object\/apply:os\.system' is refused/m);
    const lol = await run('bad/lol.yaml');
    assert.equal(lol.code, 1);
    assert.match(
      lol.out,
      /^bad\/lol\.yaml:\d+:\d+: error: too many alias expansions .*billion-laughs style YAML is refused/m,
    );
    const big = await run('bad/big.yaml');
    assert.equal(big.code, 1);
    assert.match(
      big.out,
      /^bad\/big\.yaml:1:1: error: file is 1048579 bytes; YAML files over 1048576 bytes \(1 MiB\) are refused/m,
    );
  });

  it('validates fixture files against the schema of their folder', async () => {
    write('fx/fixtures/terminals/t.yaml', '# yaml-language-server: $schema=x\nname: t\nkind: kiosk\n');
    const r = await run('fx/fixtures/terminals/t.yaml');
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      /fx\/fixtures\/terminals\/t\.yaml:3:7: error: kind: expected one of 'pos', 'atm', found 'kiosk'/,
    );
    assert.match(r.out, /missing required keys 'terminalId', 'merchantId', 'tmk'/);
  });

  it('--json prints the diagnostics as JSON; --quiet prints errors only', async () => {
    const j = await run('--json', 'bad/unknown-key.yaml');
    const list = JSON.parse(j.out) as { file: string; line: number; col: number; severity: string }[];
    assert.deepEqual(
      list.filter((d) => d.severity === 'error').map((d) => [d.file, d.line, d.col, d.severity]),
      [['bad/unknown-key.yaml', 4, 28, 'error']],
    );
    write('warn/w.yaml', 'steps:\n  - signIn:\n');
    const q = await run('--quiet', 'warn/w.yaml');
    assert.equal(q.code, 0);
    assert.equal(q.out, '');
    const loud = await run('warn/w.yaml');
    assert.match(loud.out, /warning: the first line should name the schema/);
    assert.match(
      loud.out,
      /\n {2}# yaml-language-server: \$schema=\.\.\/.*harness\/scenario\/scenario\.schema\.json/,
    );
  });

  it('exits 2 on usage errors: unknown option, missing path', async () => {
    const opt = await run('--frobnicate');
    assert.equal(opt.code, 2);
    assert.match(opt.err, /^payhil validate: validate: Unknown option '--frobnicate'/);
    const missing = await run('nope/');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no such file or folder: nope\//);
    for (const jobs of ['x', '-1', '1.5', '65']) {
      const bad = await run(`--jobs=${jobs}`, 'scenarios');
      assert.equal(bad.code, 2, jobs);
      assert.match(bad.err, /--jobs .*: expected a whole number from 0 to 64/);
    }
  });

  it('--jobs N changes where files are checked, never what is printed', async () => {
    const plain = await run('scenarios', 'bad');
    for (const jobs of ['0', '1']) {
      const r = await run('--jobs', jobs, 'scenarios', 'bad');
      assert.deepEqual([r.code, r.out, r.err], [plain.code, plain.out, plain.err], jobs);
    }
  });

  it('runs as a process: exit codes 0, 1, 2 and never a stack trace', function () {
    this.timeout(60_000);
    const go = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'validate', ...args], { cwd: root, encoding: 'utf8' });
    const ok = go('scenarios');
    assert.equal(ok.status, 0, ok.stderr);
    const bad = go('bad');
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, /error: unknown key 'curency'/);
    const usage = go('--bogus');
    assert.equal(usage.status, 2);
    for (const r of [ok, bad, usage]) assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .*\(.*:\d+:\d+\)/);
  });
});
