/**
 * The per-scenario capture as a reviewer opens it: a real embedded run's `host traffic (masked).pcap`,
 * read by tshark with docs/wireshark-iso8583.lua and no option naming a port: every ISO 8583 message
 * decodes, once per leg, each labelled with its leg (terminal → proxy, proxy → host, host → proxy,
 * proxy → terminal), at the documented addresses and port 8583; the TCP and IPv4 checksums are right.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { memoryIo } from '../../harness/cli/command.js';
import { main } from '../../harness/cli/main.js';
import { packagePath, packageRoot } from '../../harness/common/project-root.js';

const TSHARK = '/usr/bin/tshark';
const LUA = packagePath('docs', 'wireshark-iso8583.lua');

interface Result {
  fullName: string;
  attachments: { name: string; source: string; type: string }[];
}

describe("e2e: the scenario capture decodes in Wireshark without the run's ports, each message once per leg", function () {
  this.timeout(120_000);
  let dir: string;
  let pcap: string;
  let journalMtis: string[];

  before(async () => {
    assert.ok(existsSync(TSHARK), `${TSHARK} is missing: install the Debian package tshark`);
    dir = mkdtempSync(join(tmpdir(), 'payhil-pcap-legs-'));
    const io = memoryIo(packageRoot());
    const code = await main(
      ['run', 'scenarios/purchase', '--grep', 'approved', '--results-dir', dir, '--no-history'],
      io,
    );
    assert.equal(code, 0, io.stdout.join('\n'));
    const results = readdirSync(dir)
      .filter((f) => f.endsWith('-result.json'))
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Result);
    const r = results.find((x) => x.attachments.some((a) => a.name === 'host traffic (masked).pcap'));
    assert.ok(r, 'a result with a capture');
    pcap = join(
      dir,
      (r.attachments.find((a) => a.name === 'host traffic (masked).pcap') as { source: string }).source,
    );
    // The messages the host saw (its journal's frames, in the ISO 8583 frames attachment).
    const frames = readFileSync(
      join(
        dir,
        (r.attachments.find((a) => a.name === 'ISO 8583 frames (masked)') as { source: string }).source,
      ),
      'utf8',
    );
    journalMtis = [...frames.matchAll(/<h2>[^<]*(?:request|response) (\d{4})/g)].map((m) => m[1] as string);
    assert.ok(journalMtis.length >= 4, frames);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function tshark(...args: string[]): string {
    return execFileSync(TSHARK, ['-X', `lua_script:${LUA}`, '-r', pcap, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  }

  it('every message decodes with no port given, once per leg, labelled by its leg', () => {
    const rows = tshark(
      '-Y',
      'cup8583',
      '-T',
      'fields',
      '-e',
      'cup8583.leg',
      '-e',
      'cup8583.mti',
      '-e',
      'tcp.port',
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const byLeg = (leg: string): string[] => rows.filter((r) => r[0] === leg).map((r) => r[1] as string);
    const requests = journalMtis.filter((m) => Number(m[2]) % 2 === 0);
    const responses = journalMtis.filter((m) => Number(m[2]) % 2 === 1);
    assert.deepEqual(byLeg('terminal → proxy'), requests);
    assert.deepEqual(byLeg('proxy → host'), requests);
    assert.deepEqual(byLeg('host → proxy'), responses);
    assert.deepEqual(byLeg('proxy → terminal'), responses);
    assert.equal(rows.length, 2 * journalMtis.length, 'nothing twice on a leg, nothing unlabelled');
    for (const r of rows) assert.match(r[2] as string, /(^|,)8583(,|$)/, 'the documented port');
  });

  it('the documented addresses, and IPv4 and TCP checksums Wireshark accepts', () => {
    const hosts = new Set(tshark('-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst').trim().split(/\s+/));
    assert.deepEqual([...hosts].sort(), ['127.0.0.1', '127.0.0.2', '127.0.0.3']);
    const bad = tshark(
      '-o',
      'tcp.check_checksum:TRUE',
      '-o',
      'ip.check_checksum:TRUE',
      '-Y',
      'tcp.checksum.status == 0 || ip.checksum.status == 0',
    ).trim();
    assert.equal(bad, '', `packets with a bad checksum:\n${bad}`);
  });
});
