import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../common/project-root.js';
import { chooseLabBench, labBenches } from './lab-choice.js';
import { UsageError } from './usage-error.js';

const BUNDLED = packagePath('fixtures', 'labs');

/** A lab file with benches `names` (all emulated, in-process). */
function labYaml(file: string, names: string[]): string {
  const benches = names
    .map(
      (n) =>
        `  ${n}:\n    terminal: { driver: emulated }\n    card: { presenter: in-process }\n    host: { mode: simulator }\n`,
    )
    .join('');
  return `name: ${file}\nbenches:\n${benches}`;
}

describe('payhil run: choosing the lab file of --bench', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'payhil-run-bench-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('--bench NAME alone finds a bench inside a multi-bench lab file', () => {
    assert.deepEqual(chooseLabBench(undefined, 'ecr-serial', cwd), {
      file: join(BUNDLED, 'emulator-process.yaml'),
      bench: 'ecr-serial',
    });
    assert.deepEqual(chooseLabBench(undefined, 'web-atm', cwd)?.bench, 'web-atm');
  });

  it('fixtures/labs/NAME.yaml still comes first; --lab FILE takes the bench as given; nothing = embedded', () => {
    assert.deepEqual(chooseLabBench(undefined, 'embedded', cwd), { file: join(BUNDLED, 'embedded.yaml') });
    const lab = join(BUNDLED, 'emulator-process.yaml');
    assert.deepEqual(chooseLabBench(lab, 'web', cwd), { file: lab, bench: 'web' });
    assert.equal(chooseLabBench(undefined, undefined, cwd), undefined);
  });

  it('an unknown bench is a usage error listing the benches and their files', () => {
    assert.throws(
      () => chooseLabBench(undefined, 'ecr-seriel', cwd),
      (e: unknown) =>
        e instanceof UsageError &&
        /no bench named 'ecr-seriel'/.test(e.message) &&
        /fixtures\/labs\/emulator-process\.yaml: [^;]*\becr-serial, ecr-serial-atm\b/.test(e.message) &&
        e.message.includes('fixtures/labs/embedded.yaml: embedded'),
    );
  });

  it('a bench in two lab files is a usage error naming both; a local file shadows the bundled one', () => {
    const labs = join(cwd, 'fixtures', 'labs');
    mkdirSync(labs, { recursive: true });
    writeFileSync(join(labs, 'one.yaml'), labYaml('one', ['twin', 'solo']));
    writeFileSync(join(labs, 'two.yaml'), labYaml('two', ['twin']));
    assert.throws(
      () => chooseLabBench(undefined, 'twin', cwd),
      (e: unknown) =>
        e instanceof UsageError &&
        /bench 'twin' is in fixtures\/labs\/one\.yaml and fixtures\/labs\/two\.yaml; choose one with --lab FILE/.test(
          e.message,
        ),
    );
    assert.deepEqual(chooseLabBench(undefined, 'solo', cwd), { file: join(labs, 'one.yaml'), bench: 'solo' });
    // A local emulator-process.yaml replaces payhil's own: its benches, not the bundled ones.
    writeFileSync(join(labs, 'emulator-process.yaml'), labYaml('mine', ['mine-only']));
    writeFileSync(join(labs, 'broken.yaml'), 'name: [not, a, name]\n');
    const all = labBenches(cwd);
    assert.equal(all.has('ecr-serial'), false);
    assert.deepEqual(all.get('mine-only'), [join(labs, 'emulator-process.yaml')]);
    assert.deepEqual(all.get('embedded'), [join(BUNDLED, 'embedded.yaml')]);
  });
});
