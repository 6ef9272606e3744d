/**
 * What a one-scenario `payhil run` on the embedded bench loads: only what that run needs. The lab's queue
 * (BullMQ, ioredis), serial ports, the browser, lab bench drivers, the HTML report generator and ajv (the
 * build's compiled validators answer for valid documents) are loaded when a run asks for them. Start-up
 * time itself is measured by `npm run bench -- runner`; this test keeps the heavy modules out of it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { packagePath } from '../../harness/common/project-root.js';
import { writeMatrixCorpus } from '../bench/catalogue-copies.js';

/** An ESM resolve hook that appends every module URL the process resolves to $PAYHIL_TRACE. */
const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.PAYHIL_TRACE, r.url + '\\n');
  return r;
}
`;

describe('payhil run start-up: an embedded run loads only what it needs', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-startup-'));
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
    writeMatrixCorpus(join(dir, 'pack'), 1);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The module URLs (and CommonJS files) a `payhil …` invocation in the pack folder loaded. */
  function loaded(args: string[]): string[] {
    const trace = join(dir, `trace-${args[0]}-${Date.now()}.txt`);
    writeFileSync(trace, '');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        pathToFileURL(join(dir, 'register.mjs')).href,
        packagePath('dist', 'harness', 'cli', 'bin.js'),
        ...args,
      ],
      { cwd: join(dir, 'pack'), encoding: 'utf8', env: { ...process.env, PAYHIL_TRACE: trace } },
    );
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  }

  it('a one-scenario run: no queue, Redis, serial port, browser, lab bench driver or report generator', () => {
    const urls = loaded(['run', 'scenarios', '--results-dir', 'r', '--no-history', '--seed', '7']);
    const heavy = [
      /node_modules\/(bullmq|ioredis|serialport|@serialport|playwright-core|toxiproxy-node-client)\//,
      /dist\/harness\/lab\/(?!shard\.js|errors\.js)/,
      /dist\/harness\/drivers\/(web|nexo|zvt|sidecar|mux|robot|kit|pcsc)\//,
      /dist\/harness\/bench\/lab-/,
      /dist\/harness\/report\/allure-report\.js/,
      /dist\/harness\/cli\/(parallel-run|queued-run|lab-choice)\.js/,
    ];
    for (const re of heavy) {
      const hit = urls.filter((u) => re.test(u));
      assert.deepEqual(hit, [], `loaded ${re}`);
    }
    // It did run the scenario: the emulator, the host and the report writers are there.
    for (const m of ['emulator/index.js', 'host/host-server.js', 'report/allure-writer.js'])
      assert.ok(
        urls.some((u) => u.endsWith(`dist/harness/${m}`)),
        `${m} loaded`,
      );
  });

  it('--bench loads the lab bench modules when asked for (the trace sees them)', () => {
    const urls = loaded(['run', 'scenarios', '--bench', 'embedded', '--results-dir', 'r', '--no-history']);
    for (const m of ['cli/lab-choice.js', 'bench/lab-bench.js'])
      assert.ok(
        urls.some((u) => u.endsWith(`dist/harness/${m}`)),
        `${m} loaded`,
      );
    const run = spawnSync(
      process.execPath,
      [packagePath('dist', 'harness', 'cli', 'bin.js'), 'run', 'scenarios', '--bench', 'no-such-bench'],
      { cwd: join(dir, 'pack'), encoding: 'utf8' },
    );
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no bench named 'no-such-bench'/);
  });
});
