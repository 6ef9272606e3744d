import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { packagePath } from '../common/project-root.js';
import { BenchConfigError } from './errors.js';
import { createBenchFromLab, resolveLabFile } from './lab-bench.js';

describe('benches from lab files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payhil-lab-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the bundled embedded lab: name, profile, capabilities, timeouts', () => {
    const file = resolveLabFile({ bench: 'embedded', cwd: dir }) as string;
    assert.equal(file, packagePath('fixtures', 'labs', 'embedded.yaml'));
    const b = createBenchFromLab(file, 'embedded');
    assert.equal(b.name, 'embedded');
    assert.equal(b.facts['terminal.profile'], 'cup-pos');
    assert.equal(b.stepTimeoutMs, 30000);
    assert.equal(b.scenarioTimeoutMs, 120000);
    assert.deepEqual(b.missing(['chip', 'network', 'robot']), ['robot']);
  });

  it('refuses drivers this version does not wire, a wrong bench name and a missing file (usage)', () => {
    const f = join(dir, 'serial.yaml');
    writeFileSync(
      f,
      'name: serial\nterminal: { driver: ecr-serial, path: /dev/ttyUSB0 }\ncard: { presenter: in-process }\nhost: { mode: simulator }\n',
    );
    assert.throws(
      () => createBenchFromLab(f),
      (e: unknown) => e instanceof BenchConfigError && e.verdict === 'usage' && /ecr-serial/.test(e.message),
    );
    assert.throws(
      () => createBenchFromLab(packagePath('fixtures', 'labs', 'embedded.yaml'), 'other'),
      /describes bench 'embedded', not 'other'/,
    );
    assert.throws(() => resolveLabFile({ lab: 'nope.yaml', cwd: dir }), BenchConfigError);
    assert.throws(() => resolveLabFile({ bench: 'nope', cwd: dir }), /no bench named 'nope'/);
  });

  it('an external host without an address is a configuration error', () => {
    const f = join(dir, 'ext.yaml');
    writeFileSync(
      f,
      'name: ext\nterminal: { driver: emulated }\ncard: { presenter: in-process }\nhost: { mode: external }\n',
    );
    assert.throws(() => createBenchFromLab(f), /needs host\.address/);
  });
});
