import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { packagePath } from '../common/project-root.js';
import { memoryIo } from './command.js';
import { main } from './main.js';

const HEAD = '# yaml-language-server: $schema=../../harness/scenario/scenario.schema.json\n';

describe('cli/list', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'payhil-list-'));
    write(
      'scenarios/pay/chip.yaml',
      HEAD +
        'title: Chip ${amount}\ntags: [smoke, chip]\nrequires: [chip, pinpad]\nmatrix: { amount: [1, 2] }\nsteps:\n  - purchase: { amount: "${amount}" }\n',
    );
    write(
      'scenarios/net/slow.yaml',
      HEAD +
        'title: Slow line\ntags: [network, slow]\nsteps:\n  - network: { toxic: latency, latency: 1s }\n',
    );
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
    const code = await main(['list', ...argv], io);
    return { code, out: io.stdout, err: io.stderr.join('\n') };
  }

  it('prints one line per matrix combination: id, title, tags, requires, file:line', async () => {
    const r = await run();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(
      r.out.map((l) => l.replace(/ +/g, ' ')),
      [
        'net/slow Slow line #network #slow [-] scenarios/net/slow.yaml:2',
        'pay/chip[amount=1] Chip 1 #smoke #chip [chip,pinpad] scenarios/pay/chip.yaml:2',
        'pay/chip[amount=2] Chip 2 #smoke #chip [chip,pinpad] scenarios/pay/chip.yaml:2',
        '3 scenarios from 2 files',
      ],
    );
  });

  it('--json gives the fields tools need', async () => {
    const r = await run('--json', 'scenarios/pay');
    const list = JSON.parse(r.out.join('\n')) as Record<string, unknown>[];
    assert.deepEqual(list[1], {
      id: 'pay/chip[amount=2]',
      title: 'Chip 2',
      tags: ['smoke', 'chip'],
      requires: ['chip', 'pinpad'],
      severity: 'normal',
      params: { amount: 2 },
      file: 'scenarios/pay/chip.yaml',
      line: 2,
    });
  });

  it('--tags keeps any of the tags and drops !tags; --grep matches id or title', async () => {
    const ids = async (...a: string[]) => (await run('--json', ...a)).out.join('\n');
    assert.deepEqual(
      (JSON.parse(await ids('--tags', 'slow,chip')) as { id: string }[]).map((s) => s.id),
      ['net/slow', 'pay/chip[amount=1]', 'pay/chip[amount=2]'],
    );
    assert.deepEqual(
      (JSON.parse(await ids('--tags', '!smoke')) as { id: string }[]).map((s) => s.id),
      ['net/slow'],
    );
    assert.deepEqual(
      (JSON.parse(await ids('--grep', 'Chip 2$')) as { id: string }[]).map((s) => s.id),
      ['pay/chip[amount=2]'],
    );
    const filtered = await run('--grep', 'slow');
    assert.match(filtered.out.at(-1) ?? '', /^1 scenario \(of 3\) from 2 files$/);
  });

  it('exits 1 with located errors when scenarios do not load, 2 on a bad --grep', async () => {
    write('broken/x.yaml', HEAD + 'steps:\n  - tapp: { card: c }\n');
    const r = await run('broken');
    assert.equal(r.code, 1);
    assert.match(r.err, /^broken\/x\.yaml:3:5: error: unknown action 'tapp' in steps\[0\]/);
    const g = await run('--grep', '(');
    assert.equal(g.code, 2);
    assert.match(g.err, /--grep: Invalid regular expression/);
  });
});
