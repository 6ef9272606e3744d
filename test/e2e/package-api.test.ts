/**
 * payhil as a lab installs it: `npm pack` of this repository, the tarball installed into an empty folder
 * outside the repository (install scripts not allowed, dependencies from the npm cache that `npm ci`
 * filled where it can), then a plain Node ESM script imports `payhil` and `payhil/testing` and runs a
 * bundled scenario on the embedded bench, and the installed `payhil` command answers `--help` and
 * validates the bundled scenarios.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { packageRoot } from '../../harness/common/project-root.js';

/** Installing takes a while on a cold cache (the registry is asked for what the cache lacks). */
const INSTALL_TIMEOUT_MS = 600_000;
const RUN_TIMEOUT_MS = 120_000;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file args` in `cwd` (no shell); never rejects, resolves with the exit code and output. */
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

/** The lab's own script: the public API and the test kits, one bundled scenario on the embedded bench. */
const LAB_SCRIPT = `import {
  createEmbeddedBench,
  loadScenarios,
  packagePath,
  packageRoot,
  runScenarios,
  OBSERVATION,
} from 'payhil';
import { createMockBench, TEST_PANS, TestTerminal } from 'payhil/testing';

const file = packagePath('scenarios', 'account', 'risk-control.yaml');
const scenarios = loadScenarios([file], { root: packageRoot() });
const summary = await runScenarios(scenarios, { bench: createEmbeddedBench() });
let deepImport = 'open';
try {
  await import('payhil/dist/harness/bench/bench.js');
} catch (e) {
  deepImport = e.code;
}
const mock = createMockBench();
await mock.bench.activate();
await mock.bench.get('keypad').enterPin('1234');
console.log(
  JSON.stringify({
    root: packageRoot(),
    runs: summary.runs.map((r) => ({ id: r.scenario.id, status: r.status, message: r.message ?? '' })),
    note: OBSERVATION.NOTE,
    mockCalls: mock.calls.map((c) => c.capability + '.' + c.method),
    testPans: Object.keys(TEST_PANS).length,
    testTerminal: typeof TestTerminal,
    deepImport,
  }),
);
`;

describe('payhil as an installed package', function () {
  this.timeout(INSTALL_TIMEOUT_MS + 2 * RUN_TIMEOUT_MS);
  let dir: string;
  let app: string;

  before(async function () {
    this.timeout(INSTALL_TIMEOUT_MS + RUN_TIMEOUT_MS);
    dir = mkdtempSync(join(tmpdir(), 'payhil-pack-'));
    assert.ok(relative(packageRoot(), dir).startsWith('..'), 'the install folder is outside the repository');
    // The compiled dist/ is what the tests run on; `--ignore-scripts` skips the prepack rebuild.
    const packed = await run(
      NPM,
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      packageRoot(),
      RUN_TIMEOUT_MS,
    );
    assert.equal(packed.code, 0, `npm pack failed: ${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    const paths = info.files.map((f) => f.path);
    assert.ok(paths.includes('dist/harness/index.js'));
    assert.ok(paths.includes('harness/scenario/scenario.schema.json'));
    assert.ok(!paths.some((p) => p.endsWith('.test.js') || p.startsWith('dist/test/')), 'no tests packed');

    app = join(dir, 'lab');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'lab', private: true, type: 'module' }));
    const installed = await run(
      NPM,
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--no-package-lock',
        join(dir, info.filename),
      ],
      app,
      INSTALL_TIMEOUT_MS,
    );
    assert.equal(installed.code, 0, `npm install failed: ${installed.stderr}`);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs a bundled scenario on the embedded bench from a plain ESM script through 'payhil' and 'payhil/testing'", async () => {
    writeFileSync(join(app, 'lab-run.mjs'), LAB_SCRIPT);
    const r = await run(process.execPath, ['lab-run.mjs'], app, RUN_TIMEOUT_MS);
    assert.equal(r.code, 0, `the lab script failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      root: string;
      runs: { id: string; status: string; message: string }[];
      note: string;
      mockCalls: string[];
      testPans: number;
      testTerminal: string;
      deepImport: string;
    };
    // The installed copy, with its bundled schemas, fixtures and scenarios, not this repository.
    assert.equal(out.root, join(app, 'node_modules', 'payhil'));
    assert.ok(out.runs.length > 0);
    for (const run of out.runs) assert.equal(run.status, 'passed', `${run.id}: ${run.message}`);
    assert.equal(out.note, 'note');
    assert.deepEqual(out.mockCalls, ['keypad.enterPin']);
    assert.ok(out.testPans > 0);
    assert.equal(out.testTerminal, 'function');
    // Only the named entry points are open.
    assert.equal(out.deepImport, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('installs the payhil command: --help and validate of the bundled scenarios', async () => {
    const help = await run(NPX, ['--no', '--', 'payhil', '--help'], app, RUN_TIMEOUT_MS);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /usage: payhil <command>/);
    const validate = await run(
      NPX,
      ['--no', '--', 'payhil', 'validate', join('node_modules', 'payhil', 'scenarios')],
      app,
      RUN_TIMEOUT_MS,
    );
    assert.equal(validate.code, 0, `${validate.stdout}${validate.stderr}`);
    assert.match(validate.stdout, /valid/);
  });
});
