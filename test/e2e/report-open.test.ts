/**
 * `payhil report --open` serves the HTML report with allure-commandline (a Java server, a child of
 * payhil). Stopped with SIGTERM (a CI job cancelled, a supervisor), payhil stops that server before it
 * ends: no Java process is left behind serving the report. The server listens on 127.0.0.1 only.
 * Needs Java (allure-commandline runs on a JRE).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

/** PIDs of the processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Local addresses (hex, as in /proc/net/tcp*) listening on `port`. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [addr, p] = (cols[1] ?? '').split(':');
      if (p === hexPort && cols[3] === '0A') out.push(addr as string);
    }
  }
  return out;
}

describe('e2e: payhil report --open stopped with SIGTERM', function () {
  this.timeout(120_000);
  let dir: string;
  let reportDir: string;

  before(function () {
    if (spawnSync('java', ['-version']).status !== 0) throw new Error('needs Java (a JRE) for allure');
    dir = mkdtempSync(join(tmpdir(), 'payhil-report-open-'));
    const results = join(dir, 'results');
    mkdirSync(results);
    const uuid = '0b0b0b0b-0000-4000-8000-000000000001';
    writeFileSync(
      join(results, `${uuid}-result.json`),
      JSON.stringify({
        uuid,
        historyId: 'h1',
        name: 'one',
        fullName: 'one',
        status: 'passed',
        stage: 'finished',
        start: 1,
        stop: 2,
        labels: [],
        steps: [],
        attachments: [],
        parameters: [],
      }),
    );
    reportDir = join(dir, 'report');
  });
  after(() => {
    // On a payhil that leaves it running, the server is stopped here.
    for (const pid of processesMentioning(reportDir)) process.kill(pid, 'SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stops the Java report server before it ends; the server listened on 127.0.0.1', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'report', '--open', '--results-dir', join(dir, 'results'), '--report-dir', reportDir],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = /started at <http:\/\/([^:>]+):(\d+)>/.exec(out);
        if (m) resolve(Number(m[2]));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`payhil report ended (${code}) before serving:\n${out}`)));
    });
    const servers = processesMentioning(reportDir);
    assert.ok(servers.length > 0, `a report server runs:\n${out}`);
    const bound = listeners(port);
    assert.ok(bound.length > 0, `something listens on ${port}`);
    for (const a of bound)
      assert.ok(
        a === '0100007F' ||
          a === '0000000000000000FFFF00000100007F' ||
          a === '00000000000000000000000001000000',
        `the report server listens on ${a} (hex), not 127.0.0.1`,
      );

    child.kill('SIGTERM');
    await exited;
    const left = servers.filter((pid) => existsSync(`/proc/${pid}`));
    assert.deepEqual(left, [], `report server processes left running after SIGTERM:\n${out}`);
  });
});
