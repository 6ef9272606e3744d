/**
 * `payhil run` on a lab bench whose host is external (a `payhil host` started as its own process, as a
 * lab's real host would be): what the bench cannot set up on that host (a scenario's host.accounts, an
 * inline card that changes the issuer's data) makes the scenario *broken*, naming what is missing, and
 * never a failure that blames the terminal. A scenario that needs no host setup passes on that host.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';
import { runPayhil } from './payhil-cli.test-helper.js';

const BIN = fileURLToPath(new URL('../../harness/cli/bin.js', import.meta.url));

/** `<testcase name=…>` → [status, message] of a JUnit file. */
function verdicts(xml: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (const m of xml.matchAll(/<testcase [^>]*?\sname="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)) {
    const tag = /<(skipped|failure|error)\b(?:[^>]*?\bmessage="([^"]*)")?/.exec(m[2] as string);
    const status = !tag
      ? 'passed'
      : tag[1] === 'failure'
        ? 'failed'
        : tag[1] === 'error'
          ? 'broken'
          : 'skipped';
    out.set(m[1] as string, [status, tag?.[2] ?? '']);
  }
  return out;
}

describe('payhil run: a lab bench with an external host', function () {
  this.timeout(120_000);
  let dir: string;
  let host: ChildProcess;
  let address: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payhil-external-host-'));
    host = spawn(process.execPath, [BIN, 'host', '--dialect', 'cup', '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    address = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`payhil host did not start: ${out}`)), 15_000);
      host.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
      host.once('exit', (code) => reject(new Error(`payhil host exited with ${code}: ${out}`)));
    });
    writeFileSync(
      join(dir, 'external.yaml'),
      [
        'name: external',
        'capabilities: [chip, contactless, magstripe, pinpad, printer, display, ecr, emulator, host, network]',
        'terminal: { driver: emulated, profile: cup-pos }',
        'card: { presenter: in-process }',
        `host: { mode: external, address: '${address}' }`,
        'dialect: cup',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    if (host.exitCode === null) {
      const exited = new Promise((r) => host.once('exit', r));
      host.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('host.accounts and issuer-changing inline cards are broken with what is missing; the rest passes', async () => {
    const junit = join(dir, 'junit.xml');
    const { code, out } = await runPayhil(
      [
        'run',
        packagePath('scenarios', 'account', 'issuer-declines.yaml'),
        packagePath('scenarios', 'purchase', 'chip-pin-approved.yaml'),
        '--grep',
        'insufficient-funds|debit, 12\\.50|credit, 12\\.50',
        '--lab',
        join(dir, 'external.yaml'),
        '--root',
        packageRoot(),
        '--results-dir',
        join(dir, 'results'),
        '--junit',
        junit,
      ],
      dir,
      100_000,
    );
    assert.equal(code, 1, out);
    const v = verdicts(readFileSync(junit, 'utf8'));
    assert.equal(v.size, 3, [...v.keys()].join(', '));
    const [accStatus, accWhy] = v.get('account/insufficient-funds') ?? ['missing', ''];
    assert.equal(accStatus, 'broken', accWhy);
    assert.match(accWhy, new RegExp(`external host ${address.replace(/\./g, '\\.')}`));
    assert.match(accWhy, /host\.accounts \(cup-debit\)/);
    for (const [id, [status, why]] of v) {
      if (id === 'account/insufficient-funds') continue;
      if (id.includes('credit')) {
        assert.equal(status, 'broken', `${id}: ${why}`);
        assert.match(why, /inline card extending 'cup-credit' changes pin/);
      } else assert.equal(status, 'passed', `${id}: ${why}`);
    }
  });
});
