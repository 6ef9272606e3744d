/**
 * A scenario pack as a lab keeps one: payhil packed (`npm pack` of this repository's compiled dist/) and
 * installed into a folder outside the repository, `npx payhil init` scaffolds the pack, the lab adds its
 * own terminal profile and a scenario using it, and the installed `payhil validate` and `payhil run` both
 * find the profile (run used to report it missing). A pack fixture named like a bundled one is used
 * instead of it, with a warning naming both files.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { packageRoot } from '../../harness/common/project-root.js';

/** Bounded: offline from the npm cache (`npm ci` filled it); the registry only when the cache lacks a package. */
const INSTALL_TIMEOUT_MS = 90_000;
const RUN_TIMEOUT_MS = 60_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file args` in `cwd` (no shell); never rejects. */
function run(file: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, CI: 'true', NO_COLOR: '1', npm_config_update_notifier: 'false' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const payhil = (args: string[], cwd: string): Promise<Ran> =>
  run(NPX, ['--no', '--', 'payhil', ...args], cwd, RUN_TIMEOUT_MS);

const LAB_PROFILE = `# yaml-language-server: $schema=../../node_modules/payhil/harness/emulator/terminal.schema.json
name: lab-pos
extends: cup-pos-ci
description: the lab's countertop POS
merchantName: LAB PACK STORE
`;

/** A scenario on the pack's profile: the receipt carries the profile's merchant name. */
const LAB_SCENARIO = (merchant: string, terminal?: string): string =>
  `# yaml-language-server: $schema=../node_modules/payhil/harness/scenario/scenario.schema.json
title: 'Chip purchase on ${terminal ?? 'the default profile'}: the receipt names ${merchant}'
requires: [chip, pinpad, host]
${terminal ? `bench:\n  terminal: ${terminal}\n` : ''}cards:
  card: cup-debit
steps:
  - signIn:
  - expect: { host: { response: { mti: '0810', '39': '00' } }, within: 30s }
  - purchase: { amount: '3.00' }
  - insert: { card: card }
  - expect: { display: /PIN/i, within: 10s }
  - enterPin: { pin: '123456' }
  - expect:
      host: { response: { mti: '0210', '39': '00' } }
      receipt: { contains: '${merchant}' }
      within: 30s
finally:
  - remove:
`;

describe("a scenario pack: payhil installed from npm pack, npx payhil init, the pack's own fixtures", function () {
  this.timeout(INSTALL_TIMEOUT_MS + 6 * RUN_TIMEOUT_MS);
  let dir: string;
  let pack: string;

  before(async function () {
    this.timeout(INSTALL_TIMEOUT_MS + 2 * RUN_TIMEOUT_MS);
    dir = mkdtempSync(join(tmpdir(), 'payhil-pack-init-'));
    assert.ok(relative(packageRoot(), dir).startsWith('..'), 'the pack is outside the repository');
    const packed = await run(
      NPM,
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      packageRoot(),
      RUN_TIMEOUT_MS,
    );
    assert.equal(packed.code, 0, `npm pack failed: ${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout) as { filename: string }[];
    assert.ok(info);
    pack = join(dir, 'lab-scenarios');
    mkdirSync(pack);
    writeFileSync(join(pack, 'package.json'), JSON.stringify({ name: 'lab-scenarios', private: true }));
    const args = ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=optional'];
    let installed = await run(
      NPM,
      [...args, '--offline', join(dir, info.filename)],
      pack,
      INSTALL_TIMEOUT_MS,
    );
    if (installed.code !== 0)
      installed = await run(
        NPM,
        [...args, '--prefer-offline', join(dir, info.filename)],
        pack,
        INSTALL_TIMEOUT_MS,
      );
    assert.equal(installed.code, 0, `npm install failed: ${installed.stderr}`);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('init scaffolds a pack whose example validates (schema lines lead into node_modules/payhil) and passes', async () => {
    const init = await payhil(['init'], pack);
    assert.equal(init.code, 0, init.stderr);
    const first = readFileSync(join(pack, 'scenarios', 'purchase-approved.yaml'), 'utf8').split('\n')[0];
    assert.equal(
      first,
      '# yaml-language-server: $schema=../node_modules/payhil/harness/scenario/scenario.schema.json',
    );
    const v = await payhil(['validate'], pack);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /valid$/m, 'no warnings: the schema lines lead to the installed schemas');
    const again = await payhil(['init'], pack);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /nothing was written; use --force/);
  });

  it("validate and run both find the pack's terminal profile", async () => {
    writeFileSync(join(pack, 'fixtures', 'terminals', 'lab-pos.yaml'), LAB_PROFILE);
    writeFileSync(join(pack, 'scenarios', 'lab-pos.yaml'), LAB_SCENARIO('LAB PACK STORE', 'lab-pos'));
    const v = await payhil(['validate'], pack);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /2 scenario files \(2 scenarios\), 1 fixture file: valid$/m);
    const r = await payhil(['run', '--no-history'], pack);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS .* lab-pos$/m);
    assert.match(r.stdout, /PASS .* purchase-approved$/m);
    assert.doesNotMatch(r.stderr, /shadows/);
  });

  it('a pack fixture named like a bundled one is used instead, with one warning naming both files', async () => {
    // The embedded bench's default profile, cup-pos-ci, replaced by the pack's (extending the bundled one).
    writeFileSync(
      join(pack, 'fixtures', 'terminals', 'cup-pos-ci.yaml'),
      '# yaml-language-server: $schema=../../node_modules/payhil/harness/emulator/terminal.schema.json\n' +
        'name: cup-pos-ci\nextends: ../../node_modules/payhil/fixtures/terminals/cup-pos-ci.yaml\nmerchantName: SHADOW STORE\n',
    );
    writeFileSync(join(pack, 'scenarios', 'default-profile.yaml'), LAB_SCENARIO('SHADOW STORE'));
    const mine = join(pack, 'fixtures', 'terminals', 'cup-pos-ci.yaml');
    const bundled = join(pack, 'node_modules', 'payhil', 'fixtures', 'terminals', 'cup-pos-ci.yaml');
    for (const cmd of ['validate', 'run']) {
      const r = await payhil(
        cmd === 'run' ? ['run', '--no-history', 'scenarios/default-profile.yaml'] : [cmd],
        pack,
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const warnings = r.stderr.split('\n').filter((l) => /shadows/.test(l));
      assert.equal(warnings.length, 1, `${cmd}: ${r.stderr}`);
      assert.ok(warnings[0]?.includes(mine) && warnings[0].includes(bundled), warnings[0]);
    }
  });
});
